package io.seckill.platform;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What this node does: {@code api} (shopper endpoints and the hot path), {@code worker}
 * (writes orders from the stream), {@code admin} (admin endpoints, bootstrap admin, demo
 * seed). One jar, the roles chosen per process; all three by default.
 */
@ConfigurationProperties("seckill")
public record Roles(@DefaultValue("api,worker,admin") List<String> roles) {

	public boolean api() {
		return this.roles.contains("api");
	}

	public boolean worker() {
		return this.roles.contains("worker");
	}

	public boolean admin() {
		return this.roles.contains("admin");
	}

}
