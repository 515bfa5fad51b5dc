package io.seckill.user.internal;

import io.seckill.platform.redis.RateLimits;
import io.seckill.platform.redis.RateLimits.Limit;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.user.SecuritySettings;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Limits on logins and sign-ups, counted in Redis so that all nodes hold them together,
 * and checked before any password is hashed: a refused guess costs a Redis call, not a
 * BCrypt. Logins are limited per username (right ones are taken back, so the limit bounds
 * wrong guesses) and per client IP (all attempts); sign-ups per client IP.
 */
@Component
class AccountLimits {

	private final RateLimits limits;

	private final RedisKeys keys;

	private final SecuritySettings.Login login;

	private final SecuritySettings.Registration registration;

	AccountLimits(RateLimits limits, RedisKeys keys, SecuritySettings settings) {
		this.limits = limits;
		this.keys = keys;
		this.login = settings.login();
		this.registration = settings.registration();
	}

	/** Counts a login attempt; RATE_LIMITED when the name or the address is over. */
	Mono<Void> countLogin(String username, String client) {
		return this.limits.count(this.login.rateWindow(),
				new Limit(this.keys.loginRate(username), this.login.rateLimit()),
				new Limit(this.keys.loginIpRate(client), this.login.ipRateLimit()));
	}

	/** Takes back a login attempt that turned out right. */
	Mono<Void> forgiveLogin(String username) {
		return (this.login.rateLimit() > 0) ? this.limits.uncount(this.keys.loginRate(username)) : Mono.empty();
	}

	/** Counts a sign-up; RATE_LIMITED when the address is over. */
	Mono<Void> countRegistration(String client) {
		return this.limits.count(this.registration.rateWindow(),
				new Limit(this.keys.registrationIpRate(client), this.registration.ipRateLimit()));
	}

}
