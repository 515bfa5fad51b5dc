package io.seckill.platform.redis;

import java.time.Duration;
import java.util.List;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A lease in Redis that one holder at a time has: taken when free, renewed by its holder,
 * and free again when the holder gives it back or stops renewing it for {@code ttl} (it
 * died). One key, so it works alike on one Redis, Sentinel and a cluster.
 * <p>
 * What it promises is "one at a time, as long as the holder renews well within
 * {@code ttl}": a holder paused for longer than {@code ttl} (a long GC, a frozen VM) may
 * go on for a moment after another took over, so a duty under a lease must be safe to run
 * twice (a gauge, a compare-and-set).
 */
public final class RedisLease {

	private static final RedisScript<Long> HOLD = LuaScripts.returningLong("hold-lease.lua");

	private static final RedisScript<Long> RELEASE = LuaScripts.returningLong("release-lease.lua");

	private final StringRedisTemplate redis;

	private final String key;

	private final String holder;

	private final String ttlMillis;

	public RedisLease(StringRedisTemplate redis, String key, String holder, Duration ttl) {
		this.redis = redis;
		this.key = key;
		this.holder = holder;
		this.ttlMillis = Long.toString(ttl.toMillis());
	}

	/** Takes the lease or renews it; true when this holder has it for {@code ttl}. */
	public boolean hold() {
		Long held = this.redis.execute(HOLD, List.of(this.key), this.holder, this.ttlMillis);
		return held != null && held == 1;
	}

	/** Gives the lease back if this holder still has it, so another need not wait. */
	public void release() {
		this.redis.execute(RELEASE, List.of(this.key), this.holder);
	}

	public String holder() {
		return this.holder;
	}

}
