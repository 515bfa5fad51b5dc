package io.seckill.order.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.seckill.platform.Roles;
import io.seckill.platform.redis.OrderStreamRecord;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.redis.TicketState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.RedisStreamCommands.XClaimOptions;
import org.springframework.data.redis.connection.DefaultStringRedisConnection;
import org.springframework.data.redis.connection.StringRedisConnection;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.PendingMessage;
import org.springframework.data.redis.connection.stream.PendingMessages;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.stereotype.Component;

/**
 * The worker: consumers in the group {@value OrderStreams#GROUP} read admitted purchases
 * in batches, hand each batch to the {@link OrderWriter}, then publish the ticket results
 * and XACK (and XDEL, so the stream's length is the backlog). A crash before XACK leaves
 * the entries pending; the same consumer rereads them on restart, and any other consumer
 * claims them once they sit idle longer than {@code claim-after}. Writing is idempotent
 * (ticket is unique), so a redelivery never makes a second order.
 */
@Component
class OrderStreamConsumer implements SmartLifecycle {

	private static final Log log = LogFactory.getLog(OrderStreamConsumer.class);

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final OrderStreams streams;

	private final OrderWriter writer;

	private final WriterSettings settings;

	private final Roles roles;

	private final Timer batchLatency;

	private final DistributionSummary batchSize;

	private final Counter written;

	private final Counter refused;

	private final AtomicLong queueLength = new AtomicLong();

	private final AtomicLong oldestAgeMillis = new AtomicLong();

	private final List<Thread> threads = new ArrayList<>();

	private final String consumerPrefix;

	private volatile boolean running;

	OrderStreamConsumer(StringRedisTemplate redis, RedisKeys keys, OrderStreams streams, OrderWriter writer,
			WriterSettings settings, Roles roles, MeterRegistry meters) {
		this.redis = redis;
		this.keys = keys;
		this.streams = streams;
		this.writer = writer;
		this.settings = settings;
		this.roles = roles;
		this.batchLatency = Timer.builder("seckill.writer.batch.latency")
			.description("Time to write one batch of orders to the database")
			.publishPercentileHistogram()
			.register(meters);
		this.batchSize = DistributionSummary.builder("seckill.writer.batch.size")
			.description("Stream entries per database transaction")
			.register(meters);
		this.written = Counter.builder("seckill.writer.orders").tag("outcome", "written").register(meters);
		this.refused = Counter.builder("seckill.writer.orders").tag("outcome", "refused").register(meters);
		Gauge.builder("seckill.queue.length", this.queueLength, AtomicLong::get)
			.description("Admitted purchases not yet written to the database")
			.register(meters);
		Gauge.builder("seckill.queue.lag", this.oldestAgeMillis, (age) -> age.get() / 1000.0)
			.description("Age of the oldest admitted purchase not yet written")
			.baseUnit("seconds")
			.register(meters);
		this.consumerPrefix = java.lang.management.ManagementFactory.getRuntimeMXBean().getName() + "-"
				+ Long.toHexString(System.nanoTime() & 0xffffff);
	}

	@Override
	public void start() {
		if (!this.roles.worker() || this.running) {
			return;
		}
		this.running = true;
		for (int i = 0; i < this.settings.consumers(); i++) {
			String name = this.consumerPrefix + "-" + i;
			Thread thread = new Thread(() -> consume(name), "order-writer-" + i);
			thread.setDaemon(true);
			this.threads.add(thread);
			thread.start();
		}
	}

	@Override
	public void stop() {
		this.running = false;
		for (Thread thread : this.threads) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(10));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.threads.clear();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stops consuming abruptly, as a killed process would: reads in flight stay pending.
	 */
	void halt() {
		this.running = false;
		this.threads.forEach(Thread::interrupt);
	}

	private void consume(String consumer) {
		boolean rereadOwn = true;
		long nextClaim = 0;
		long nextGauge = 0;
		int failures = 0;
		while (this.running) {
			try {
				List<String> current = this.streams.current();
				long now = System.currentTimeMillis();
				if (now >= nextGauge) {
					updateQueueLength(current);
					nextGauge = now + 1000;
				}
				if (current.isEmpty()) {
					Thread.sleep(this.settings.block().toMillis());
					continue;
				}
				if (now >= nextClaim) {
					claimAbandoned(current, consumer);
					nextClaim = now + this.settings.claimInterval().toMillis();
				}
				List<MapRecord<String, Object, Object>> records = read(current, consumer, rereadOwn);
				if (records.isEmpty()) {
					rereadOwn = false;
					continue;
				}
				if (this.running) {
					process(records);
				}
				failures = 0;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				if (!this.running) {
					return;
				}
				failures++;
				long backoff = Math.min(5000, 100L << Math.min(failures, 6));
				log.warn("Order writer failed (" + failures + " in a row), retrying in " + backoff + " ms: " + ex);
				rereadOwn = true;
				this.streams.forceRefresh();
				sleepQuietly(backoff);
			}
		}
	}

