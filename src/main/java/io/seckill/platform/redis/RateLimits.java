package io.seckill.platform.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.seckill.platform.web.ApiException;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Fixed-window request limits counted in Redis, so that every node enforces one limit:
 * several counters (per shopper, per client IP, per username...) checked and counted in
 * one round trip by {@code rate-limits.lua}. The admission script counts its own limits
 * inline, with the same rule, to spare the purchase a second round trip.
 */
@Component
public class RateLimits {

	private final ReactiveStringRedisTemplate redis;

	private final RedisScript<Long> script = LuaScripts.returningLong("rate-limits.lua");

	private final RedisScript<Long> uncount = LuaScripts.returningLong("uncount.lua");

	RateLimits(ReactiveStringRedisTemplate redis) {
		this.redis = redis;
	}

	/** One counter: its key and how many requests it allows per window (0 = off). */
	public record Limit(String key, int allowed) {
	}

	/**
	 * Counts one request on every limit that is on; completes when all are within their
	 * limit, else fails with RATE_LIMITED naming when the first exceeded window ends.
	 * Limits that are all off cost no round trip.
	 */
	public Mono<Void> count(Duration window, Limit... limits) {
		List<String> keys = new ArrayList<>(limits.length);
		List<String> args = new ArrayList<>(limits.length + 1);
		args.add(Long.toString(window.toMillis()));
		for (Limit limit : limits) {
			if (limit.allowed() > 0) {
				keys.add(limit.key());
				args.add(Integer.toString(limit.allowed()));
			}
		}
		if (keys.isEmpty()) {
			return Mono.empty();
		}
		return this.redis.execute(this.script, keys, args)
			.next()
			.flatMap((wait) -> (wait > 0) ? Mono.error(ApiException.rateLimited(null, wait)) : Mono.empty());
	}

	/**
	 * Takes back one request counted on {@code key}: limits that count failures (wrong
	 * passwords, wrong answers) count every attempt before it is checked, so that
	 * parallel guesses cannot pass the limit, and take back the ones that were right.
	 */
	public Mono<Void> uncount(String key) {
		return this.redis.execute(this.uncount, List.of(key), List.of()).then();
	}

}
