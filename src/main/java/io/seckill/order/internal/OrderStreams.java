package io.seckill.order.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.seckill.platform.redis.RedisKeys;

import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The order streams workers read: one per published activity (each shares its activity's
 * hash tag, so the admission script can XADD atomically). Refreshed at most once a
 * second.
 */
@Component
class OrderStreams {

	static final String GROUP = "order-writers";

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private volatile List<String> known = List.of();

	private volatile long refreshedAt;

	OrderStreams(StringRedisTemplate redis, RedisKeys keys) {
		this.redis = redis;
		this.keys = keys;
	}

	List<String> current() {
		long now = System.currentTimeMillis();
		if (now - this.refreshedAt >= 1000) {
			Set<String> members = this.redis.opsForSet().members(this.keys.orderStreams());
			List<String> streams = new ArrayList<>((members != null) ? members : Set.of());
			streams.sort(null);
			// Recreate the group when Redis lost it (restart, failover to an empty
			// replica).
			streams.forEach(this::ensureGroup);
			this.known = List.copyOf(streams);
			this.refreshedAt = now;
		}
		return this.known;
	}

	void forceRefresh() {
		this.refreshedAt = 0;
	}

	private void ensureGroup(String stream) {
		byte[] key = stream.getBytes(StandardCharsets.UTF_8);
		try {
			this.redis.execute((RedisCallback<String>) (connection) -> connection.streamCommands()
				.xGroupCreate(key, GROUP, ReadOffset.from("0"), true));
		}
		catch (RedisSystemException ex) {
			if (!String.valueOf(ex.getMostSpecificCause().getMessage()).contains("BUSYGROUP")) {
				throw ex;
			}
		}
	}

}
