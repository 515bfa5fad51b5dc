package io.seckill.support;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.seckill.platform.redis.RedisKeys;

/**
 * Base of the integration tests: the whole application on a random port (and a random
 * management port), against real Redis and PostgreSQL (see {@link TestServers}), with a
 * database and key prefix of its own per test class. Both servers are configured, so the
 * node runs as in production: random secrets and admin password of this JVM, no demo. The
 * login limit and the hashing queue are raised, and the sign-up challenge is off, for
 * tests that sign up thousands of shoppers; their own tests set them back. Pools stay
 * small: Spring keeps every test context open, and the machine's PostgreSQL takes 100
 * connections in all.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "seckill.embedded=never", "seckill.demo.enabled=false", "seckill.security.password-strength=4",
				"seckill.security.bootstrap-admin.username=root-admin", "management.server.port=0",
				"seckill.security.login.rate-limit=100000", "seckill.security.hashing.queue=100000",
				"seckill.security.registration.challenge=never", "seckill.purchase.rate-limit=1000",
				"seckill.purchase-token.rate-limit=1000", "seckill.worker.claim-after=2s",
				"seckill.worker.claim-interval=500ms", "seckill.security.rules-guard-interval=500ms",
				"seckill.orders.reconcile-interval=1h", "spring.data.redis.timeout=10s",
				"spring.datasource.hikari.maximum-pool-size=6", "spring.datasource.hikari.minimum-idle=2",
				"spring.datasource.hikari.idle-timeout=10000" })
@ExtendWith(ApiContract.Check.class)
public abstract class IntegrationTest {

	@LocalServerPort
	protected int port;

	@LocalManagementPort
	protected int managementPort;

	@Autowired
	protected JdbcTemplate jdbc;

	@Autowired
	protected StringRedisTemplate redis;

	@Autowired
	protected RedisKeys keys;

	protected Api api;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		String database = TestServers.newDatabase();
		String prefix = TestServers.newKeyPrefix();
		registry.add("spring.datasource.url", () -> database);
		registry.add("spring.data.redis.url", TestServers::redisUrl);
		registry.add("seckill.redis.key-prefix", () -> prefix);
		registry.add("seckill.security.token-secret", TestServers::tokenSecret);
		registry.add("seckill.security.bootstrap-admin.password", TestServers::adminPassword);
	}

	@BeforeEach
	void connectClient() {
		this.api = new Api("http://127.0.0.1:" + this.port);
	}

}
