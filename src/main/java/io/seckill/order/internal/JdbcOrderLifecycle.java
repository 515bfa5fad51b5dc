package io.seckill.order.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The SQL of payment, expiry and cancellation. Blocking. */
@Repository
class JdbcOrderLifecycle {

	static final String CREATED = "CREATED";

	static final String PAID = "PAID";

	static final String CANCELLED = "CANCELLED";

	private static final RowMapper<OrderState> STATE = (rs, row) -> new OrderState(rs.getLong("id"),
			rs.getLong("activity_id"), rs.getLong("item_id"), rs.getLong("user_id"), rs.getString("status"));

	private final JdbcClient jdbc;

	JdbcOrderLifecycle(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** An order's identity and status. */
	record OrderState(long id, long activityId, long itemId, long userId, String status) {
	}

	Optional<OrderState> find(long orderId) {
		return this.jdbc.sql("SELECT id, activity_id, item_id, user_id, status FROM orders WHERE id = :id")
			.param("id", orderId)
			.query(STATE)
			.optional();
	}

	Optional<OrderState> lock(long orderId) {
		return this.jdbc.sql("SELECT id, activity_id, item_id, user_id, status FROM orders WHERE id = :id FOR UPDATE")
			.param("id", orderId)
			.query(STATE)
			.optional();
	}

	/**
	 * CREATED to PAID; false when the order is no longer CREATED (paid or cancelled
	 * meanwhile).
	 */
	boolean markPaid(long orderId) {
		return this.jdbc.sql("UPDATE orders SET status = 'PAID', paid_at = now() WHERE id = :id AND status = 'CREATED'")
			.param("id", orderId)
			.update() == 1;
	}

	/**
	 * Locks unpaid orders created before {@code cutoff}, skipping rows another worker (or
	 * a payment) holds: two workers never take the same order, and neither waits for the
	 * other.
	 */
	List<OrderState> lockUnpaidBefore(Instant cutoff, int limit) {
		return this.jdbc
			.sql("SELECT id, activity_id, item_id, user_id, status FROM orders WHERE status = 'CREATED' "
					+ "AND created_at < :cutoff ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED")
			.param("cutoff", Timestamp.from(cutoff))
			.param("limit", limit)
			.query(STATE)
			.list();
	}

	/** Cancels a locked order that is still live; false when it was cancelled already. */
	boolean markCancelled(long orderId) {
		return this.jdbc.sql(
				"UPDATE orders SET status = 'CANCELLED', cancelled_at = now() WHERE id = :id AND status <> 'CANCELLED'")
			.param("id", orderId)
			.update() == 1;
	}

}
