package io.seckill.support;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.seckill.platform.redis.RedisKeys;

import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Everything a request could change: the accounts, activities, items and orders in the
 * database and every Redis key of the test's prefix. Two equal snapshots around a refused
 * request prove it changed nothing. Rate-limit counters and the sales' request counts are
 * left out: they count refused requests too, by design (windows of earlier requests
 * expire, and nodes add their counts once a second, between two snapshots).
 */
public final class StateSnapshot {

	private StateSnapshot() {
	}

	public static List<Object> of(JdbcTemplate jdbc, StringRedisTemplate redis, RedisKeys keys) {
		return List.of(
				jdbc.queryForList(
						"SELECT id, username, role, level, blacklisted, token_version FROM users ORDER BY id"),
				jdbc.queryForList("SELECT * FROM activities ORDER BY id"),
				jdbc.queryForList("SELECT * FROM items ORDER BY id"),
				jdbc.queryForList("SELECT id, status FROM orders ORDER BY id"), redisContents(redis, keys));
	}

	private static Map<String, Object> redisContents(StringRedisTemplate redis, RedisKeys keys) {
		Map<String, Object> contents = new TreeMap<>();
		for (String key : redis.keys(keys.keyPrefix() + "*")) {
			if (key.contains(":rate:") || key.contains(":rate-ip:") || key.contains(":token-rate:")
					|| key.contains(":token-rate-ip:") || key.contains("{accounts}") || key.endsWith("}:counts")) {
				continue;
			}
			DataType type = redis.type(key);
			if (type == DataType.STRING) {
				contents.put(key, redis.opsForValue().get(key));
			}
			else if (type == DataType.HASH) {
				contents.put(key, new TreeMap<>(redis.opsForHash().entries(key)));
			}
			else if (type == DataType.STREAM) {
				contents.put(key, redis.opsForStream().size(key));
			}
			else {
				contents.put(key, type.code());
			}
		}
		return contents;
	}

}