	private List<MapRecord<String, Object, Object>> read(List<String> current, String consumer, boolean own) {
		ReadOffset offset = own ? ReadOffset.from("0") : ReadOffset.lastConsumed();
		@SuppressWarnings("unchecked")
		StreamOffset<String>[] offsets = current.stream()
			.map((stream) -> StreamOffset.create(stream, offset))
			.toArray(StreamOffset[]::new);
		StreamReadOptions options = StreamReadOptions.empty().count(this.settings.batchSize());
		if (!own) {
			options = options.block(this.settings.block());
		}
		List<MapRecord<String, Object, Object>> records = this.redis.opsForStream()
			.read(Consumer.from(OrderStreams.GROUP, consumer), options, offsets);
		return (records != null) ? records : List.of();
	}

	/**
	 * Takes over entries another consumer read but did not acknowledge in time (it died).
	 */
	private void claimAbandoned(List<String> current, String consumer) {
		Duration idle = this.settings.claimAfter();
		for (String stream : current) {
			PendingMessages pending = this.redis.opsForStream()
				.pending(stream, OrderStreams.GROUP, Range.unbounded(), this.settings.batchSize());
			List<RecordId> stale = new ArrayList<>();
			for (PendingMessage message : pending) {
				if (message.getElapsedTimeSinceLastDelivery().compareTo(idle) >= 0) {
					stale.add(message.getId());
				}
			}
			if (stale.isEmpty()) {
				continue;
			}
			List<MapRecord<String, Object, Object>> claimed = this.redis.opsForStream()
				.claim(stream, OrderStreams.GROUP, consumer,
						XClaimOptions.minIdle(idle).ids(stale.toArray(RecordId[]::new)));
			if (!claimed.isEmpty()) {
				log.info("Claimed " + claimed.size() + " abandoned entries of " + stream);
				process(claimed);
			}
		}
	}

	private void process(List<MapRecord<String, Object, Object>> records) {
		List<OrderStreamRecord> requests = new ArrayList<>(records.size());
		Map<String, List<String>> idsByStream = new HashMap<>();
		for (MapRecord<String, Object, Object> record : records) {
			idsByStream.computeIfAbsent(record.getStream(), (key) -> new ArrayList<>()).add(record.getId().getValue());
			Map<String, String> fields = new HashMap<>();
			record.getValue().forEach((key, value) -> fields.put((String) key, (String) value));
			try {
				requests.add(OrderStreamRecord.from(fields));
			}
			catch (IllegalArgumentException ex) {
				// Only the admission script writes these streams; a malformed entry
				// cannot become an order.
				log.error("Dropping malformed stream entry " + record.getId() + ": " + ex.getMessage());
			}
		}
		List<WriteResult> results = requests.isEmpty() ? List.of()
				: this.batchLatency.record(() -> this.writer.write(requests));
		this.batchSize.record(requests.size());
		publishAndAcknowledge(results, idsByStream);
	}

	private void publishAndAcknowledge(List<WriteResult> results, Map<String, List<String>> idsByStream) {
		Expiration ttl = Expiration.from(this.settings.ticketTtl());
		this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
			StringRedisConnection strings = new DefaultStringRedisConnection(connection);
			for (WriteResult result : results) {
				OrderStreamRecord request = result.request();
				String value = result.succeeded() ? TicketState.success(request.userId(), result.orderId())
						: TicketState.failed(request.userId(), result.failure());
				strings.set(this.keys.ticket(request.activityId(), request.ticket()), value, ttl,
						org.springframework.data.redis.connection.RedisStringCommands.SetOption.upsert());
				if (result.returnSlot()) {
					strings.hIncrBy(this.keys.buyers(request.activityId(), request.itemId()),
							Long.toString(request.userId()), -1);
				}
			}
			idsByStream.forEach((stream, ids) -> {
				String[] array = ids.toArray(String[]::new);
				strings.xAck(stream, OrderStreams.GROUP, array);
				strings.xDel(stream, array);
			});
			return null;
		});
		for (WriteResult result : results) {
			(result.succeeded() ? this.written : this.refused).increment();
		}
	}

	private void updateQueueLength(List<String> current) {
		long total = 0;
		long oldest = Long.MAX_VALUE;
		for (String stream : current) {
			Long size = this.redis.opsForStream().size(stream);
			if (size == null || size == 0) {
				continue;
			}
			total += size;
			List<MapRecord<String, Object, Object>> first = this.redis.opsForStream()
				.range(stream, Range.unbounded(), Limit.limit().count(1));
			if (first != null && !first.isEmpty()) {
				oldest = Math.min(oldest, first.get(0).getId().getTimestamp());
			}
		}
		this.queueLength.set(total);
		this.oldestAgeMillis.set((oldest == Long.MAX_VALUE) ? 0 : Math.max(0, System.currentTimeMillis() - oldest));
	}

	private static void sleepQuietly(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
