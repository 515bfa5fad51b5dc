package io.seckill.purchase.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.activity.SaleCatalog;
import io.seckill.activity.SaleRules;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A sale's purchase and purchase-token requests by outcome, over every node: each node
 * counts in memory (a map lookup and an add per request, no Redis call on the hot path)
 * and adds what it counted to the sale's hash in Redis once a second, so the console's
 * dashboard reads the same numbers whichever node answers it. Refusals made before Redis
 * (sold-out flags, missing tokens) count too. Only published sales are written: an id the
 * catalog does not know is loaded once (as a request for it would) and then dropped, so a
 * bot's made-up ids leave no key and hold memory for a second at most; the hash expires
 * with the sale's keys. Figures to watch a sale by, not to account with: a write Redis
 * applied but answered too late is counted again at the next flush.
 * <p>
 * This node's share is also a Prometheus counter per sale
 * ({@code seckill.sale.requests{activity, kind, outcome}}), for at most
 * {@link #MAX_TAGGED_SALES} sales at a time: a sale's series go when the node has had no
 * request for it for half a minute (the catalog dropped it), and come back from zero.
 */
@Component
class SaleCounts implements SmartLifecycle {

	private static final Log log = LogFactory.getLog(SaleCounts.class);

	static final String METER = "seckill.sale.requests";

	/** Sales whose counts a node holds at once (each a few dozen bytes per outcome). */
	static final int MAX_SALES = 1_000;

	/** Sales a node tags its Prometheus counter with at once. */
	static final int MAX_TAGGED_SALES = 100;

	private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

	private final ConcurrentHashMap<Long, ConcurrentHashMap<String, LongAdder>> pending = new ConcurrentHashMap<>();

	/**
	 * This node's cumulative count per sale and field, behind the Prometheus counters.
	 */
	private final ConcurrentHashMap<Long, ConcurrentHashMap<String, AtomicLong>> totals = new ConcurrentHashMap<>();

	/** A flush whose writes are still out: the next one waits its turn. */
	private final AtomicBoolean writing = new AtomicBoolean();

	private volatile boolean running;

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final SaleCatalog catalog;

	private final Clock clock;

	private final MeterRegistry meters;

	private final long retentionMillis;

	private final RedisScript<Long> count = LuaScripts.returningLong("count-sale.lua");

	SaleCounts(ReactiveStringRedisTemplate redis, RedisKeys keys, SaleCatalog catalog, Clock clock,
			MeterRegistry meters, @Value("${seckill.redis.sale-key-retention:24h}") Duration retention) {
		this.redis = redis;
		this.keys = keys;
		this.catalog = catalog;
		this.clock = clock;
		this.meters = meters;
		this.retentionMillis = retention.toMillis();
	}

	/** Counts one request of sale {@code activityId}; {@code field} is kind:outcome. */
	void add(long activityId, String field) {
		ConcurrentHashMap<String, LongAdder> sale = this.pending.get(activityId);
		if (sale == null) {
			// Once per sale and node: unless this node knows there is no such sale (a
			// bot's guesses are cached as absent after their first request).
			if (activityId <= 0 || this.pending.size() >= MAX_SALES || !this.catalog.mayExist(activityId)) {
				return;
			}
			sale = this.pending.computeIfAbsent(activityId, (id) -> new ConcurrentHashMap<>());
		}
		LongAdder adder = sale.get(field);
		if (adder == null) {
			adder = sale.computeIfAbsent(field, (f) -> new LongAdder());
		}
		adder.increment();
	}

	@Scheduled(fixedDelayString = "${seckill.purchase.counts-interval:1s}")
	void flush() {
		// Not before start (the Redis client may not be up) nor after stop (the last
		// flush).
		if (!this.running || !this.writing.compareAndSet(false, true)) {
			return;
		}
		// Never blocks the scheduler's thread (it runs the other periodic jobs too).
		writes().doFinally((signal) -> this.writing.set(false)).subscribe();
	}

	@Override
	public void start() {
		this.running = true;
	}

	/**
	 * At shutdown (a rolling restart): what this node counted last goes out too, once the
	 * web server has stopped taking requests and before the Redis client stops (the
	 * phase).
	 */
	@Override
	public void stop() {
		this.running = false;
		flushOnStop();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 2048;
	}

	private void flushOnStop() {
		long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
		while (!this.writing.compareAndSet(false, true) && System.nanoTime() < deadline) {
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		try {
			writes().block(WRITE_TIMEOUT.multipliedBy(2));
		}
		catch (RuntimeException ex) {
			log.warn("Could not add the last counts of the sales to Redis at shutdown: " + ex);
		}
		finally {
			// A stopped context may be started again (the test framework pauses the
			// contexts it caches), and its flushes must go on then.
			this.writing.set(false);
		}
	}

	/** One write per sale with counts, each giving its counts back when it fails. */
	private Mono<Void> writes() {
		List<Flux<Long>> writes = new ArrayList<>();
		long now = this.clock.millis();
		for (Map.Entry<Long, ConcurrentHashMap<String, LongAdder>> sale : this.pending.entrySet()) {
			long activityId = sale.getKey();
			Optional<SaleRules> rules = this.catalog.cached(activityId);
			if (rules.isEmpty()) {
				boolean idle = sale.getValue().values().stream().allMatch((adder) -> adder.sum() == 0);
				if (idle || !this.catalog.mayExist(activityId)) {
					// No request for it lately (the catalog let it go), or no such
					// sale: forget it, a later request starts it again.
					this.pending.remove(activityId, sale.getValue());
					forgetMeters(activityId);
				}
				// Else its rules are loading: the counts wait for the next flush.
				continue;
			}
			long expiresAt = rules.get().endsAtMillis() + this.retentionMillis;
			if (expiresAt <= now) {
				// Its keys are gone: nothing to keep the counts in.
				this.pending.remove(activityId, sale.getValue());
				forgetMeters(activityId);
				continue;
			}
			List<String> args = new ArrayList<>();
			args.add(Long.toString(expiresAt));
			sale.getValue().forEach((field, adder) -> {
				long n = adder.sumThenReset();
				if (n > 0) {
					args.add(field);
					args.add(Long.toString(n));
				}
			});
			if (args.size() > 1) {
				writes.add(write(activityId, sale.getValue(), args));
			}
		}
		return Flux.merge(writes).then();
	}

	private Flux<Long> write(long activityId, ConcurrentHashMap<String, LongAdder> sale, List<String> args) {
		return this.redis.execute(this.count, List.of(this.keys.saleCounts(activityId)), args)
			.timeout(WRITE_TIMEOUT)
			.doOnComplete(() -> {
				for (int i = 1; i + 1 < args.size(); i += 2) {
					AtomicLong total = total(activityId, args.get(i));
					if (total != null) {
						total.addAndGet(Long.parseLong(args.get(i + 1)));
					}
				}
			})
			.onErrorResume((ex) -> {
				// Counted again, for the next flush (into the map a new request would
				// use).
				for (int i = 1; i + 1 < args.size(); i += 2) {
					this.pending.getOrDefault(activityId, sale)
						.computeIfAbsent(args.get(i), (f) -> new LongAdder())
						.add(Long.parseLong(args.get(i + 1)));
				}
				log.warn("Could not add sale " + activityId + "'s counts to Redis (kept for the next try): " + ex);
				return Flux.empty();
			});
	}

	/** The Prometheus counter's value of a sale's field, or null past the sale limit. */
	private AtomicLong total(long activityId, String field) {
		ConcurrentHashMap<String, AtomicLong> sale = this.totals.get(activityId);
		if (sale == null) {
			if (this.totals.size() >= MAX_TAGGED_SALES) {
				return null;
			}
			sale = this.totals.computeIfAbsent(activityId, (id) -> new ConcurrentHashMap<>());
		}
		return sale.computeIfAbsent(field, (f) -> {
			AtomicLong total = new AtomicLong();
			int colon = f.indexOf(':');
			FunctionCounter.builder(METER, total, AtomicLong::get)
				.description("This node's requests of one sale by kind (admission, token) and outcome")
				.tag("activity", Long.toString(activityId))
				.tag("kind", f.substring(0, colon))
				.tag("outcome", f.substring(colon + 1))
				.register(this.meters);
			return total;
		});
	}

	private void forgetMeters(long activityId) {
		if (this.totals.remove(activityId) != null) {
			for (Meter meter : this.meters.find(METER).tag("activity", Long.toString(activityId)).meters()) {
				this.meters.remove(meter);
			}
		}
	}

}
