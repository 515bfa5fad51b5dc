package io.seckill.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.seckill.SeckillApplication;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * A second API node in the test's JVM, on the same Redis, database, key prefix and
 * secrets as the test's own node: what two nodes of a cluster share.
 */
public final class SecondNode implements AutoCloseable {

	private static final List<String> SHARED = List.of("spring.datasource.url", "spring.data.redis.url",
			"spring.data.redis.cluster.nodes", "spring.data.redis.timeout", "seckill.redis.key-prefix",
			"seckill.embedded", "seckill.security.token-secret", "seckill.security.password-strength",
			"seckill.security.login.rate-limit", "seckill.security.login.ip-rate-limit",
			"seckill.security.login.rate-window", "seckill.security.hashing.queue", "seckill.purchase-token.rate-limit",
			"seckill.purchase-token.ip-rate-limit", "seckill.purchase-token.rate-window",
			"seckill.purchase.ip-rate-limit", "seckill.purchase.rate-limit", "seckill.purchase.rate-window",
			"seckill.security.bootstrap-admin.username", "seckill.security.bootstrap-admin.password",
			"seckill.security.registration.challenge");

	private final ConfigurableApplicationContext context;

	private SecondNode(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/**
	 * Starts an api-only node sharing {@code first}'s settings, with {@code overrides} on
	 * top.
	 */
	public static SecondNode start(Environment first, Map<String, String> overrides) {
		Map<String, String> properties = new HashMap<>();
		for (String name : SHARED) {
			String value = first.getProperty(name);
			if (value != null) {
				properties.put(name, value);
			}
		}
		properties.put("seckill.roles", "api");
		properties.put("seckill.demo.enabled", "false");
		properties.put("server.port", "0");
		properties.put("management.server.port", "0");
		properties.put("spring.datasource.hikari.maximum-pool-size", "3");
		properties.put("spring.datasource.hikari.minimum-idle", "1");
		properties.putAll(overrides);
		// As arguments: builder properties are defaults, below application.yml.
		return new SecondNode(
				new SpringApplicationBuilder(SeckillApplication.class).initializers(SecondNode::ownReactorResources)
					.run(properties.entrySet()
						.stream()
						.map((property) -> "--" + property.getKey() + "=" + property.getValue())
						.toArray(String[]::new)));
	}

	/**
	 * Reactor Netty's global resources (event loops, connection pool) are shared by every
	 * context in the JVM, and a context that uses them disposes them when it closes: this
	 * node's close then took down the test contexts' management servers, cached for the
	 * classes that ran after it. The test contexts keep their own (Spring Boot's test
	 * support does that); so does this node.
	 */
	private static void ownReactorResources(ConfigurableApplicationContext context) {
		context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String name) {
				if (bean instanceof ReactorResourceFactory resources) {
					resources.setUseGlobalResources(false);
				}
				return bean;
			}
		});
	}

	/** One of the node's beans (its meters, say). */
	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	public Api api() {
		return new Api("http://127.0.0.1:" + ((WebServerApplicationContext) this.context).getWebServer().getPort());
	}

	@Override
	public void close() {
		this.context.close();
	}

}
