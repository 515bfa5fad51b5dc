package io.seckill.platform.redis.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.ClusterClock;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps the {@link ClusterClock} on Redis's time: asks Redis for {@code TIME} every
 * {@code seckill.clock.sync-interval} (three times, keeping the quickest round trip) and
 * takes its answer as the time at the middle of the round trip. A round trip slower than
 * {@link #MAX_ROUND_TRIP} says too little and is dropped; so is a failed call (the last
 * offset stands). An offset beyond {@link #MAX_CORRECTION} is not applied but logged as
 * an error: the hosts' clocks need fixing. The offset is a gauge,
 * {@code seckill.clock.offset} (ms), and a node more than {@link #WORTH_SAYING} off says
 * so in its log.
 */
@Component
class RedisClockSync {

	private static final Log log = LogFactory.getLog(RedisClockSync.class);

	static final Duration MAX_ROUND_TRIP = Duration.ofMillis(50);

	static final Duration WORTH_SAYING = Duration.ofMillis(250);

	static final Duration MAX_CORRECTION = Duration.ofSeconds(5);

	private static final int MEASUREMENTS = 3;

	private final StringRedisTemplate redis;

	private final ClusterClock clock;

	private volatile Duration lastSaid = Duration.ZERO;

	RedisClockSync(StringRedisTemplate redis, ClusterClock clock, MeterRegistry meters) {
		this.redis = redis;
		this.clock = clock;
		Gauge.builder("seckill.clock.offset", clock, (measured) -> measured.offset().toMillis())
			.description("How far Redis's clock, which the cluster follows, is ahead of this node's (ms)")
			.baseUnit("milliseconds")
			.register(meters);
	}

	@Scheduled(fixedDelayString = "${seckill.clock.sync-interval:10s}")
	void sync() {
		Duration offset = null;
		long best = Long.MAX_VALUE;
		// The quickest of a few round trips says the most (a GC pause or a busy loop in
		// one of them says nothing about the clocks).
		for (int i = 0; i < MEASUREMENTS; i++) {
			try {
				long sentAt = this.clock.localMillis();
				long started = System.nanoTime();
				Long redisMillis = this.redis.execute((RedisCallback<Long>) (connection) -> time(connection));
				long roundTrip = System.nanoTime() - started;
				if (redisMillis != null && roundTrip < best && roundTrip <= MAX_ROUND_TRIP.toNanos()) {
					best = roundTrip;
					offset = Duration.ofMillis(redisMillis - (sentAt + TimeUnit.NANOSECONDS.toMillis(roundTrip) / 2));
				}
			}
			catch (RuntimeException ex) {
				log.debug("Could not read Redis's clock: " + ex.getMessage());
				return;
			}
		}
		if (offset != null) {
			apply(offset);
		}
	}

	private void apply(Duration offset) {
		boolean worthSaying = offset.minus(this.lastSaid).abs().compareTo(WORTH_SAYING) > 0;
		if (offset.abs().compareTo(MAX_CORRECTION) > 0) {
			// Orders expire by the database's clock against this one: a correction this
			// large would cancel or keep orders by minutes. The clocks need fixing (NTP),
			// not this.
			if (worthSaying) {
				log.error("This node's clock and Redis's differ by " + offset.abs().toMillis() + " ms, more than "
						+ MAX_CORRECTION.toMillis() + " ms: not corrected; synchronise the hosts' clocks");
				this.lastSaid = offset;
			}
			return;
		}
		this.clock.correctBy(offset);
		if (worthSaying) {
			long ahead = offset.negated().toMillis();
			log.warn("This node's clock is " + Math.abs(ahead) + " ms " + ((ahead > 0) ? "ahead of" : "behind")
					+ " Redis's, which decides the sale windows: serving Redis's time");
			this.lastSaid = offset;
		}
	}

	private static Long time(RedisConnection connection) {
		return connection.serverCommands().time(TimeUnit.MILLISECONDS);
	}

}
