package io.seckill.activity.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;

import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The activity's side of Redis: preloading rules and stock, reading remaining stock,
 * announcing changes.
 */
@Component
class RedisStockLedger {

	static final String WRITER_GROUP = "order-writers";

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final RedisScript<Long> preload;

	RedisStockLedger(StringRedisTemplate redis, RedisKeys keys) {
		this.redis = redis;
		this.keys = keys;
		this.preload = LuaScripts.returningLong("preload.lua");
	}

	/**
	 * Writes rules and stock (the database's remaining) to Redis and announces the change
	 * to every node.
	 */
	void publish(Activity activity) {
		long id = activity.id();
		List<String> args = new ArrayList<>();
		args.add(Long.toString(activity.startsAt().toEpochMilli()));
		args.add(Long.toString(activity.endsAt().toEpochMilli()));
		args.add(Integer.toString(activity.minLevel()));
		args.add(activity.items().stream().map((item) -> Long.toString(item.id())).collect(Collectors.joining(",")));
		args.add(activity.challenge() ? "1" : "0");
		Activity.WaitingRoom room = activity.waitingRoom();
		args.add((room != null) ? Long.toString(activity.startsAt().minus(room.opensBefore()).toEpochMilli()) : "");
		args.add((room != null) ? Integer.toString(room.admitPerSecond()) : "");
		args.add((room != null) ? Long.toString(room.passTtl().toMillis()) : "");
		args.add((room != null) ? room.seed() : "");
		for (Activity.Item item : activity.items()) {
			args.add(Long.toString(item.id()));
			args.add(Integer.toString(item.remaining()));
			args.add(Integer.toString(item.purchaseLimit()));
		}
		this.redis.execute(this.preload, List.of(this.keys.meta(id), this.keys.stock(id), this.keys.limits(id)),
				args.toArray());
		createWriterGroup(id);
		this.redis.opsForSet().add(this.keys.orderStreams(), this.keys.orders(id));
		if (room != null) {
			// The admitter's list (one worker admits every line); left at the sale's end.
			this.redis.opsForSet().add(this.keys.waitingRooms(), Long.toString(id));
		}
		else {
			this.redis.opsForSet().remove(this.keys.waitingRooms(), Long.toString(id));
		}
		this.redis.convertAndSend(this.keys.activityChangedChannel(), Long.toString(id));
	}

	private void createWriterGroup(long activityId) {
		byte[] stream = this.keys.orders(activityId).getBytes(StandardCharsets.UTF_8);
		try {
			this.redis.execute((org.springframework.data.redis.core.RedisCallback<Object>) (connection) -> connection
				.streamCommands()
				.xGroupCreate(stream, WRITER_GROUP,
						org.springframework.data.redis.connection.stream.ReadOffset.from("0"), true));
		}
		catch (RedisSystemException ex) {
			if (ex.getMessage() == null || !ex.getMessage().contains("BUSYGROUP")) {
				if (!(ex.getCause() != null && String.valueOf(ex.getCause().getMessage()).contains("BUSYGROUP"))) {
					throw ex;
				}
			}
		}
	}

	/** Whether Redis holds the activity's rules (false after Redis lost its data). */
	boolean holds(long activityId) {
		return Boolean.TRUE.equals(this.redis.hasKey(this.keys.meta(activityId)));
	}

	/** Remaining units per item as Redis sees them. */
	Map<Long, Long> remaining(long activityId) {
		Map<Long, Long> result = new HashMap<>();
		this.redis.opsForHash()
			.entries(this.keys.stock(activityId))
			.forEach((item, units) -> result.put(Long.parseLong((String) item), Long.parseLong((String) units)));
		return result;
	}

	/**
	 * Admitted purchases not yet written to the database (the writer deletes entries once
	 * written).
	 */
	long queueLength(long activityId) {
		Long length = this.redis.opsForStream().size(this.keys.orders(activityId));
		return (length != null) ? length : 0;
	}

	/**
	 * The sale's requests by kind ({@code admission}, {@code token}) and outcome, over
	 * every node, as far as the nodes have added them (once a second each).
	 */
	Map<String, Map<String, Long>> requestCounts(long activityId) {
		Map<String, Map<String, Long>> counts = new TreeMap<>();
		this.redis.opsForHash().entries(this.keys.saleCounts(activityId)).forEach((field, count) -> {
			String text = (String) field;
			int colon = text.indexOf(':');
			if (colon > 0) {
				counts.computeIfAbsent(text.substring(0, colon), (kind) -> new TreeMap<>())
					.put(text.substring(colon + 1), Long.parseLong((String) count));
			}
		});
		return counts;
	}

}
