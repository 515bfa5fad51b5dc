package io.seckill.platform.embedded;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Points the application at embedded servers when no real ones are configured, so that
 * the demo and the test suite run on a machine with nothing installed.
 * {@code seckill.embedded=never} turns it off; setting {@code SPRING_DATA_REDIS_URL} /
 * {@code SPRING_DATASOURCE_URL} (or host properties) replaces the matching embedded
 * server.
 */
public class EmbeddedServersEnvironment implements EnvironmentPostProcessor {

	static final String MODE = "seckill.embedded";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if ("never".equalsIgnoreCase(environment.getProperty(MODE, "auto"))) {
			return;
		}
		Map<String, Object> properties = new HashMap<>();
		if (!environment.containsProperty("spring.data.redis.url")
				&& !environment.containsProperty("spring.data.redis.host")
				&& !environment.containsProperty("spring.data.redis.sentinel.master")) {
			properties.put("spring.data.redis.url", EmbeddedServers.redisUrl());
		}
		if (!environment.containsProperty("spring.datasource.url")) {
			properties.put("spring.datasource.url", EmbeddedServers.postgresAdminUrl());
		}
		if (!properties.isEmpty()) {
			environment.getPropertySources().addLast(new MapPropertySource("seckillEmbeddedServers", properties));
		}
	}

}
