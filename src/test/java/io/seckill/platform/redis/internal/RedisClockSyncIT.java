package io.seckill.platform.redis.internal;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seckill.platform.ClusterClock;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node whose own clock runs 2 s ahead still tells the time Redis decides the sale
 * windows by, and a node whose Redis is out of reach keeps its last correction.
 */
class RedisClockSyncIT extends IntegrationTest {

	@Test
	void aNodeWhoseClockRunsAheadServesRedissTime() {
		ClusterClock ahead = new ClusterClock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(2)));
		assertThat(Duration.between(Instant.now(), ahead.instant())).isGreaterThan(Duration.ofMillis(1900));

		new RedisClockSync(this.redis, ahead, new SimpleMeterRegistry()).sync();

		// Redis runs on this machine: its clock is the true one here.
		assertThat(ahead.offset()).isBetween(Duration.ofMillis(-2050), Duration.ofMillis(-1950));
		assertThat(Duration.between(Instant.now(), ahead.instant()).abs()).isLessThan(Duration.ofMillis(50));
	}

	@Test
	void aNodeWhoseRedisIsOutOfReachKeepsItsLastCorrection() throws Exception {
		ClusterClock clock = new ClusterClock(Clock.systemUTC());
		clock.correctBy(Duration.ofMillis(-1234));
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		LettuceConnectionFactory unreachable = new LettuceConnectionFactory("127.0.0.1", closedPort);
		unreachable.afterPropertiesSet();
		unreachable.start();
		try {
			new RedisClockSync(new StringRedisTemplate(unreachable), clock, new SimpleMeterRegistry()).sync();
		}
		finally {
			unreachable.destroy();
		}

		assertThat(clock.offset()).isEqualTo(Duration.ofMillis(-1234));
	}

	@Test
	void theNodeServesTheClusterClock() {
		long before = System.currentTimeMillis();
		long served = this.api.get("/api/v1/time", null).body().path("now").asLong();
		long after = System.currentTimeMillis();

		assertThat(served).isBetween(before - 50, after + 50);
	}

}
