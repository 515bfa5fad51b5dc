package io.seckill.platform.redis.internal;

import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisClusterNode.Flag;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Watches the Redis primary's replication for the alerts (deploy/prometheus): how many
 * replicas are in sync ({@code seckill.redis.replicas}), how far the furthest behind lags
 * in bytes of the replication stream ({@code seckill.redis.replication.lag}), and each
 * failover seen, a new primary with a new replication id
 * ({@code seckill.redis.primary.changes}). Read from {@code INFO replication} every
 * {@code seckill.redis.replication-check-interval} (5 s).
 * <p>
 * On a Redis Cluster every primary is read, and the gauges are per shard, tagged
 * {@code shard} with the lowest slot the shard serves: that stays when a replica is
 * promoted in its primary's place, so a new replication id under the same tag is a
 * failover. A shard whose primary cannot be read (failing, or failed and not yet
 * replaced) reads -1.
 */
@Component
class RedisReplicationWatch {

	private static final Log log = LogFactory.getLog(RedisReplicationWatch.class);

	private final StringRedisTemplate redis;

	private final boolean cluster;

	private final MeterRegistry meters;

	private final Counter primaryChanges;

	/** One Redis's (or, on a cluster, each shard's) readings, by shard tag. */
	private final Map<String, Replication> shards = new ConcurrentHashMap<>();

	RedisReplicationWatch(StringRedisTemplate redis, RedisConnectionFactory connections, MeterRegistry meters) {
		this.redis = redis;
		this.cluster = connections instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware();
		this.meters = meters;
		this.primaryChanges = Counter.builder("seckill.redis.primary.changes")
			.description("Redis primaries seen replaced (a new replication id: a failover)")
			.register(meters);
		if (!this.cluster) {
			shard(null);
		}
	}

	@Scheduled(fixedDelayString = "${seckill.redis.replication-check-interval:5s}")
	void check() {
		if (this.cluster) {
			checkShards();
			return;
		}
		try {
			Properties info = this.redis
				.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info("replication"));
			read((info != null) ? info : new Properties());
		}
		catch (RuntimeException ex) {
			// INFO may be refused (a managed Redis) or Redis out of reach: say "unknown".
			shard(null).unknown();
			log.debug("Could not read Redis replication: " + ex);
		}
	}

	/** Takes one INFO replication reading of the (one) Redis. */
	void read(Properties info) {
		shard(null).read(info);
	}

	private void checkShards() {
		try {
			this.redis.execute((RedisCallback<Void>) (connection) -> {
				RedisClusterConnection clusterConnection = (RedisClusterConnection) connection;
				Set<String> seen = new HashSet<>();
				for (RedisClusterNode node : clusterConnection.clusterGetNodes()) {
					int[] slots = node.getSlotRange().getSlotsArray();
					if (!node.isMaster() || slots.length == 0) {
						continue;
					}
					String tag = Integer.toString(lowest(slots));
					seen.add(tag);
					Replication shard = shard(tag);
					Set<Flag> flags = node.getFlags();
					if (flags.contains(Flag.FAIL) || flags.contains(Flag.PFAIL)) {
						shard.unknown();
						continue;
					}
					try {
						Properties info = clusterConnection.serverCommands().info(node, "replication");
						shard.read((info != null) ? info : new Properties());
					}
					catch (RuntimeException ex) {
						shard.unknown();
						log.debug("Could not read the replication of Redis " + node + ": " + ex);
					}
				}
				// A shard resharded away or removed: its last reading is no longer true.
				this.shards.forEach((tag, shard) -> {
					if (!seen.contains(tag)) {
						shard.unknown();
					}
				});
				return null;
			});
		}
		catch (RuntimeException ex) {
			this.shards.values().forEach(Replication::unknown);
			log.debug("Could not read the Redis Cluster's nodes: " + ex);
		}
	}

	private static int lowest(int[] slots) {
		int lowest = Integer.MAX_VALUE;
		for (int slot : slots) {
			lowest = Math.min(lowest, slot);
		}
		return lowest;
	}

	private Replication shard(String tag) {
		return this.shards.computeIfAbsent((tag != null) ? tag : "", (key) -> new Replication(tag));
	}

	/** The readings of one primary (one shard on a cluster). */
	private final class Replication {

		private final AtomicLong replicas = new AtomicLong(-1);

		private final AtomicLong lagBytes = new AtomicLong();

		private final String name;

		private volatile String replicationId;

		Replication(String shard) {
			Tags tags = (shard != null) ? Tags.of("shard", shard) : Tags.empty();
			this.name = (shard != null) ? "shard " + shard : "Redis";
			Gauge.builder("seckill.redis.replicas", this.replicas, AtomicLong::get)
				.description("Replicas of the Redis primary in sync (online); -1 until read or when it cannot be read")
				.tags(tags)
				.register(RedisReplicationWatch.this.meters);
			Gauge.builder("seckill.redis.replication.lag", this.lagBytes, AtomicLong::get)
				.description("How far the furthest-behind online replica lags the primary's replication stream")
				.baseUnit("bytes")
				.tags(tags)
				.register(RedisReplicationWatch.this.meters);
		}

		void unknown() {
			this.replicas.set(-1);
		}

		void read(Properties info) {
			if (!"master".equals(info.getProperty("role"))) {
				this.replicas.set(-1);
				return;
			}
			String id = info.getProperty("master_replid");
			if (id != null) {
				String before = this.replicationId;
				this.replicationId = id;
				if (before != null && !before.equals(id)) {
					RedisReplicationWatch.this.primaryChanges.increment();
					log.warn("The Redis primary of " + this.name + " changed (replication id " + before + " -> " + id
							+ "): a failover");
				}
			}
			long offset = parse(info.getProperty("master_repl_offset"), 0);
			long online = 0;
			long lag = 0;
			int count = (int) parse(info.getProperty("connected_slaves"), 0);
			for (int i = 0; i < count; i++) {
				// slave0:ip=10.0.0.6,port=6379,state=online,offset=4321,lag=0
				String replica = info.getProperty("slave" + i, "");
				if (!replica.contains("state=online")) {
					continue;
				}
				online++;
				lag = Math.max(lag, Math.max(0, offset - parse(field(replica, "offset"), offset)));
			}
			this.replicas.set(online);
			this.lagBytes.set(lag);
		}

	}

	private static String field(String line, String name) {
		for (String part : line.split(",")) {
			if (part.startsWith(name + "=")) {
				return part.substring(name.length() + 1);
			}
		}
		return null;
	}

	private static long parse(String value, long otherwise) {
		try {
			return (value != null) ? Long.parseLong(value.trim()) : otherwise;
		}
		catch (NumberFormatException ex) {
			return otherwise;
		}
	}

}
