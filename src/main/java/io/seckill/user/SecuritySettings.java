package io.seckill.user;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param tokenSecret HMAC key shared by all API nodes (at least 32 bytes); a random one
 * per process when empty, which only suits a single node
 * @param tokenTtl lifetime of an access token
 * @param passwordStrength BCrypt log rounds (10 in production; tests lower it to stay
 * fast)
 * @param bootstrapAdmin the admin account created at start when missing
 */
@ConfigurationProperties("seckill.security")
public record SecuritySettings(@DefaultValue("") String tokenSecret, @DefaultValue("30m") Duration tokenTtl,
		@DefaultValue("10") int passwordStrength, @DefaultValue BootstrapAdmin bootstrapAdmin) {

	public record BootstrapAdmin(@DefaultValue("admin") String username, @DefaultValue("") String password) {
	}

}
