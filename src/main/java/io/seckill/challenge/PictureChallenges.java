package io.seckill.challenge;

import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

import cn.hutool.captcha.CaptchaUtil;
import cn.hutool.captcha.ShearCaptcha;
import cn.hutool.captcha.generator.MathGenerator;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RateLimits;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import jakarta.annotation.PreDestroy;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Image challenges: a small sum drawn with noise (Hutool captcha; its calculator parses
 * the sum itself, with no script engine). The question lives in Redis, bound to its owner
 * (a shopper, or nobody at sign-up), until it is answered once, right or wrong. Wrong
 * answers are limited per {@link Scope#failures()} counter: every attempt is counted
 * before it is checked (so parallel guesses cannot pass the limit) and taken back when
 * right.
 */
@Component
public class PictureChallenges {

	private static final int WIDTH = 160;

	private static final int HEIGHT = 60;

	/** One-digit operands: easy for people, still an image for scripts. */
	private static final MathGenerator SUMS = new MathGenerator(1);

	private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

	private final ReactiveStringRedisTemplate redis;

	private final RateLimits limits;

	private final Clock clock;

	private final RedisScript<String> take = RedisScript.of(LuaScripts.text("take-challenge.lua"), String.class);

	/**
	 * Drawing takes milliseconds of CPU, and sign-up challenges are asked for by anyone:
	 * a pool of its own (a quarter of the cores, at least one thread), refusing at once
	 * (503) when it is full, so that a flood of them cannot take the sale's CPU.
	 */
	private final Scheduler drawing = Schedulers
		.newBoundedElastic(Math.max(1, Runtime.getRuntime().availableProcessors() / 4), 16, "challenge-drawing");

	PictureChallenges(ReactiveStringRedisTemplate redis, RateLimits limits, Clock clock) {
		this.redis = redis;
		this.limits = limits;
		this.clock = clock;
	}

	@PreDestroy
	void stop() {
		this.drawing.dispose();
	}

	/**
	 * Where challenges of one kind live and how their wrong answers are limited.
	 *
	 * @param keyPrefix the Redis key of challenge {@code id} is this followed by the id
	 * @param owner who may answer (a user id; "-" for anyone holding the id)
	 * @param failures the counter of wrong answers this attempt counts on
	 * @param failuresAllowed wrong answers allowed per {@code failureWindow}
	 * @param failureWindow the window of that limit
	 * @param ttl how long a challenge can be answered
	 */
	public record Scope(String keyPrefix, String owner, String failures, int failuresAllowed, Duration failureWindow,
			Duration ttl) {
	}

	/** A challenge to show: its id, the image as a data URI, and when it expires. */
	public record Issued(String challengeId, String image, long expiresAtMillis) {
	}

	/** A new challenge in {@code scope}. */
	public Mono<Issued> create(Scope scope) {
		return Mono.fromCallable(() -> {
			ShearCaptcha captcha = CaptchaUtil.createShearCaptcha(WIDTH, HEIGHT, SUMS, 2);
			captcha.createCode();
			return captcha;
		})
			.subscribeOn(this.drawing)
			.onErrorMap(RejectedExecutionException.class,
					(ex) -> new ApiException(ErrorCode.UNAVAILABLE,
							"Too many challenges asked for at once; retry in a moment"))
			.flatMap((captcha) -> {
				byte[] random = new byte[16];
				ThreadLocalRandom.current().nextBytes(random);
				String id = BASE64.encodeToString(random);
				long expiresAt = this.clock.millis() + scope.ttl().toMillis();
				return this.redis.opsForValue()
					.set(scope.keyPrefix() + id, scope.owner() + "|" + captcha.getCode(), scope.ttl())
					.thenReturn(new Issued(id, captcha.getImageBase64Data(), expiresAt));
			});
	}

	/**
	 * Completes when {@code answer} solves the open challenge {@code id} of
	 * {@code scope}; otherwise fails with CHALLENGE_FAILED, or RATE_LIMITED after too
	 * many wrong answers.
	 */
	public Mono<Void> check(Scope scope, String id, String answer) {
		if (id == null || !id.matches("[A-Za-z0-9_-]{22}") || answer == null || answer.isBlank()
				|| answer.length() > 8) {
			return Mono.error(new ApiException(ErrorCode.CHALLENGE_FAILED));
		}
		return this.limits.count(scope.failureWindow(), new RateLimits.Limit(scope.failures(), scope.failuresAllowed()))
			.then(this.redis.execute(this.take, List.of(scope.keyPrefix() + id), List.of(scope.owner())).next())
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("take-challenge.lua answered nothing")))
			.flatMap((reply) -> {
				if (reply.startsWith("OPEN|") && SUMS.verify(reply.substring("OPEN|".length()), answer.trim())) {
					// Right: the attempt counted as a failure is taken back.
					return (scope.failuresAllowed() > 0) ? this.limits.uncount(scope.failures()) : Mono.empty();
				}
				return Mono.error(new ApiException(ErrorCode.CHALLENGE_FAILED));
			});
	}

}
