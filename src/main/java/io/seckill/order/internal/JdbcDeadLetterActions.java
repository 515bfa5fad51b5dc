package io.seckill.order.internal;

import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

/** The dead-letter actions' audit rows (table {@code dead_letter_actions}). Blocking. */
@Repository
class JdbcDeadLetterActions {

	static final String PENDING = "PENDING";

	private static final RowMapper<DeadLetterAction> ACTION = (rs, row) -> new DeadLetterAction(rs.getLong("id"),
			rs.getLong("activity_id"), rs.getString("entry_id"), rs.getString("action"), rs.getString("outcome"),
			rs.getString("ticket"), rs.getString("reason"), rs.getString("admin"),
			rs.getTimestamp("acted_at").toInstant());

	private final JdbcClient jdbc;

	JdbcDeadLetterActions(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** One admin action on a dead letter, and how it ended. */
	record DeadLetterAction(long id, long activityId, String entryId, String action, String outcome, String ticket,
			String reason, String admin, Instant actedAt) {
	}

	/** Records an action before it is carried out (outcome {@value #PENDING}); its id. */
	long begin(long activityId, String entryId, String action, String ticket, String reason, String admin) {
		KeyHolder key = new GeneratedKeyHolder();
		this.jdbc
			.sql("INSERT INTO dead_letter_actions (activity_id, entry_id, action, reason, admin, outcome, ticket) "
					+ "VALUES (:activity, :entry, :action, :reason, :admin, :outcome, :ticket)")
			.param("activity", activityId)
			.param("entry", entryId)
			.param("action", action)
			.param("reason", reason)
			.param("admin", admin)
			.param("outcome", PENDING)
			.param("ticket", ticket)
			.update(key, "id");
		return key.getKeyAs(Number.class).longValue();
	}

	void finish(long id, String outcome) {
		this.jdbc.sql("UPDATE dead_letter_actions SET outcome = :outcome WHERE id = :id")
			.param("outcome", outcome)
			.param("id", id)
			.update();
	}

	/** Whether the database holds an order for {@code ticket}. */
	boolean orderExists(String ticket) {
		return this.jdbc.sql("SELECT count(*) FROM orders WHERE ticket = :ticket")
			.param("ticket", ticket)
			.query(Long.class)
			.single() > 0;
	}

	DeadLetterAction find(long id) {
		return this.jdbc.sql("SELECT * FROM dead_letter_actions WHERE id = :id").param("id", id).query(ACTION).single();
	}

	/** A sale's actions, newest first. */
	List<DeadLetterAction> recent(long activityId, int limit) {
		return this.jdbc
			.sql("SELECT * FROM dead_letter_actions WHERE activity_id = :activity ORDER BY id DESC LIMIT :limit")
			.param("activity", activityId)
			.param("limit", limit)
			.query(ACTION)
			.list();
	}

}
