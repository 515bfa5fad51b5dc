package io.seckill.activity.internal;

import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.seckill.user.SignUpPolicy;

import org.springframework.stereotype.Component;

/**
 * Sign-ups answer a picture challenge while any published sale that is not over asks its
 * shoppers for one: the bots such a sale keeps from buying must not simply make new
 * accounts instead. Read from the database at most once a second.
 */
@Component
class ChallengeSalesSignUpPolicy implements SignUpPolicy {

	private final LoadingCache<Boolean, Boolean> required;

	ChallengeSalesSignUpPolicy(ActivityService activities, Clock clock) {
		this.required = Caffeine.newBuilder()
			.expireAfterWrite(Duration.ofSeconds(1))
			.build((ignored) -> activities.list(true)
				.stream()
				.anyMatch((activity) -> activity.challenge() && activity.endsAt().isAfter(clock.instant())));
	}

	@Override
	public boolean challengeRequired() {
		return this.required.get(Boolean.TRUE);
	}

}
