package io.seckill.user.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.user.SecuritySettings;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * BCrypt from Spring Security, on a pool of its own. A hash costs tens of milliseconds of
 * CPU by design, so a flood of logins could take every core from the sale: the pool has
 * {@code seckill.security.hashing.threads} threads and a short queue (Reactor's bounded
 * elastic scheduler), and work beyond it is refused at once (503 with Retry-After) rather
 * than queued. Unknown usernames are checked against a dummy hash, so a login takes as
 * long whether or not the name exists.
 */
@Component
class PasswordHashing implements DisposableBean {

	private final BCryptPasswordEncoder encoder;

	private final Scheduler pool;

	private final String dummyHash;

	private final Counter refused;

	PasswordHashing(SecuritySettings settings, MeterRegistry meters) {
		this.encoder = new BCryptPasswordEncoder(settings.passwordStrength());
		this.pool = Schedulers.newBoundedElastic(settings.hashing().threadCount(), settings.hashing().queue(),
				"password-hashing");
		byte[] random = new byte[18];
		new SecureRandom().nextBytes(random);
		this.dummyHash = this.encoder.encode(Base64.getEncoder().encodeToString(random));
		this.refused = Counter.builder("seckill.password.hashing.refused")
			.description("Logins, sign-ups and password changes refused because the hashing pool was full")
			.register(meters);
	}

	/**
	 * Runs {@code work} (a hash and the account lookup or write around it) on the hashing
	 * pool; fails with UNAVAILABLE at once when the pool and its queue are full.
	 */
	<T> Mono<T> run(Callable<T> work) {
		return Mono.fromCallable(work).subscribeOn(this.pool).onErrorMap(RejectedExecutionException.class, (ex) -> {
			this.refused.increment();
			return new ApiException(ErrorCode.UNAVAILABLE, "Too many logins at once; retry in a moment");
		});
	}

	String hash(String password) {
		return this.encoder.encode(password);
	}

	/**
	 * Whether {@code password} matches {@code hash}; a missing account ({@code null}) is
	 * checked against the dummy hash, to take the same time, and never matches.
	 */
	boolean matches(String password, String hash) {
		if (hash == null) {
			this.encoder.matches(password, this.dummyHash);
			return false;
		}
		return this.encoder.matches(password, hash);
	}

	@Override
	public void destroy() {
		this.pool.dispose();
	}

}
