package io.seckill.platform.embedded;

import java.security.SecureRandom;
import java.util.Base64;

import io.seckill.platform.DeploymentMode;
import io.seckill.platform.RefusedSetting;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which mode a node starts in from what is configured (the demo's branch starts embedded
 * servers, so it is covered by the tests that run the demo, not here).
 */
class DeploymentEnvironmentTest {

	private final DeploymentEnvironment environment = new DeploymentEnvironment();

	@Test
	void redisAndADatabaseMeanProduction() {
		MockEnvironment settings = new MockEnvironment().withProperty("spring.data.redis.url", "redis://10.0.0.1:6379")
			.withProperty("spring.datasource.url", "jdbc:postgresql://10.0.0.2/seckill")
			.withProperty("seckill.security.token-secret", randomSecret());
		this.environment.postProcessEnvironment(settings, new SpringApplication());
		assertThat(settings.getProperty(DeploymentMode.PROPERTY)).isEqualTo(DeploymentMode.PRODUCTION.name());
	}

	@Test
	void oneOfThemAloneIsRefused() {
		MockEnvironment settings = new MockEnvironment().withProperty("spring.data.redis.url", "redis://10.0.0.1:6379");
		assertThatExceptionOfType(RefusedSetting.class)
			.isThrownBy(() -> this.environment.postProcessEnvironment(settings, new SpringApplication()))
			.withMessageContaining("spring.datasource.url");
	}

	@Test
	void nothingConfiguredWithoutEmbeddedServersIsRefusedNotLeftToFailLater() {
		// The image's setting: a container started with no settings says what is missing.
		MockEnvironment settings = new MockEnvironment().withProperty("seckill.embedded", "absent");
		assertThatExceptionOfType(RefusedSetting.class)
			.isThrownBy(() -> this.environment.postProcessEnvironment(settings, new SpringApplication()))
			.withMessageStartingWith("Refused setting seckill.embedded (SECKILL_EMBEDDED): is absent "
					+ "(no embedded servers here), but neither Redis nor a database is configured");
		assertThat(settings.getProperty(DeploymentMode.PROPERTY)).isNull();
	}

	private static String randomSecret() {
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		return Base64.getEncoder().encodeToString(random);
	}

}
