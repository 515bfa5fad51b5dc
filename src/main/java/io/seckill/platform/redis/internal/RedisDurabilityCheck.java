package io.seckill.platform.redis.internal;

import java.util.Properties;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Says at start whether Redis can lose admitted purchases. Between the 202 QUEUED answer
 * and the database commit a purchase lives only in Redis; without an append-only file
 * fsynced on every write, a Redis crash in that window loses it (docs/design.md, "Redis
 * durability").
 */
@Component
class RedisDurabilityCheck implements ApplicationRunner {

	private static final Log log = LogFactory.getLog(RedisDurabilityCheck.class);

	private final StringRedisTemplate redis;

	RedisDurabilityCheck(StringRedisTemplate redis) {
		this.redis = redis;
	}

	@Override
	public void run(ApplicationArguments args) {
		try {
			Properties config = this.redis
				.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().getConfig("append*"));
			String appendOnly = (config != null) ? config.getProperty("appendonly") : null;
			String fsync = (config != null) ? config.getProperty("appendfsync") : null;
			if (!"yes".equals(appendOnly)) {
				log.warn("Redis runs without an append-only file: a Redis crash loses purchases admitted but not "
						+ "yet written to the database. Use appendonly yes, appendfsync always for production.");
			}
			else if (!"always".equals(fsync)) {
				log.warn("Redis fsyncs its append-only file '" + fsync + "': a Redis crash can lose the last "
						+ "admitted purchases. appendfsync always closes that window.");
			}
		}
		catch (RuntimeException ex) {
			// Managed Redis services often forbid CONFIG; nothing to conclude then.
			log.info("Could not read the Redis persistence settings: " + ex.getMessage());
		}
	}

}
