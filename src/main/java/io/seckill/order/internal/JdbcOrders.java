package io.seckill.order.internal;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.seckill.platform.redis.OrderStreamRecord;
import io.seckill.platform.sql.SqlDialect;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The order writer's SQL. Blocking; called inside the writer's transaction. */
@Repository
class JdbcOrders {

	private final JdbcClient jdbc;

	private final JdbcTemplate template;

	private final String insertOrder;

	JdbcOrders(JdbcClient jdbc, JdbcTemplate template, SqlDialect dialect) {
		this.jdbc = jdbc;
		this.template = template;
		this.insertOrder = dialect.insertIgnoringDuplicates("orders",
				"ticket, activity_id, item_id, user_id, slot, price", "?, ?, ?, ?, ?, ?");
	}

	record ItemRow(long id, long activityId, int remaining, int purchaseLimit, BigDecimal price) {
	}

	/**
	 * Locks the rows of the given items, in id order so concurrent writers never
	 * deadlock.
	 */
	Map<Long, ItemRow> lockItems(Collection<Long> itemIds) {
		Map<Long, ItemRow> rows = new HashMap<>();
		if (itemIds.isEmpty()) {
			return rows;
		}
		this.jdbc
			.sql("SELECT id, activity_id, remaining, purchase_limit, price FROM items WHERE id IN (:ids) "
					+ "ORDER BY id FOR UPDATE")
			.param("ids", new TreeSet<>(itemIds))
			.query((rs) -> {
				rows.put(rs.getLong("id"), new ItemRow(rs.getLong("id"), rs.getLong("activity_id"),
						rs.getInt("remaining"), rs.getInt("purchase_limit"), rs.getBigDecimal("price")));
			});
		return rows;
	}

	Map<String, Long> findOrderIds(List<String> tickets) {
		Map<String, Long> ids = new HashMap<>();
		if (tickets.isEmpty()) {
			return ids;
		}
		this.jdbc.sql("SELECT ticket, id FROM orders WHERE ticket IN (:tickets)")
			.param("tickets", tickets)
			.query((rs) -> {
				ids.put(rs.getString("ticket"), rs.getLong("id"));
			});
		return ids;
	}

	/**
	 * An order about to be inserted: the admitted purchase, the slot it takes, its price.
	 */
	record NewOrder(OrderStreamRecord request, int slot, BigDecimal price) {
	}

	static String slotKey(long itemId, long userId) {
		return itemId + ":" + userId;
	}

	/**
	 * The slots the given users hold in live (not cancelled) orders of the given items.
	 */
	Map<String, Set<Integer>> liveSlots(Collection<Long> itemIds, Collection<Long> userIds) {
		Map<String, Set<Integer>> slots = new HashMap<>();
		if (itemIds.isEmpty() || userIds.isEmpty()) {
			return slots;
		}
		this.jdbc
			.sql("SELECT item_id, user_id, slot FROM orders WHERE item_id IN (:items) AND user_id IN (:users) "
					+ "AND status <> 'CANCELLED'")
			.param("items", new TreeSet<>(itemIds))
			.param("users", new TreeSet<>(userIds))
			.query((rs) -> {
				slots.computeIfAbsent(slotKey(rs.getLong("item_id"), rs.getLong("user_id")), (key) -> new HashSet<>())
					.add(rs.getInt("slot"));
			});
		return slots;
	}

	/**
	 * Inserts the orders as one JDBC batch; a row whose ticket or live user slot exists
	 * is skipped.
	 */
	void insertIgnoringDuplicates(List<NewOrder> orders) {
		if (orders.isEmpty()) {
			return;
		}
		this.template.batchUpdate(this.insertOrder, new BatchPreparedStatementSetter() {
			@Override
			public void setValues(PreparedStatement statement, int i) throws SQLException {
				NewOrder order = orders.get(i);
				statement.setString(1, order.request().ticket());
				statement.setLong(2, order.request().activityId());
				statement.setLong(3, order.request().itemId());
				statement.setLong(4, order.request().userId());
				statement.setInt(5, order.slot());
				statement.setBigDecimal(6, order.price());
			}

			@Override
			public int getBatchSize() {
				return orders.size();
			}
		});
	}

	/**
	 * The merged stock update for an item: never below zero, whatever the caller
	 * believed.
	 */
	boolean takeStock(long itemId, int units) {
		return this.jdbc.sql("UPDATE items SET remaining = remaining - :units WHERE id = :id AND remaining >= :units")
			.param("units", units)
			.param("id", itemId)
			.update() == 1;
	}

	List<OrderView> findByUser(long userId, int limit) {
		return this.jdbc
			.sql("SELECT o.id, o.ticket, o.activity_id, o.item_id, o.price, o.status, o.created_at FROM orders o "
					+ "WHERE o.user_id = :user ORDER BY o.id DESC LIMIT :limit")
			.param("user", userId)
			.param("limit", limit)
			.query((rs, row) -> new OrderView(rs.getLong("id"), rs.getString("ticket"), rs.getLong("activity_id"),
					rs.getLong("item_id"), rs.getBigDecimal("price"), rs.getString("status"),
					rs.getTimestamp("created_at").toInstant()))
			.list();
	}

}
