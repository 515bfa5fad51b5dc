package io.seckill.activity.internal;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

/** Activities and items in the database. Blocking. */
@Repository
class JdbcActivities {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final JdbcClient jdbc;

	JdbcActivities(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	long insert(ActivityDraft draft) {
		KeyHolder keys = new GeneratedKeyHolder();
		this.jdbc
			.sql("INSERT INTO activities (name, starts_at, ends_at, min_level, challenge, waiting_room_opens_before_s, "
					+ "waiting_room_admit_per_second, waiting_room_pass_ttl_s, waiting_room_seed) "
					+ "VALUES (:name, :starts, :ends, :level, :challenge, :opensBefore, :admitPerSecond, :passTtl, :seed)")
			.param("name", draft.name())
			.param("starts", Timestamp.from(draft.startsAt()))
			.param("ends", Timestamp.from(draft.endsAt()))
			.param("level", draft.minLevelOrDefault())
			.param("challenge", draft.challengeOrDefault())
			.params(waitingRoomParams(draft))
			.param("seed", newSeed())
			.update(keys, "id");
		long id = keys.getKey().longValue();
		draft.items().forEach((item) -> insertItem(id, item));
		return id;
	}

	void update(long id, ActivityDraft draft) {
		this.jdbc
			.sql("UPDATE activities SET name = :name, starts_at = :starts, ends_at = :ends, min_level = :level, "
					+ "challenge = :challenge, waiting_room_opens_before_s = :opensBefore, "
					+ "waiting_room_admit_per_second = :admitPerSecond, waiting_room_pass_ttl_s = :passTtl, "
					+ "waiting_room_seed = COALESCE(waiting_room_seed, :seed), updated_at = now() WHERE id = :id")
			.param("name", draft.name())
			.param("starts", Timestamp.from(draft.startsAt()))
			.param("ends", Timestamp.from(draft.endsAt()))
			.param("level", draft.minLevelOrDefault())
			.param("challenge", draft.challengeOrDefault())
			.params(waitingRoomParams(draft))
			.param("seed", newSeed())
			.param("id", id)
			.update();
		List<Long> kept = new ArrayList<>();
		for (ActivityDraft.ItemDraft item : draft.items()) {
			if (item.id() == null) {
				kept.add(insertItem(id, item));
			}
			else {
				this.jdbc.sql(
						"UPDATE items SET name = :name, price = :price, remaining = remaining + (:stock - stock), stock = :stock, "
								+ "purchase_limit = :limit WHERE id = :item AND activity_id = :activity")
					.param("name", item.name())
					.param("price", item.price())
					.param("stock", item.stock())
					.param("limit", item.limitOrDefault())
					.param("item", item.id())
					.param("activity", id)
					.update();
				kept.add(item.id());
			}
		}
		this.jdbc.sql("DELETE FROM items WHERE activity_id = :activity AND id NOT IN (:kept)")
			.param("activity", id)
			.param("kept", kept)
			.update();
	}

	private long insertItem(long activityId, ActivityDraft.ItemDraft item) {
		KeyHolder keys = new GeneratedKeyHolder();
		this.jdbc
			.sql("INSERT INTO items (activity_id, name, price, stock, remaining, purchase_limit) "
					+ "VALUES (:activity, :name, :price, :stock, :stock, :limit)")
			.param("activity", activityId)
			.param("name", item.name())
			.param("price", item.price())
			.param("stock", item.stock())
			.param("limit", item.limitOrDefault())
			.update(keys, "id");
		return keys.getKey().longValue();
	}

	void markPublished(long id) {
		this.jdbc.sql(
				"UPDATE activities SET published = TRUE, redis_keys_removed = FALSE, updated_at = now() WHERE id = :id")
			.param("id", id)
			.update();
	}

	/**
	 * Locks the activity row so concurrent admin changes of one activity run one after
	 * the other.
	 */
	Optional<Activity> findForUpdate(long id) {
		return this.jdbc.sql("SELECT id FROM activities WHERE id = :id FOR UPDATE")
			.param("id", id)
			.query(Long.class)
			.optional()
			.flatMap(this::find);
	}

	Optional<Activity> find(long id) {
		return findWhere("a.id = :id", Map.of("id", id)).stream().findFirst();
	}

	List<Activity> findAll(boolean publishedOnly) {
		return findWhere(publishedOnly ? "a.published" : "TRUE", Map.of());
	}

	/**
	 * Live (not cancelled) orders per item. Reads the order module's table, read-only:
	 * stock is this module's, and "sold" is what the stats compare it with.
	 */
	Map<Long, Long> liveOrdersByItem(long activityId) {
		Map<Long, Long> counts = new java.util.HashMap<>();
		this.jdbc
			.sql("SELECT item_id, count(*) AS n FROM orders WHERE activity_id = :activity AND status <> 'CANCELLED' "
					+ "GROUP BY item_id")
			.param("activity", activityId)
			.query((rs) -> {
				counts.put(rs.getLong("item_id"), rs.getLong("n"));
			});
		return counts;
	}

	void addStock(long itemId, int units) {
		this.jdbc.sql("UPDATE items SET stock = stock + :units, remaining = remaining + :units WHERE id = :item")
			.param("units", units)
			.param("item", itemId)
			.update();
	}

	/**
	 * Published activities that ended before {@code endedBefore} and still have Redis
	 * keys.
	 */
	List<Activity> findEndedWithRedisKeys(java.time.Instant endedBefore) {
		return findWhere("a.published AND NOT a.redis_keys_removed AND a.ends_at < :before",
				Map.of("before", java.sql.Timestamp.from(endedBefore)));
	}

	void markRedisKeysRemoved(long id) {
		this.jdbc.sql("UPDATE activities SET redis_keys_removed = TRUE WHERE id = :id").param("id", id).update();
	}

	/**
	 * Published activities that are running, upcoming or ended less than {@code grace}
	 * ago.
	 */
	List<Activity> findReconcilable(java.time.Instant endedAfter) {
		return findWhere("a.published AND a.ends_at > :after", Map.of("after", java.sql.Timestamp.from(endedAfter)));
	}

	boolean hasOrders(long activityId) {
		return this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM orders WHERE activity_id = :id)")
			.param("id", activityId)
			.query(Boolean.class)
			.single();
	}

