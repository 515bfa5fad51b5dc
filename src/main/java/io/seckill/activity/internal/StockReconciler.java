package io.seckill.activity.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.Roles;
import io.seckill.platform.redis.ClusterDuties;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Compares each item's remaining stock in Redis with the database's (the truth) and
 * repairs Redis when they differ while the item is quiescent: no admitted purchase waits
 * in the activity's stream and no stock change waits in the outbox. The item row is
 * locked meanwhile (writers and expiries wait for it), and the Redis write is a
 * compare-and-set that gives up if an admission moved the stock or entered the stream in
 * between: a repair never races an admission. Drift is exposed as the gauge
 * {@code seckill.stock.drift{item}} and every repair is logged. One worker of the cluster
 * reconciles at a time, the holder of the {@link ClusterDuties} (a repair is a
 * compare-and-set, so a second one at a handover is harmless), and only it reports the
 * drift.
 */
@Component
class StockReconciler implements ClusterDuties.Duty {

	private static final Log log = LogFactory.getLog(StockReconciler.class);

	private static final Duration GRACE_AFTER_END = Duration.ofMinutes(10);

	private final JdbcActivities activities;

	private final JdbcClient jdbc;

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final StockOutbox outbox;

	private final TransactionTemplate transaction;

	private final Roles roles;

	private final Clock clock;

	private final MeterRegistry meters;

	private final RedisScript<Long> repair;

	private final ClusterDuties duties;

	private final Map<Long, AtomicLong> drift = new ConcurrentHashMap<>();

	private final Map<Long, Gauge> driftGauges = new ConcurrentHashMap<>();

	private final Counter repairs;

	StockReconciler(JdbcActivities activities, JdbcClient jdbc, StringRedisTemplate redis, RedisKeys keys,
			StockOutbox outbox, TransactionTemplate transaction, Roles roles, Clock clock, MeterRegistry meters,
			ClusterDuties duties) {
		this.activities = activities;
		this.jdbc = jdbc;
		this.redis = redis;
		this.keys = keys;
		this.outbox = outbox;
		this.transaction = transaction;
		this.roles = roles;
		this.clock = clock;
		this.meters = meters;
		this.duties = duties;
		duties.add(this);
		this.repairs = Counter.builder("seckill.stock.repairs")
			.description("Redis stock figures set back to the database's")
			.register(meters);
		this.repair = LuaScripts.returningLong("repair-stock.lua");
	}

	@Scheduled(fixedDelayString = "${seckill.orders.reconcile-interval:5s}",
			initialDelayString = "${seckill.orders.reconcile-interval:5s}")
	void reconcileOnSchedule() {
		if (!this.roles.worker() || !this.duties.held()) {
			return;
		}
		try {
			reconcileAll();
			if (!this.duties.held()) {
				// Lost while reconciling: the gauges this round made go too.
				relinquish();
			}
		}
		catch (RuntimeException ex) {
			log.warn("Stock reconciliation failed, retrying later: " + ex.getMessage());
		}
	}

	/**
	 * Checks every item of the published activities still of interest; returns the
	 * repairs made.
	 */
	int reconcileAll() {
		int repaired = 0;
		for (Activity activity : this.activities.findReconcilable(this.clock.instant().minus(GRACE_AFTER_END))) {
			for (Activity.Item item : activity.items()) {
				repaired += reconcile(activity.id(), item.id()) ? 1 : 0;
			}
		}
		return repaired;
	}

	private boolean reconcile(long activityId, long itemId) {
		Boolean repaired = this.transaction.execute((status) -> {
			int database = this.jdbc.sql("SELECT remaining FROM items WHERE id = :item FOR UPDATE")
				.param("item", itemId)
				.query(Integer.class)
				.single();
			Object cached = this.redis.opsForHash().get(this.keys.stock(activityId), Long.toString(itemId));
			if (cached == null) {
				return false;
			}
			long inRedis = Long.parseLong((String) cached);
			Long queued = this.redis.opsForStream().size(this.keys.orders(activityId));
			if ((queued != null && queued > 0) || this.outbox.pending(itemId)) {
				return false;
			}
			gauge(itemId).set(inRedis - database);
			if (inRedis == database) {
				return false;
			}
			Long result = this.redis.execute(this.repair,
					List.of(this.keys.orders(activityId), this.keys.stock(activityId)), Long.toString(itemId),
					Long.toString(inRedis), Integer.toString(database));
			if (result != null && result == 1) {
				log.warn("Repaired the Redis stock of item " + itemId + " (activity " + activityId + ") from " + inRedis
						+ " to the database's " + database + " (drift " + (inRedis - database) + ")");
				this.repairs.increment();
				gauge(itemId).set(0);
				return true;
			}
			return false;
		});
		return Boolean.TRUE.equals(repaired);
	}

	private AtomicLong gauge(long itemId) {
		return this.drift.computeIfAbsent(itemId, (id) -> {
			AtomicLong value = new AtomicLong();
			this.driftGauges.put(id,
					Gauge.builder("seckill.stock.drift", value, AtomicLong::get)
						.description("Redis minus database remaining stock, measured when the item is quiescent")
						.tag("item", Long.toString(id))
						.register(this.meters));
			return value;
		});
	}

	/** Another worker reconciles now: its figures, not this node's older ones. */
	@Override
	public void relinquish() {
		this.driftGauges.values().forEach(this.meters::remove);
		this.driftGauges.clear();
		this.drift.clear();
	}

}
