package io.seckill.order.internal;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.seckill.platform.redis.OrderStreamRecord;
import io.seckill.platform.sql.SqlDialect;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The order writer's SQL. Blocking; called inside the writer's transaction. */
@Repository
class JdbcOrders {

	private final JdbcClient jdbc;

	private final JdbcTemplate template;

	private static final String ORDER_COLUMNS = "ticket, activity_id, item_id, user_id, slot, price";

	private static final String INSERT_UNNEST = "INSERT INTO orders (" + ORDER_COLUMNS + ") "
			+ "SELECT * FROM unnest(?::varchar[], ?::bigint[], ?::bigint[], ?::bigint[], ?::int[], ?::numeric[]) "
			+ "ON CONFLICT DO NOTHING RETURNING ticket, id";

	private final SqlDialect dialect;

	JdbcOrders(JdbcClient jdbc, JdbcTemplate template, SqlDialect dialect) {
		this.jdbc = jdbc;
		this.template = template;
		this.dialect = dialect;
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
	Map<String, Set<Integer>> liveSlots(Collection<Long> activityIds, Collection<Long> itemIds,
			Collection<Long> userIds) {
		Map<String, Set<Integer>> slots = new HashMap<>();
		if (itemIds.isEmpty() || userIds.isEmpty()) {
			return slots;
		}
		// The activity lets both databases use the unique index on live slots, which
		// starts with it; by item alone they scan every order of the item.
		this.jdbc
			.sql("SELECT item_id, user_id, slot FROM orders WHERE activity_id IN (:activities) AND item_id IN (:items) "
					+ "AND user_id IN (:users) AND status <> 'CANCELLED'")
			.param("activities", new TreeSet<>(activityIds))
			.param("items", new TreeSet<>(itemIds))
			.param("users", new TreeSet<>(userIds))
			.query((rs) -> {
				slots.computeIfAbsent(slotKey(rs.getLong("item_id"), rs.getLong("user_id")), (key) -> new HashSet<>())
					.add(rs.getInt("slot"));
			});
		return slots;
	}

	/**
	 * Whether {@link #insertIgnoringDuplicates} tells the rows it inserted from those
	 * that existed (PostgreSQL's RETURNING), so callers need not look tickets up first.
	 */
	boolean insertReportsOnlyNewRows() {
		return this.dialect == SqlDialect.POSTGRESQL;
	}

	/**
	 * Inserts the orders in one statement; a row whose ticket or live user slot exists is
	 * skipped. Returns the ids of the rows inserted, by ticket.
	 */
	Map<String, Long> insertIgnoringDuplicates(List<NewOrder> orders) {
		if (orders.isEmpty()) {
			return new HashMap<>();
		}
		if (this.dialect == SqlDialect.POSTGRESQL) {
			return insertReturningIds(orders);
		}
		this.jdbc
			.sql(this.dialect.insertIgnoringDuplicates("orders", ORDER_COLUMNS,
					String.join("), (", Collections.nCopies(orders.size(), "?, ?, ?, ?, ?, ?"))))
			.params(orders.stream().flatMap(JdbcOrders::values).toList())
			.update();
		// MySQL has no RETURNING; the caller left out tickets that already had an order
		// (see insertReportsOnlyNewRows), so every ticket found here was inserted now.
		return findOrderIds(orders.stream().map((order) -> order.request().ticket()).toList());
	}

	/**
	 * PostgreSQL: one statement over arrays, the same text whatever the batch size (so it
	 * stays prepared), and the ids of the rows that went in come back with it.
	 */
	private Map<String, Long> insertReturningIds(List<NewOrder> orders) {
		int n = orders.size();
		String[] tickets = new String[n];
		Long[] activities = new Long[n];
		Long[] items = new Long[n];
		Long[] users = new Long[n];
		Integer[] slots = new Integer[n];
		BigDecimal[] prices = new BigDecimal[n];
		for (int i = 0; i < n; i++) {
			NewOrder order = orders.get(i);
			tickets[i] = order.request().ticket();
			activities[i] = order.request().activityId();
			items[i] = order.request().itemId();
			users[i] = order.request().userId();
			slots[i] = order.slot();
			prices[i] = order.price();
		}
		Map<String, Long> ids = new HashMap<>();
		this.template.query((connection) -> {
			PreparedStatement statement = connection.prepareStatement(INSERT_UNNEST);
			statement.setArray(1, connection.createArrayOf("varchar", tickets));
			statement.setArray(2, connection.createArrayOf("int8", activities));
			statement.setArray(3, connection.createArrayOf("int8", items));
			statement.setArray(4, connection.createArrayOf("int8", users));
			statement.setArray(5, connection.createArrayOf("int4", slots));
			statement.setArray(6, connection.createArrayOf("numeric", prices));
			return statement;
		}, (RowCallbackHandler) (rs) -> ids.put(rs.getString(1), rs.getLong(2)));
		return ids;
	}

	private static Stream<Object> values(NewOrder order) {
		OrderStreamRecord request = order.request();
		return Stream.of(request.ticket(), request.activityId(), request.itemId(), request.userId(), order.slot(),
				order.price());
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
