package io.seckill.platform.redis.internal;

import java.util.Properties;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Says at start whether Redis can lose admitted purchases. Between the 202 QUEUED answer
 * and the database commit a purchase lives only in Redis. Two set-ups keep it
 * (docs/design.md, "Redis durability"; docs/operations.md says the same): replicas that
 * acknowledge each batch before it is answered ({@code seckill.purchase.replica-acks} ≥
 * 1, with {@code min-replicas-to-write} on the primaries), or one Redis whose append-only
 * file is fsynced on every write ({@code appendfsync always}).
 */
@Component
class RedisDurabilityCheck implements ApplicationRunner {

	private static final Log log = LogFactory.getLog(RedisDurabilityCheck.class);

	private final StringRedisTemplate redis;

	private final int replicaAcks;

	RedisDurabilityCheck(StringRedisTemplate redis, Environment environment) {
		this.redis = redis;
		this.replicaAcks = environment.getProperty("seckill.purchase.replica-acks", Integer.class, 0);
	}

	@Override
	public void run(ApplicationArguments args) {
		try {
			Properties config = this.redis.execute((RedisCallback<Properties>) (connection) -> {
				Properties found = new Properties();
				found.putAll(connection.serverCommands().getConfig("append*"));
				found.putAll(connection.serverCommands().getConfig("min-replicas-to-write"));
				return found;
			});
			log.info(verdict(weakest(config)));
		}
		catch (RuntimeException ex) {
			// Managed Redis services often forbid CONFIG; nothing to conclude then.
			log.info("Could not read the Redis persistence settings: " + ex.getMessage());
		}
	}

	/**
	 * On a Redis Cluster every primary answers, each setting's name prefixed with the
	 * node ({@code 10.0.0.5:6379.appendonly}; setting names hold no dot): the purchases
	 * of a sale are as safe as the node that holds them, so each setting counts at its
	 * weakest across the nodes.
	 */
	static Properties weakest(Properties config) {
		Properties weakest = new Properties();
		for (String key : config.stringPropertyNames()) {
			String name = key.substring(key.lastIndexOf('.') + 1);
			String value = config.getProperty(key);
			String before = weakest.getProperty(name);
			weakest.setProperty(name, (before == null) ? value : weaker(name, before, value));
		}
		return weakest;
	}

	private static String weaker(String name, String one, String other) {
		return switch (name) {
			case "appendonly" -> "yes".equals(one) ? other : one;
			case "appendfsync" -> (fsyncRank(one) <= fsyncRank(other)) ? one : other;
			case "min-replicas-to-write" -> (Integer.parseInt(one) <= Integer.parseInt(other)) ? one : other;
			default -> one;
		};
	}

	/** How much an appendfsync setting keeps: always, then everysec, then no. */
	private static int fsyncRank(String value) {
		return switch (value) {
			case "always" -> 2;
			case "everysec" -> 1;
			default -> 0;
		};
	}

	private String verdict(Properties config) {
		if (this.replicaAcks > 0) {
			int minReplicas = Integer.parseInt(config.getProperty("min-replicas-to-write", "0"));
			if (minReplicas < this.replicaAcks) {
				log.warn("Purchases wait for " + this.replicaAcks + " replica acknowledgement(s), but the primary's "
						+ "min-replicas-to-write is " + minReplicas + ": a primary cut off from its replicas keeps "
						+ "taking writes (tokens, limits) until it is demoted. Set min-replicas-to-write "
						+ this.replicaAcks + " on every Redis that may become primary.");
			}
			return "Purchases are answered QUEUED once " + this.replicaAcks
					+ " Redis replica(s) acknowledged their batch (seckill.purchase.replica-acks).";
		}
		if (!"yes".equals(config.getProperty("appendonly"))) {
			log.warn("Redis runs without an append-only file and purchases do not wait for replicas: a Redis crash "
					+ "or failover loses purchases admitted but not yet written to the database. Use "
					+ "seckill.purchase.replica-acks with replicas, or appendonly yes with appendfsync always.");
		}
		else if (!"always".equals(config.getProperty("appendfsync"))) {
			log.warn("Redis fsyncs its append-only file '" + config.getProperty("appendfsync") + "' and purchases do "
					+ "not wait for replicas: a Redis crash can lose the last admitted purchases. Use "
					+ "seckill.purchase.replica-acks with replicas, or appendfsync always.");
		}
		return "Redis durability: appendonly " + config.getProperty("appendonly") + ", appendfsync "
				+ config.getProperty("appendfsync") + ", no replica acknowledgements.";
	}

}
