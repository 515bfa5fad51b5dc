package io.seckill.platform.redis.internal;

import java.util.Properties;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** INFO replication readings as the primary gives them, and the gauges they make. */
class RedisReplicationWatchTest {

	private final MeterRegistry meters = new SimpleMeterRegistry();

	// No Redis: the readings are handed over as INFO returns them.
	private final RedisReplicationWatch watch = new RedisReplicationWatch(null, null, this.meters);

	@Test
	void countsOnlineReplicasAndTheFurthestBehind() {
		this.watch.read(info("role", "master", "master_replid", "a1", "master_repl_offset", "5000", "connected_slaves",
				"3", "slave0", "ip=10.0.0.6,port=6379,state=online,offset=4990,lag=0", "slave1",
				"ip=10.0.0.7,port=6379,state=online,offset=3800,lag=1", "slave2",
				"ip=10.0.0.8,port=6379,state=wait_bgsave,offset=0,lag=0"));

		assertThat(gauge("seckill.redis.replicas")).isEqualTo(2);
		assertThat(gauge("seckill.redis.replication.lag")).isEqualTo(1200);
		assertThat(changes()).isZero();
	}

	@Test
	void aNewReplicationIdIsAFailover() {
		this.watch.read(info("role", "master", "master_replid", "a1", "connected_slaves", "0"));
		this.watch.read(info("role", "master", "master_replid", "a1", "connected_slaves", "0"));
		assertThat(changes()).isZero();

		this.watch.read(info("role", "master", "master_replid", "b2", "connected_slaves", "0"));

		assertThat(changes()).isOne();
		assertThat(gauge("seckill.redis.replicas")).isZero();
	}

	@Test
	void aReplicaAnsweringSaysNothingAboutThePrimary() {
		this.watch.read(info("role", "slave", "master_replid", "a1"));

		assertThat(gauge("seckill.redis.replicas")).isEqualTo(-1);
	}

	private double gauge(String name) {
		return this.meters.get(name).gauge().value();
	}

	private double changes() {
		return this.meters.get("seckill.redis.primary.changes").counter().count();
	}

	private static Properties info(String... namesAndValues) {
		Properties properties = new Properties();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			properties.setProperty(namesAndValues[i], namesAndValues[i + 1]);
		}
		return properties;
	}

}
