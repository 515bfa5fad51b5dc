package io.seckill.support;

import java.time.Duration;
import java.util.Map;

import io.seckill.platform.redis.RedisKeys;
import io.seckill.support.Api.Activity;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Admissions written into Redis exactly as the admission script writes them (the unit and
 * the buyer's slot taken, the ticket queued, the entry added to the order stream), for a
 * user the test chooses: one the database does not have makes the writer dead-letter the
 * purchase (a foreign key), and give the unit and the slot back.
 */
public final class ScriptedAdmissions {

	private ScriptedAdmissions() {
	}

	/** Admits one unit of the sale's first item for {@code user}; the ticket. */
	public static String admit(StringRedisTemplate redis, RedisKeys keys, Activity sale, long user) {
		String hex = Long.toHexString(user);
		String ticket = sale.id() + "-" + "0".repeat(32 - hex.length()) + hex;
		String item = Long.toString(sale.item());
		redis.opsForHash().increment(keys.stock(sale.id()), item, -1);
		long slot = redis.opsForHash().increment(keys.buyers(sale.id(), sale.item()), Long.toString(user), 1);
		redis.opsForValue().set(keys.ticket(sale.id(), ticket), "Q|" + user, Duration.ofHours(1));
		redis.opsForStream()
			.add(keys.orders(sale.id()), Map.of("t", ticket, "a", Long.toString(sale.id()), "i", item, "u",
					Long.toString(user), "s", Long.toString(slot)));
		return ticket;
	}

}
