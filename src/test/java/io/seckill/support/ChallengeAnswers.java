package io.seckill.support;

import io.seckill.platform.redis.RedisKeys;

import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The answers to challenges, read behind the image as only a test can. */
public final class ChallengeAnswers {

	private ChallengeAnswers() {
	}

	/** Sums the question Redis keeps for a sale's challenge ("userId|5-3="). */
	public static String answer(StringRedisTemplate redis, RedisKeys keys, long activityId, String challengeId) {
		return answerOf(redis, keys.challenge(activityId, challengeId));
	}

	/** Sums the question Redis keeps for a sign-up challenge ("-|5-3="). */
	public static String signUpAnswer(StringRedisTemplate redis, RedisKeys keys, String challengeId) {
		return answerOf(redis, keys.signUpChallenge(challengeId));
	}

	private static String answerOf(StringRedisTemplate redis, String key) {
		String stored = redis.opsForValue().get(key);
		assertThat(stored).as("challenge %s in Redis", key).isNotNull();
		String question = stored.substring(stored.indexOf('|') + 1).replace("=", "").trim();
		int operator = Math.max(question.lastIndexOf('+'),
				Math.max(question.lastIndexOf('-'), question.lastIndexOf('*')));
		int left = Integer.parseInt(question.substring(0, operator).trim());
		int right = Integer.parseInt(question.substring(operator + 1).trim());
		int result = switch (question.charAt(operator)) {
			case '+' -> left + right;
			case '-' -> left - right;
			default -> left * right;
		};
		return Integer.toString(result);
	}

}
