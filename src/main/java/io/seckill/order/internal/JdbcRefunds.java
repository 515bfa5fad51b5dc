package io.seckill.order.internal;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The refund outbox's SQL. Blocking. */
@Repository
class JdbcRefunds {

	private static final RowMapper<Refund> REFUND = (rs, row) -> new Refund(rs.getLong("order_id"),
			rs.getString("charge_key"), rs.getBigDecimal("amount"), rs.getInt("tries"));

	private final JdbcClient jdbc;

	JdbcRefunds(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** A refund owed: the charge made under {@code chargeKey}. */
	record Refund(long orderId, String chargeKey, BigDecimal amount, int tries) {
	}

	/** Owes a refund; called in the transaction that cancels the paid order. */
	void add(long orderId, String chargeKey, BigDecimal amount) {
		this.jdbc.sql("INSERT INTO refund_outbox (order_id, charge_key, amount) VALUES (:order, :key, :amount)")
			.param("order", orderId)
			.param("key", chargeKey)
			.param("amount", amount)
			.update();
	}

	List<Refund> due(Instant now, int limit) {
		return this.jdbc
			.sql("SELECT order_id, charge_key, amount, tries FROM refund_outbox "
					+ "WHERE refunded_at IS NULL AND next_try_at <= :now ORDER BY next_try_at LIMIT :limit")
			.param("now", Timestamp.from(now))
			.param("limit", limit)
			.query(REFUND)
			.list();
	}

	Optional<Refund> dueFor(long orderId, Instant now) {
		return this.jdbc
			.sql("SELECT order_id, charge_key, amount, tries FROM refund_outbox "
					+ "WHERE order_id = :order AND refunded_at IS NULL AND next_try_at <= :now")
			.param("order", orderId)
			.param("now", Timestamp.from(now))
			.query(REFUND)
			.optional();
	}

	/**
	 * Takes the refund's next try until {@code nextTry}: false when another node took
	 * this try first. A try that never reports back is taken again after {@code nextTry}.
	 */
	boolean take(Refund refund, Instant nextTry) {
		return this.jdbc
			.sql("UPDATE refund_outbox SET tries = tries + 1, next_try_at = :next "
					+ "WHERE order_id = :order AND refunded_at IS NULL AND tries = :tries")
			.param("order", refund.orderId())
			.param("tries", refund.tries())
			.param("next", Timestamp.from(nextTry))
			.update() == 1;
	}

	void refunded(long orderId) {
		this.jdbc.sql("UPDATE refund_outbox SET refunded_at = now(), last_error = NULL WHERE order_id = :order")
			.param("order", orderId)
			.update();
	}

	void failed(long orderId, String error) {
		this.jdbc.sql("UPDATE refund_outbox SET last_error = :error WHERE order_id = :order")
			.param("order", orderId)
			.param("error", (error.length() > 200) ? error.substring(0, 200) : error)
			.update();
	}

}