	long countActivities() {
		return this.jdbc.sql("SELECT count(*) FROM activities").query(Long.class).single();
	}

	private static Map<String, Object> waitingRoomParams(ActivityDraft draft) {
		ActivityDraft.WaitingRoomDraft room = draft.waitingRoom();
		Map<String, Object> params = new HashMap<>();
		params.put("opensBefore", (room != null) ? (int) room.opensBefore().toSeconds() : null);
		params.put("admitPerSecond", (room != null) ? room.admitPerSecond() : null);
		params.put("passTtl", (room != null) ? (int) room.passTtl().toSeconds() : null);
		return params;
	}

	/** 32 random bytes, hex: the draw of a waiting room's early arrivals. */
	private static String newSeed() {
		byte[] seed = new byte[32];
		RANDOM.nextBytes(seed);
		return HexFormat.of().formatHex(seed);
	}

	private static Activity.WaitingRoom waitingRoom(java.sql.ResultSet rs) throws java.sql.SQLException {
		int admitPerSecond = rs.getInt("waiting_room_admit_per_second");
		if (rs.wasNull()) {
			return null;
		}
		return new Activity.WaitingRoom(Duration.ofSeconds(rs.getInt("waiting_room_opens_before_s")), admitPerSecond,
				Duration.ofSeconds(rs.getInt("waiting_room_pass_ttl_s")), rs.getString("waiting_room_seed"));
	}

	private List<Activity> findWhere(String condition, Map<String, ?> params) {
		Map<Long, Activity> byId = new LinkedHashMap<>();
		Map<Long, List<Activity.Item>> items = new LinkedHashMap<>();
		this.jdbc
			.sql("SELECT a.id, a.name, a.starts_at, a.ends_at, a.min_level, a.published, a.challenge, "
					+ "a.waiting_room_opens_before_s, a.waiting_room_admit_per_second, a.waiting_room_pass_ttl_s, "
					+ "a.waiting_room_seed, i.id AS item_id, "
					+ "i.name AS item_name, i.price, i.stock, i.remaining, i.purchase_limit "
					+ "FROM activities a LEFT JOIN items i ON i.activity_id = a.id WHERE " + condition
					+ " ORDER BY a.starts_at DESC, a.id DESC, i.id")
			.params(params)
			.query((rs) -> {
				long id = rs.getLong("id");
				byId.computeIfAbsent(id, (key) -> {
					try {
						return new Activity(id, rs.getString("name"), rs.getTimestamp("starts_at").toInstant(),
								rs.getTimestamp("ends_at").toInstant(), rs.getInt("min_level"),
								rs.getBoolean("published"), List.of(), rs.getBoolean("challenge"), waitingRoom(rs));
					}
					catch (java.sql.SQLException ex) {
						throw new IllegalStateException(ex);
					}
				});
				List<Activity.Item> list = items.computeIfAbsent(id, (key) -> new ArrayList<>());
				long itemId = rs.getLong("item_id");
				if (!rs.wasNull()) {
					list.add(new Activity.Item(itemId, rs.getString("item_name"), rs.getBigDecimal("price"),
							rs.getInt("stock"), rs.getInt("remaining"), rs.getInt("purchase_limit")));
				}
			});
		List<Activity> result = new ArrayList<>(byId.size());
		byId.forEach((id,
				activity) -> result.add(new Activity(id, activity.name(), activity.startsAt(), activity.endsAt(),
						activity.minLevel(), activity.published(), List.copyOf(items.get(id)), activity.challenge(),
						activity.waitingRoom())));
		return result;
	}

}
