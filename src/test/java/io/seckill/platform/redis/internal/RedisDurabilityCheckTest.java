package io.seckill.platform.redis.internal;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis Cluster answers CONFIG GET from every node, each setting named after its node:
 * the settings count at their weakest.
 */
class RedisDurabilityCheckTest {

	@Test
	void aStandaloneRedisSettingsAreTakenAsTheyAre() {
		Properties config = properties("appendonly", "yes", "appendfsync", "always", "min-replicas-to-write", "1");

		assertThat(RedisDurabilityCheck.weakest(config)).isEqualTo(config);
	}

	@Test
	void onAClusterTheWeakestNodeDecides() {
		Properties config = properties("10.0.0.1:6379.appendonly", "yes", "10.0.0.2:6379.appendonly", "no",
				"10.0.0.1:6379.appendfsync", "always", "10.0.0.2:6379.appendfsync", "everysec",
				"10.0.0.1:6379.min-replicas-to-write", "1", "10.0.0.2:6379.min-replicas-to-write", "0");

		assertThat(RedisDurabilityCheck.weakest(config))
			.isEqualTo(properties("appendonly", "no", "appendfsync", "everysec", "min-replicas-to-write", "0"));
	}

	@Test
	void fsyncingNeverIsWeakerThanEverySecond() {
		Properties config = properties("a:1.appendfsync", "everysec", "b:2.appendfsync", "no", "c:3.appendfsync",
				"always");

		assertThat(RedisDurabilityCheck.weakest(config)).isEqualTo(properties("appendfsync", "no"));
	}

	@Test
	void aClusterOfEquallyStrongNodesStaysStrong() {
		Properties config = properties("a:1.appendonly", "yes", "b:2.appendonly", "yes", "a:1.appendfsync", "always",
				"b:2.appendfsync", "always");

		assertThat(RedisDurabilityCheck.weakest(config))
			.isEqualTo(properties("appendonly", "yes", "appendfsync", "always"));
	}

	private static Properties properties(String... namesAndValues) {
		Properties properties = new Properties();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			properties.setProperty(namesAndValues[i], namesAndValues[i + 1]);
		}
		return properties;
	}

}
