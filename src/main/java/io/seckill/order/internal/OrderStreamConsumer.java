package io.seckill.order.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.seckill.platform.NodeNames;
import io.seckill.platform.Roles;
import io.seckill.platform.redis.OrderStreamRecord;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.redis.TicketState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The worker: consumers in the group {@value OrderStreams#GROUP} read admitted purchases
 * in batches, hand each batch to the {@link OrderWriter}, then settle it in Redis with
 * one script per stream (ticket results, give-backs, XACK and XDEL, so a stream's length
 * is its backlog).
 * <p>
 * A crash before the settle leaves the entries pending: a worker restarted under the same
 * name rereads them at once, and any other worker claims them once they sit idle longer
 * than {@code claim-after}. Writing is idempotent (the ticket is unique), so a redelivery
 * never makes a second order. A database outage keeps entries pending and is retried with
 * backoff; an entry the database refuses on its own (a poison entry) is moved to a
 * dead-letter stream so it cannot block the others.
 */
@Component
class OrderStreamConsumer implements SmartLifecycle {

	private static final Log log = LogFactory.getLog(OrderStreamConsumer.class);

	static final String INTERNAL_ERROR = "INTERNAL_ERROR";

	/** The field of a dead-lettered entry that says why the database refused it. */
	static final String DEAD_LETTER_REASON = "error";

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final OrderStreams streams;

	private final OrderWriter writer;

	private final WriterSettings settings;

	private final Roles roles;

	private final RedisScript<Long> settle;

	private final RedisScript<List<Object>> claim = LuaScripts.returningList("claim.lua");

	private final RedisScript<Long> forgetConsumers = LuaScripts.returningLong("forget-consumers.lua");

	private final String ticketTtl;

	private final Timer batchLatency;

	private final DistributionSummary batchSize;

	private final Counter written;

	private final Counter refused;

	private final Counter deadLettered;

	/** Which read group an idle consumer waits on next (see {@link #read}). */
	private final AtomicInteger readTurn = new AtomicInteger();

	private final List<Thread> threads = new ArrayList<>();

	private final String nodeName;

	private volatile boolean running;

	OrderStreamConsumer(StringRedisTemplate redis, RedisKeys keys, OrderStreams streams, OrderWriter writer,
			WriterSettings settings, Roles roles, MeterRegistry meters, @Value("${server.port:8080}") String port) {
		this.redis = redis;
		this.keys = keys;
		this.streams = streams;
		this.writer = writer;
		this.settings = settings;
		this.roles = roles;
		this.settle = LuaScripts.returningLong("settle.lua");
		this.ticketTtl = Long.toString(settings.ticketTtl().toMillis());
		this.nodeName = settings.nodeName().isBlank() ? NodeNames.hostName() + ":" + port : settings.nodeName();
		this.batchLatency = Timer.builder("seckill.writer.batch.latency")
			.description("Time to write one batch of orders to the database")
			.publishPercentileHistogram()
			.register(meters);
		this.batchSize = DistributionSummary.builder("seckill.writer.batch.size")
			.description("Stream entries per database transaction")
			.register(meters);
		this.written = Counter.builder("seckill.writer.orders").tag("outcome", "written").register(meters);
		this.refused = Counter.builder("seckill.writer.orders").tag("outcome", "refused").register(meters);
		this.deadLettered = Counter.builder("seckill.writer.orders").tag("outcome", "dead-lettered").register(meters);
	}

	@Override
	public void start() {
		if (!this.roles.worker() || this.running) {
			return;
		}
		this.running = true;
		for (int i = 0; i < this.settings.consumers(); i++) {
			String name = this.nodeName + "-" + i;
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
		Map<String, String> claimCursors = new HashMap<>();
		long nextClaim = 0;
		int failures = 0;
		while (this.running) {
			try {
				List<String> current = this.streams.current();
				long now = System.currentTimeMillis();
				if (current.isEmpty()) {
					Thread.sleep(this.settings.block().toMillis());
					continue;
				}
				if (now >= nextClaim) {
					claimAbandoned(current, consumer, claimCursors);
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

	/**
	 * The next entries for {@code consumer}: its own pending ones first ({@code own}),
	 * else new ones, waiting up to {@code block} when there are none. Where the streams
	 * must be read in several groups (a cluster, {@link OrderStreams#readGroups}), each
	 * is read without waiting, and when all are empty one of them, in turn, is waited on
	 * for its share of {@code block}: an idle worker still sees a new entry within about
	 * {@code block}.
	 */
	private List<MapRecord<String, Object, Object>> read(List<String> current, String consumer, boolean own) {
		List<List<String>> groups = this.streams.readGroups(current);
		Duration block = own ? null : this.settings.block();
		if (groups.size() == 1) {
			return read(groups.get(0), consumer, own, block);
		}
		// A shard that fails (it is down, or failing over) holds up only its own streams.
		List<MapRecord<String, Object, Object>> records = new ArrayList<>();
		List<List<String>> answered = new ArrayList<>();
		RuntimeException failure = null;
		for (List<String> group : groups) {
			try {
				records.addAll(read(group, consumer, own, null));
				answered.add(group);
			}
			catch (RuntimeException ex) {
				failure = ex;
				log.warn("Could not read " + group + " (the other streams are read): " + ex);
			}
		}
		if (answered.isEmpty()) {
			throw failure;
		}
		if (!records.isEmpty() || own) {
			return records;
		}
		Duration share = Duration.ofMillis(Math.max(10, this.settings.block().toMillis() / groups.size()));
		return read(answered.get(Math.floorMod(this.readTurn.getAndIncrement(), answered.size())), consumer, false,
				share);
	}

	private List<MapRecord<String, Object, Object>> read(List<String> streams, String consumer, boolean own,
			Duration block) {
		ReadOffset offset = own ? ReadOffset.from("0") : ReadOffset.lastConsumed();
		@SuppressWarnings("unchecked")
		StreamOffset<String>[] offsets = streams.stream()
			.map((stream) -> StreamOffset.create(stream, offset))
			.toArray(StreamOffset[]::new);
		StreamReadOptions options = StreamReadOptions.empty().count(this.settings.batchSize());
		if (block != null) {
			options = options.block(block);
		}
		List<MapRecord<String, Object, Object>> records = this.redis.opsForStream()
			.read(Consumer.from(OrderStreams.GROUP, consumer), options, offsets);
		return (records != null) ? records : List.of();
	}

	/**
	 * Takes over entries another consumer read but did not settle in time (it died or
	 * hangs), one XAUTOCLAIM step per stream from where the last one stopped; and removes
	 * the consumers gone for good from the group.
	 */
	private void claimAbandoned(List<String> current, String consumer, Map<String, String> cursors) {
		String idle = Long.toString(this.settings.claimAfter().toMillis());
		for (String stream : current) {
			List<MapRecord<String, Object, Object>> claimed = new ArrayList<>();
			this.streams.onItsShard(stream, () -> claimed.addAll(claimAbandoned(stream, consumer, idle, cursors)));
			// Outside: a database failure is the round's, not the shard's.
			if (!claimed.isEmpty()) {
				log.info("Claimed " + claimed.size() + " abandoned entries of " + stream);
				process(claimed);
			}
		}
	}

	private List<MapRecord<String, Object, Object>> claimAbandoned(String stream, String consumer, String idle,
			Map<String, String> cursors) {
		List<Object> reply = this.redis.execute(this.claim, List.of(stream), OrderStreams.GROUP, consumer, idle,
				Integer.toString(this.settings.batchSize()), cursors.getOrDefault(stream, "0-0"));
		cursors.put(stream, (String) reply.get(0));
		List<MapRecord<String, Object, Object>> claimed = records(stream, (List<?>) reply.get(1));
		Long forgotten = this.redis.execute(this.forgetConsumers, List.of(stream), OrderStreams.GROUP,
				Long.toString(this.settings.forgetConsumersAfter().toMillis()), this.nodeName + "-");
		if (forgotten != null && forgotten > 0) {
			log.info("Removed " + forgotten + " consumers idle for " + this.settings.forgetConsumersAfter()
					+ " with nothing pending from the group of " + stream);
		}
		return claimed;
	}

	/** XAUTOCLAIM's entries ({id, {field, value, ...}}) as records of {@code stream}. */
	private static List<MapRecord<String, Object, Object>> records(String stream, List<?> entries) {
		List<MapRecord<String, Object, Object>> records = new ArrayList<>(entries.size());
		for (Object entry : entries) {
			List<?> parts = (List<?>) entry;
			List<?> flat = (List<?>) parts.get(1);
			Map<Object, Object> fields = new LinkedHashMap<>();
			for (int i = 0; i + 1 < flat.size(); i += 2) {
				fields.put(flat.get(i), flat.get(i + 1));
			}
			records.add(StreamRecords.newRecord().in(stream).withId(RecordId.of((String) parts.get(0))).ofMap(fields));
		}
		return records;
	}

	/**
	 * Writes and settles records, at most one batch-size per transaction (a read over
	 * several streams returns up to batch-size from each).
	 */
	private void process(List<MapRecord<String, Object, Object>> records) {
		int size = this.settings.batchSize();
		for (int from = 0; from < records.size(); from += size) {
			processBatch(records.subList(from, Math.min(records.size(), from + size)));
		}
	}

	private void processBatch(List<MapRecord<String, Object, Object>> records) {
		List<OrderStreamRecord> requests = new ArrayList<>(records.size());
		Map<String, List<String>> idsByStream = new LinkedHashMap<>();
		for (MapRecord<String, Object, Object> record : records) {
			idsByStream.computeIfAbsent(record.getStream(), (key) -> new ArrayList<>()).add(record.getId().getValue());
			Map<String, String> fields = new HashMap<>();
			record.getValue().forEach((key, value) -> fields.put((String) key, (String) value));
			try {
				requests.add(OrderStreamRecord.from(fields));
			}
			catch (IllegalArgumentException ex) {
				// Only the admission script writes these streams; keep what cannot be
				// read for an operator.
				deadLetter(record.getStream(), fields, ex.getMessage());
			}
		}
		List<WriteResult> results = requests.isEmpty() ? List.of()
				: this.batchLatency.record(() -> writeIsolatingPoison(requests));
		this.batchSize.record(requests.size());
		settle(results, idsByStream);
	}

	/**
	 * Writes the batch; when the database refuses it for a reason of its own (a
	 * constraint, bad data: not an outage), writes the entries one by one so a single
	 * poison entry cannot block the rest.
	 */
	private List<WriteResult> writeIsolatingPoison(List<OrderStreamRecord> requests) {
		try {
			return this.writer.write(requests);
		}
		catch (DataIntegrityViolationException ex) {
			// Only a constraint violation marks an entry as bad. Anything else (an
			// outage, a
			// timeout, an unclassified error) is retried with every entry kept:
			// dead-lettering
			// sound purchases during an outage would lose orders.
			List<WriteResult> results = new ArrayList<>(requests.size());
			for (OrderStreamRecord request : requests) {
				try {
					results.addAll(this.writer.write(List.of(request)));
				}
				catch (DataIntegrityViolationException single) {
					deadLetter(this.keys.orders(request.activityId()), fieldsOf(request),
							single.getMostSpecificCause().getMessage());
					results.add(WriteResult.refused(request, INTERNAL_ERROR, WriteResult.GiveBack.BOTH));
				}
			}
			return results;
		}
	}

	private void deadLetter(String stream, Map<String, String> fields, String reason) {
		long activityId = this.keys.activityOfOrders(stream);
		String target = (activityId > 0) ? this.keys.deadLetters(activityId) : stream + ":dead";
		Map<String, String> entry = new HashMap<>(fields);
		entry.put(DEAD_LETTER_REASON, String.valueOf(reason));
		this.redis.opsForStream().add(target, entry);
		// Counted by the dead-letters gauge for as long as it holds entries, also after
		// its sale.
		this.redis.opsForSet().add(this.keys.deadLetterStreams(), target);
		this.deadLettered.increment();
		log.error("Moved a purchase the database refuses to " + target + ": " + fields + " (" + reason + ")");
	}

	private static Map<String, String> fieldsOf(OrderStreamRecord request) {
		return Map.of(OrderStreamRecord.TICKET, request.ticket(), OrderStreamRecord.ACTIVITY,
				Long.toString(request.activityId()), OrderStreamRecord.ITEM, Long.toString(request.itemId()),
				OrderStreamRecord.USER, Long.toString(request.userId()), OrderStreamRecord.SLOT,
				Integer.toString(request.slot()));
	}

	/**
	 * One settle script per stream: ticket results, give-backs, XACK and XDEL,
	 * atomically.
	 */
	private void settle(List<WriteResult> results, Map<String, List<String>> idsByStream) {
		Map<Long, List<WriteResult>> byActivity = new HashMap<>();
		results.forEach((result) -> byActivity.computeIfAbsent(result.request().activityId(), (id) -> new ArrayList<>())
			.add(result));
		RuntimeException failure = null;
		for (Map.Entry<String, List<String>> byStream : idsByStream.entrySet()) {
			try {
				settle(byStream.getKey(), byStream.getValue(), byActivity);
			}
			catch (RuntimeException ex) {
				// The other streams are settled still; this one's entries stay pending
				// and
				// are read again after the failure is thrown.
				failure = (failure != null) ? failure : ex;
			}
		}
		for (WriteResult result : results) {
			(result.succeeded() ? this.written : this.refused).increment();
		}
		if (failure != null) {
			throw failure;
		}
	}

	private void settle(String stream, List<String> ids, Map<Long, List<WriteResult>> byActivity) {
		long activityId = this.keys.activityOfOrders(stream);
		List<WriteResult> settled = byActivity.getOrDefault(activityId, List.of());
		List<String> keys = new ArrayList<>(2 + 2 * settled.size());
		keys.add(stream);
		keys.add(this.keys.stock(activityId));
		settled.forEach((result) -> keys.add(this.keys.ticket(activityId, result.request().ticket())));
		settled.forEach((result) -> keys.add(this.keys.buyers(activityId, result.request().itemId())));
		List<String> args = new ArrayList<>(3 + 4 * settled.size() + ids.size());
		args.add(OrderStreams.GROUP);
		args.add(Integer.toString(settled.size()));
		args.add(this.ticketTtl);
		for (WriteResult result : settled) {
			OrderStreamRecord request = result.request();
			args.add(result.succeeded() ? TicketState.success(request.userId(), result.orderId())
					: TicketState.failed(request.userId(), result.failure()));
			args.add(Long.toString(request.userId()));
			args.add(Long.toString(request.itemId()));
			args.add(result.giveBack().code());
		}
		args.addAll(ids);
		this.redis.execute(this.settle, keys, args.toArray());
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
