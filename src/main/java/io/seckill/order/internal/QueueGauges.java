package io.seckill.order.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.redis.ClusterDuties;
import io.seckill.platform.redis.RedisKeys;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The gauges of what every worker shares: the admitted purchases not yet written, the age
 * of the oldest, the dead letters waiting. One worker of the cluster reports them (the
 * holder of the {@link ClusterDuties}), refreshed once a second, so a sum over the
 * workers counts the queue once; the others, and API-only nodes, have no such series.
 */
@Component
class QueueGauges implements ClusterDuties.Duty {

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final OrderStreams streams;

	private final MeterRegistry meters;

	private final AtomicLong queueLength = new AtomicLong();

	private final AtomicLong oldestAgeMillis = new AtomicLong();

	private final AtomicLong deadLetters = new AtomicLong();

	private final List<Meter> registered = new ArrayList<>();

	QueueGauges(StringRedisTemplate redis, RedisKeys keys, OrderStreams streams, MeterRegistry meters,
			ClusterDuties duties) {
		this.redis = redis;
		this.keys = keys;
		this.streams = streams;
		this.meters = meters;
		duties.add(this);
	}

	@Override
	public synchronized void perform() {
		refresh();
		if (this.registered.isEmpty()) {
			this.registered.add(Gauge.builder("seckill.queue.length", this.queueLength, AtomicLong::get)
				.description("Admitted purchases not yet written to the database (reported by one worker)")
				.register(this.meters));
			this.registered.add(Gauge.builder("seckill.queue.lag", this.oldestAgeMillis, (age) -> age.get() / 1000.0)
				.description("Age of the oldest admitted purchase not yet written (reported by one worker)")
				.baseUnit("seconds")
				.register(this.meters));
			this.registered.add(Gauge.builder("seckill.dead.letters", this.deadLetters, AtomicLong::get)
				.description(
						"Dead letters waiting for an admin (replay or discard), in every sale (reported by one worker)")
				.register(this.meters));
		}
	}

	@Override
	public synchronized void relinquish() {
		this.registered.forEach(this.meters::remove);
		this.registered.clear();
	}

	private void refresh() {
		long[] total = { 0 };
		long[] oldest = { Long.MAX_VALUE };
		long[] dead = { 0 };
		Set<String> deadLetterStreams = this.redis.opsForSet().members(this.keys.deadLetterStreams());
		for (String letters : (deadLetterStreams != null) ? deadLetterStreams : Set.<String>of()) {
			this.streams.onItsShard(letters, () -> {
				Long size = this.redis.opsForStream().size(letters);
				dead[0] += (size != null) ? size : 0;
			});
		}
		for (String stream : this.streams.current()) {
			this.streams.onItsShard(stream, () -> {
				Long size = this.redis.opsForStream().size(stream);
				if (size == null || size == 0) {
					return;
				}
				total[0] += size;
				List<MapRecord<String, Object, Object>> first = this.redis.opsForStream()
					.range(stream, Range.unbounded(), Limit.limit().count(1));
				if (first != null && !first.isEmpty()) {
					oldest[0] = Math.min(oldest[0], first.get(0).getId().getTimestamp());
				}
			});
		}
		this.queueLength.set(total[0]);
		this.deadLetters.set(dead[0]);
		this.oldestAgeMillis
			.set((oldest[0] == Long.MAX_VALUE) ? 0 : Math.max(0, System.currentTimeMillis() - oldest[0]));
	}

}
