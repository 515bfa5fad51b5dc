package io.seckill.order.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.lettuce.core.cluster.SlotHash;
import io.seckill.platform.redis.RedisKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The order streams workers read: one per published activity (each shares its activity's
 * hash tag, so the admission script can XADD atomically). The list is refreshed at most
 * once a second; the consumer group is created for streams not seen before (and again
 * after a failure, as Redis may have lost it); streams of activities that ended a while
 * ago and hold nothing are dropped.
 * <p>
 * On a Redis Cluster the streams of different activities sit in different slots, and one
 * read over keys of several slots is refused ({@code CROSSSLOT}), so reads are grouped by
 * slot there ({@link #readGroups}).
 */
@Component
class OrderStreams {

	static final String GROUP = "order-writers";

	private static final Log log = LogFactory.getLog(OrderStreams.class);

	private static final long PRUNE_EVERY_MILLIS = 60_000;

	private static final long KEEP_AFTER_END_MILLIS = 10 * 60_000;

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private volatile List<String> known = List.of();

	private final Set<String> grouped = new HashSet<>();

	private volatile long refreshedAt;

	private long prunedAt;

	private final boolean cluster;

	OrderStreams(StringRedisTemplate redis, RedisKeys keys, RedisConnectionFactory connections) {
		this.redis = redis;
		this.keys = keys;
		this.cluster = connections instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware();
	}

	/**
	 * The streams one read may take together: all of them on a standalone or Sentinel
	 * Redis, the streams of one slot each on a cluster.
	 */
	List<List<String>> readGroups(List<String> streams) {
		if (!this.cluster || streams.size() < 2) {
			return List.of(streams);
		}
		Map<Integer, List<String>> bySlot = new TreeMap<>();
		streams.forEach(
				(stream) -> bySlot.computeIfAbsent(SlotHash.getSlot(stream), (slot) -> new ArrayList<>()).add(stream));
		return List.copyOf(bySlot.values());
	}

	/**
	 * Runs one stream's share of a round. On a cluster a failing shard (down, or failing
	 * over) is logged and skipped, so it holds up only its own streams; on one Redis a
	 * failure stops the round.
	 */
	void onItsShard(String stream, Runnable work) {
		if (!this.cluster) {
			work.run();
			return;
		}
		try {
			work.run();
		}
		catch (RuntimeException ex) {
			log.warn("Skipped " + stream + " this round, its Redis shard failed: " + ex);
		}
	}

	synchronized List<String> current() {
		long now = System.currentTimeMillis();
		if (now - this.refreshedAt >= 1000) {
			Set<String> members = this.redis.opsForSet().members(this.keys.orderStreams());
			List<String> streams = new ArrayList<>((members != null) ? members : Set.of());
			streams.sort(null);
			// A stream whose group cannot be made now (its cluster shard is down) is left
			// out until a later refresh: the others are read meanwhile.
			streams.removeIf((stream) -> this.grouped.add(stream) && !ensureGroup(stream));
			if (now - this.prunedAt >= PRUNE_EVERY_MILLIS) {
				this.prunedAt = now;
				streams.removeIf((stream) -> pruneIfFinished(stream, now));
			}
			this.known = List.copyOf(streams);
			this.refreshedAt = now;
		}
		return this.known;
	}

	/**
	 * After a failure: refresh on the next call and recreate groups (Redis may have lost
	 * them).
	 */
	synchronized void forceRefresh() {
		this.refreshedAt = 0;
		this.grouped.clear();
	}

	private boolean pruneIfFinished(String stream, long now) {
		long activityId = this.keys.activityOfOrders(stream);
		if (activityId < 0) {
			return false;
		}
		Object end = this.redis.opsForHash().get(this.keys.meta(activityId), "end");
		boolean over = (end == null) || Long.parseLong((String) end) + KEEP_AFTER_END_MILLIS < now;
		Long length = this.redis.opsForStream().size(stream);
		if (!over || (length != null && length > 0)) {
			return false;
		}
		this.redis.opsForSet().remove(this.keys.orderStreams(), stream);
		// A dead letter replayed between the length check and the removal put an entry in
		// the stream and the stream back in the set, maybe before the removal: looked at
		// again, it is kept.
		Long after = this.redis.opsForStream().size(stream);
		if (after != null && after > 0) {
			this.redis.opsForSet().add(this.keys.orderStreams(), stream);
			return false;
		}
		this.grouped.remove(stream);
		log.info("Stopped reading " + stream + ": its sale is over and every purchase is written");
		return true;
	}

	/**
	 * Creates the stream's group unless it exists; false when Redis could not be asked.
	 */
	private boolean ensureGroup(String stream) {
		byte[] key = stream.getBytes(StandardCharsets.UTF_8);
		try {
			this.redis.execute((RedisCallback<String>) (connection) -> connection.streamCommands()
				.xGroupCreate(key, GROUP, ReadOffset.from("0"), true));
			return true;
		}
		catch (RuntimeException ex) {
			Throwable cause = (ex instanceof RedisSystemException redis) ? redis.getMostSpecificCause() : ex;
			if (String.valueOf(cause.getMessage()).contains("BUSYGROUP")) {
				return true;
			}
			this.grouped.remove(stream);
			if (!this.cluster) {
				throw ex;
			}
			log.warn("Not reading " + stream + " for now: its group could not be made: " + cause);
			return false;
		}
	}

	/** Whether the streams live on several shards, each of which may fail alone. */
	boolean cluster() {
		return this.cluster;
	}

}
