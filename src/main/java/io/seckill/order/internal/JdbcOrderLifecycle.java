package io.seckill.order.internal;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The SQL of payment, expiry and cancellation. Blocking. Every change of status is
 * conditional on the status it leaves, so of two racing changes exactly one happens.
 */
@Repository
class JdbcOrderLifecycle {

	static final String CREATED = "CREATED";

	static final String PAYING = "PAYING";

	static final String PAID = "PAID";

	static final String CANCELLED = "CANCELLED";

	private static final String COLUMNS = "id, activity_id, item_id, user_id, price, status, payment_attempt, paying_since";

	private static final RowMapper<OrderState> STATE = (rs, row) -> {
		Timestamp payingSince = rs.getTimestamp("paying_since");
		return new OrderState(rs.getLong("id"), rs.getLong("activity_id"), rs.getLong("item_id"), rs.getLong("user_id"),
				rs.getBigDecimal("price"), rs.getString("status"), rs.getInt("payment_attempt"),
				(payingSince != null) ? payingSince.toInstant() : null);
	};

	private final JdbcClient jdbc;

	JdbcOrderLifecycle(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * An order's identity and status; {@code paymentAttempt} counts the claims made for
	 * it (the current or last one's number), {@code payingSince} is when the current
	 * claim was made.
	 */
	record OrderState(long id, long activityId, long itemId, long userId, BigDecimal price, String status,
			int paymentAttempt, Instant payingSince) {

		/**
		 * The provider's idempotency key of this order's current (or last) payment
		 * attempt.
		 */
		String paymentKey() {
			return paymentKey(this.id, this.paymentAttempt);
		}

		static String paymentKey(long orderId, int attempt) {
			return "seckill-order-" + orderId + "-payment-" + attempt;
		}

	}

	Optional<OrderState> find(long orderId) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM orders WHERE id = :id")
			.param("id", orderId)
			.query(STATE)
			.optional();
	}

	Optional<OrderState> lock(long orderId) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM orders WHERE id = :id FOR UPDATE")
			.param("id", orderId)
			.query(STATE)
			.optional();
	}

	/**
	 * CREATED to PAYING, as attempt {@code attempt}; false when the order is not CREATED
	 * with that many attempts behind it any more (another payment claimed it, or it was
	 * cancelled).
	 */
	boolean claimPayment(long orderId, int attempt, Instant now) {
		return this.jdbc
			.sql("UPDATE orders SET status = 'PAYING', payment_attempt = :attempt, paying_since = :now "
					+ "WHERE id = :id AND status = 'CREATED' AND payment_attempt = :previous")
			.param("id", orderId)
			.param("attempt", attempt)
			.param("previous", attempt - 1)
			.param("now", Timestamp.from(now))
			.update() == 1;
	}

	/**
	 * PAYING (as attempt {@code attempt}) to PAID; false when that claim was settled
	 * already.
	 */
	boolean markPaid(long orderId, int attempt) {
		return this.jdbc
			.sql("UPDATE orders SET status = 'PAID', paid_at = now(), paying_since = NULL "
					+ "WHERE id = :id AND status = 'PAYING' AND payment_attempt = :attempt")
			.param("id", orderId)
			.param("attempt", attempt)
			.update() == 1;
	}

	/**
	 * PAYING (as attempt {@code attempt}) back to CREATED after a decline: the order
	 * waits for another payment, or the expiry.
	 */
	boolean releaseDeclined(long orderId, int attempt) {
		return this.jdbc
			.sql("UPDATE orders SET status = 'CREATED', paying_since = NULL "
					+ "WHERE id = :id AND status = 'PAYING' AND payment_attempt = :attempt")
			.param("id", orderId)
			.param("attempt", attempt)
			.update() == 1;
	}

	/**
	 * Restarts the claim timeout of attempt {@code attempt} (its outcome is still
	 * unknown), so the provider is asked again about it only after another timeout.
	 */
	boolean rearmClaim(long orderId, int attempt, Instant now) {
		return this.jdbc
			.sql("UPDATE orders SET paying_since = :now "
					+ "WHERE id = :id AND status = 'PAYING' AND payment_attempt = :attempt")
			.param("id", orderId)
			.param("attempt", attempt)
			.param("now", Timestamp.from(now))
			.update() == 1;
	}

	/** Payments claimed before {@code cutoff} and still not settled. */
	List<OrderState> unsettledPaymentsBefore(Instant cutoff, int limit) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM orders WHERE status = 'PAYING' AND paying_since < :cutoff "
					+ "ORDER BY paying_since LIMIT :limit")
			.param("cutoff", Timestamp.from(cutoff))
			.param("limit", limit)
			.query(STATE)
			.list();
	}

	/**
	 * Locks unpaid orders created before {@code cutoff}, skipping rows another worker (or
	 * a payment) holds: two workers never take the same order, and neither waits for the
	 * other. A PAYING order is not unpaid: its charge may be going through.
	 */
	List<OrderState> lockUnpaidBefore(Instant cutoff, int limit) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM orders WHERE status = 'CREATED' "
					+ "AND created_at < :cutoff ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED")
			.param("cutoff", Timestamp.from(cutoff))
			.param("limit", limit)
			.query(STATE)
			.list();
	}

	/**
	 * Cancels a locked order that is unpaid or paid; false when it was cancelled already
	 * or a payment of it is running.
	 */
	boolean markCancelled(long orderId) {
		return this.jdbc
			.sql("UPDATE orders SET status = 'CANCELLED', cancelled_at = now() "
					+ "WHERE id = :id AND status IN ('CREATED', 'PAID')")
			.param("id", orderId)
			.update() == 1;
	}

}
