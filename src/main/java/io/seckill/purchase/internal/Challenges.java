package io.seckill.purchase.internal;

import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import cn.hutool.captcha.CaptchaUtil;
import cn.hutool.captcha.ShearCaptcha;
import cn.hutool.captcha.generator.MathGenerator;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Image challenges: a small sum drawn with noise (Hutool captcha; its calculator parses
 * the sum itself, with no script engine). The question lives in Redis, bound to the
 * shopper, until it is answered once, right or wrong; attempts are counted per shopper
 * and activity before they are checked (and un-counted when right).
 */
@Component
class Challenges {

	private static final int WIDTH = 160;

	private static final int HEIGHT = 60;

	/** One-digit operands: easy for people, still an image for scripts. */
	private static final MathGenerator SUMS = new MathGenerator(1);

	private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final PurchaseTokenSettings settings;

	private final Clock clock;

	private final RedisScript<String> take = RedisScript.of(LuaScripts.text("take-challenge.lua"), String.class);

	/** A challenge to show: its id, the image as a data URI, and when it expires. */
	record Issued(String challengeId, String image, long expiresAtMillis) {
	}

	Challenges(ReactiveStringRedisTemplate redis, RedisKeys keys, PurchaseTokenSettings settings, Clock clock) {
		this.redis = redis;
		this.keys = keys;
		this.settings = settings;
		this.clock = clock;
	}

	Mono<Issued> create(long activityId, long userId) {
		// Drawing takes milliseconds of CPU: off the event loop.
		return Mono.fromCallable(() -> {
			ShearCaptcha captcha = CaptchaUtil.createShearCaptcha(WIDTH, HEIGHT, SUMS, 2);
			captcha.createCode();
			return captcha;
		}).subscribeOn(Schedulers.boundedElastic()).flatMap((captcha) -> {
			byte[] random = new byte[16];
			ThreadLocalRandom.current().nextBytes(random);
			String id = BASE64.encodeToString(random);
			long expiresAt = this.clock.millis() + this.settings.challengeTtl().toMillis();
			return this.redis.opsForValue()
				.set(this.keys.challenge(activityId, id), userId + "|" + captcha.getCode(),
						this.settings.challengeTtl())
				.thenReturn(new Issued(id, captcha.getImageBase64Data(), expiresAt));
		});
	}

	/**
	 * Completes when {@code answer} solves the shopper's open challenge {@code id};
	 * otherwise fails with CHALLENGE_FAILED, or RATE_LIMITED after too many wrong
	 * answers.
	 */
	Mono<Void> check(long activityId, long userId, String id, String answer) {
		if (id == null || !id.matches("[A-Za-z0-9_-]{22}") || answer == null || answer.isBlank()
				|| answer.length() > 8) {
			return Mono.error(new ApiException(ErrorCode.CHALLENGE_FAILED));
		}
		String failures = this.keys.challengeFailures(activityId, userId);
		return this.redis.execute(this.take, List.of(this.keys.challenge(activityId, id), failures),
				List.of(Integer.toString(this.settings.challengeFailures()), Long.toString(userId),
						Long.toString(this.settings.challengeWindow().toMillis())))
			.next()
			.flatMap((reply) -> {
				int bar = reply.indexOf('|');
				String status = reply.substring(0, bar);
				String value = reply.substring(bar + 1);
				if (status.equals("LOCKED")) {
					return Mono.error(ApiException.rateLimited("Too many wrong challenge answers; wait and retry",
							Long.parseLong(value)));
				}
				if (status.equals("OPEN") && SUMS.verify(value, answer.trim())) {
					// Right: the attempt the script counted as a failure is taken back.
					return this.redis.opsForValue().decrement(failures).then();
				}
				return Mono.error(new ApiException(ErrorCode.CHALLENGE_FAILED));
			});
	}

}
