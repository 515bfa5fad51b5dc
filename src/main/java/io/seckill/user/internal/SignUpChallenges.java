package io.seckill.user.internal;

import io.seckill.challenge.PictureChallenges;
import io.seckill.platform.redis.RateLimits;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.Blocking;
import io.seckill.platform.web.ErrorCode;
import io.seckill.user.SecuritySettings;
import io.seckill.user.SignUpPolicy;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The picture challenge at sign-up, when {@code seckill.security.registration.challenge}
 * asks for one (by default while a sale asks its shoppers for challenges). A sign-up
 * challenge belongs to nobody (there is no account yet): whoever holds its id may answer
 * it once; wrong answers are limited per client address when
 * {@code registration.challenge-failures} is set (off by default: behind a balancer
 * without trusted proxies every client shares one address).
 */
@Component
class SignUpChallenges {

	private static final String ANYONE = "-";

	private final PictureChallenges challenges;

	private final RateLimits limits;

	private final RedisKeys keys;

	private final SecuritySettings.Registration settings;

	private final SignUpPolicy policy;

	SignUpChallenges(PictureChallenges challenges, RateLimits limits, RedisKeys keys, SecuritySettings settings,
			ObjectProvider<SignUpPolicy> policy) {
		this.challenges = challenges;
		this.limits = limits;
		this.keys = keys;
		this.settings = settings.registration();
		this.policy = policy.getIfAvailable(() -> () -> false);
	}

	/** Whether a sign-up must answer a challenge now. */
	Mono<Boolean> required() {
		return switch (this.settings.challenge()) {
			case ALWAYS -> Mono.just(true);
			case NEVER -> Mono.just(false);
			case WHEN_A_SALE_ASKS -> Blocking.call(this.policy::challengeRequired);
		};
	}

	/**
	 * A new sign-up challenge for a client at {@code address}; NOT_FOUND when none is
	 * asked for.
	 */
	Mono<PictureChallenges.Issued> create(String address) {
		return required().flatMap((required) -> {
			if (!required) {
				return Mono.error(new ApiException(ErrorCode.NOT_FOUND, "No challenge is asked for at sign-up now"));
			}
			return this.limits
				.count(this.settings.rateWindow(),
						new RateLimits.Limit(this.keys.signUpChallengeIpRate(address),
								this.settings.challengeIpRateLimit()))
				.then(this.challenges.create(scope(address)));
		});
	}

	/**
	 * Completes when no challenge is asked for, or {@code answer} solves challenge
	 * {@code id}; else CHALLENGE_REQUIRED, CHALLENGE_FAILED or RATE_LIMITED.
	 */
	Mono<Void> check(String address, String id, String answer) {
		return required().flatMap((required) -> {
			if (!required) {
				return Mono.empty();
			}
			if (id == null || answer == null) {
				return Mono.error(new ApiException(ErrorCode.CHALLENGE_REQUIRED,
						"Sign-ups answer a picture challenge now: POST /api/v1/users/challenges first"));
			}
			return this.challenges.check(scope(address), id, answer);
		});
	}

	private PictureChallenges.Scope scope(String address) {
		return new PictureChallenges.Scope(this.keys.signUpChallenge(""), ANYONE,
				this.keys.signUpChallengeFailures(address), this.settings.challengeFailures(),
				this.settings.challengeWindow(), this.settings.challengeTtl());
	}

}
