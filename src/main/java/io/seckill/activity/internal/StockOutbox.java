package io.seckill.activity.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.seckill.platform.Roles;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stock the database gained (an expired or cancelled order, a raised stock) reaches Redis
 * through this outbox: a row written in the same transaction as the change, applied to
 * Redis by a relay with a marker key per row (so a relay that dies after applying and
 * before deleting the row never applies it twice), then deleted. Relays on several nodes
 * share the rows with SKIP LOCKED.
 */
@Component
public class StockOutbox {

	private static final Log log = LogFactory.getLog(StockOutbox.class);

	private static final Duration MARKER_TTL = Duration.ofDays(7);

	private final JdbcClient jdbc;

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final TransactionTemplate transaction;

	private final Roles roles;

	private final RedisScript<Long> apply;

	StockOutbox(JdbcClient jdbc, StringRedisTemplate redis, RedisKeys keys, TransactionTemplate transaction,
			Roles roles) {
		this.jdbc = jdbc;
		this.redis = redis;
		this.keys = keys;
		this.transaction = transaction;
		this.roles = roles;
		this.apply = LuaScripts.returningLong("return-stock.lua");
	}

	/**
	 * In the caller's transaction: units back to the database stock, and a row for Redis.
	 */
	public void returnUnits(long activityId, long itemId, Long buyerId, int units) {
		this.jdbc.sql("UPDATE items SET remaining = remaining + :units WHERE id = :item")
			.param("units", units)
			.param("item", itemId)
			.update();
		record(activityId, itemId, buyerId, units);
	}

	/**
	 * In the caller's transaction: a row telling Redis to add {@code units} (and free a
	 * buyer's slot).
	 */
	void record(long activityId, long itemId, Long buyerId, int units) {
		this.jdbc
			.sql("INSERT INTO redis_stock_outbox (activity_id, item_id, user_id, units) "
					+ "VALUES (:activity, :item, :user, :units)")
			.param("activity", activityId)
			.param("item", itemId)
			.param("user", buyerId)
			.param("units", units)
			.update();
	}

	/** Whether changes of this item are still on their way to Redis. */
	boolean pending(long itemId) {
		return this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM redis_stock_outbox WHERE item_id = :item)")
			.param("item", itemId)
			.query(Boolean.class)
			.single();
	}

	@Scheduled(fixedDelayString = "${seckill.orders.outbox-interval:500ms}")
	void relayOnSchedule() {
		if (this.roles.worker() || this.roles.admin()) {
			try {
				relay();
			}
			catch (RuntimeException ex) {
				log.warn("Stock outbox relay failed, retrying: " + ex.getMessage());
			}
		}
	}

	/**
	 * Applies waiting rows now, on the caller's thread, after the caller's commit. Best
	 * effort: on a failure the rows stay and the scheduled relay applies them, so the
	 * caller's committed work is never reported as failed.
	 */
	public void relaySoon() {
		try {
			relay();
		}
		catch (RuntimeException ex) {
			log.info("Stock outbox rows left for the scheduled relay: " + ex.getMessage());
		}
	}

	/** Applies waiting rows to Redis; returns how many were applied now. */
	public int relay() {
		Set<Long> touched = new LinkedHashSet<>();
		int applied = 0;
		int conflicts = 0;
		while (true) {
			List<Long> activities = new ArrayList<>();
			Integer done;
			try {
				done = this.transaction.execute((status) -> relayBatch(activities));
			}
			catch (PessimisticLockingFailureException ex) {
				// Rolled back as a deadlock victim: nothing was deleted, and the
				// Redis markers make applying the same rows again a no-op.
				if (++conflicts == 5) {
					throw ex;
				}
				continue;
			}
			if (done == null || done < 0) {
				break;
			}
			applied += done;
			touched.addAll(activities);
		}
		// Units came back: every node drops its sold-out flags for these activities.
		touched.forEach(
				(activity) -> this.redis.convertAndSend(this.keys.activityChangedChannel(), Long.toString(activity)));
		return applied;
	}

	/** One transaction's worth: -1 when no row waits, else the rows applied now. */
	private int relayBatch(List<Long> activities) {
		List<Row> rows = this.jdbc
			.sql("SELECT id, activity_id, item_id, user_id, units FROM redis_stock_outbox ORDER BY id "
					+ "LIMIT 200 FOR UPDATE SKIP LOCKED")
			.query((rs, n) -> new Row(rs.getLong("id"), rs.getLong("activity_id"), rs.getLong("item_id"),
					(Long) rs.getObject("user_id", Long.class), rs.getInt("units")))
			.list();
		int count = 0;
		for (Row row : rows) {
			String buyer = (row.userId() != null) ? Long.toString(row.userId()) : "";
			Long result = this.redis.execute(this.apply,
					List.of(this.keys.stock(row.activityId()), this.keys.buyers(row.activityId(), row.itemId()),
							this.keys.stockOutboxMarker(row.activityId(), row.id())),
					Long.toString(row.itemId()), Integer.toString(row.units()), buyer,
					Long.toString(MARKER_TTL.toMillis()));
			count += (result != null && result == 1) ? 1 : 0;
			activities.add(row.activityId());
		}
		if (rows.isEmpty()) {
			return -1;
		}
		this.jdbc.sql("DELETE FROM redis_stock_outbox WHERE id IN (:ids)")
			.param("ids", rows.stream().map(Row::id).toList())
			.update();
		return count;
	}

	private record Row(long id, long activityId, long itemId, Long userId, int units) {
	}

}
