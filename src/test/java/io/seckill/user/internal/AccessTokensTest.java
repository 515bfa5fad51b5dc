package io.seckill.user.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import java.util.Map;

import io.seckill.platform.DeploymentMode;
import io.seckill.platform.RefusedSetting;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.support.Settings;
import io.seckill.user.Role;
import io.seckill.user.Shopper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AccessTokensTest {

	private static final String SECRET = "unit-test-secret-that-is-long-enough!";

	private final UserRulesDirectory directory = new UserRulesDirectory(null, new RedisKeys(""));

	private AccessTokens tokens(String secret, Clock clock) throws Exception {
		return tokens(secret, DeploymentMode.DEMO, clock);
	}

	private AccessTokens tokens(String secret, DeploymentMode mode, Clock clock) throws Exception {
		return new AccessTokens(Settings.security(secret), mode, this.directory, clock);
	}

	private final Shopper alice = new Shopper(7, "alice", Role.SHOPPER, 3);

	@Test
	void aTokenNamesItsShopper() throws Exception {
		AccessTokens tokens = tokens(SECRET, Clock.systemUTC());
		assertThat(tokens.verify(tokens.issue(this.alice, 0).token())).isEqualTo(this.alice);
	}

	@Test
	void anExpiredTokenIsRefused() throws Exception {
		Instant issued = Instant.now().minus(Duration.ofMinutes(10));
		String token = tokens(SECRET, Clock.fixed(issued, ZoneOffset.UTC)).issue(this.alice, 0).token();
		assertThat(tokens(SECRET, Clock.systemUTC()).verify(token)).isNull();
	}

	@Test
	void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
		String token = tokens("another-secret-that-is-long-enough!!!", Clock.systemUTC()).issue(this.alice, 0).token();
		assertThat(tokens(SECRET, Clock.systemUTC()).verify(token)).isNull();
	}

	@Test
	void aTamperedTokenIsRefused() throws Exception {
		AccessTokens tokens = tokens(SECRET, Clock.systemUTC());
		String token = tokens.issue(this.alice, 0).token();
		String[] parts = token.split("\\.");
		String admin = java.util.Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("SHOPPER", "ADMIN")
				.getBytes());
		assertThat(tokens.verify(parts[0] + "." + admin + "." + parts[2])).isNull();
		assertThat(tokens.verify("not-a-token")).isNull();
	}

	@Test
	void aShortSecretIsRefusedAtStart() {
		assertThatExceptionOfType(RefusedSetting.class).isThrownBy(() -> tokens("short", Clock.systemUTC()))
			.satisfies((refused) -> assertThat(refused.setting()).isEqualTo("seckill.security.token-secret"));
	}

	@Test
	void outsideTheDemoAMissingOrPublishedSecretIsRefusedAtStart() {
		assertThatExceptionOfType(RefusedSetting.class)
			.isThrownBy(() -> tokens("", DeploymentMode.PRODUCTION, Clock.systemUTC()))
			.withMessageContaining("is not set");
		assertThatExceptionOfType(RefusedSetting.class).isThrownBy(
				() -> tokens("the-same-secret-on-every-node-32+bytes", DeploymentMode.PRODUCTION, Clock.systemUTC()))
			.withMessageContaining("published");
	}

	@Test
	void aTokenOfAnOlderVersionIsRevoked() throws Exception {
		AccessTokens tokens = tokens(SECRET, Clock.systemUTC());
		String before = tokens.issue(this.alice, 0).token();
		assertThat(tokens.verify(before)).isEqualTo(this.alice);

		this.directory.apply(Map.of(this.alice.id(), new UserRulesDirectory.UserRules(3, false, 1)));

		assertThat(tokens.verify(before)).isNull();
		assertThat(tokens.verify(tokens.issue(this.alice, 1).token())).isEqualTo(this.alice);
	}

	@Test
	void anAdminTokenLivesShorterThanAShoppers() throws Exception {
		AccessTokens tokens = tokens(SECRET, Clock.systemUTC());
		Instant shopper = tokens.issue(this.alice, 0).expiresAt();
		Instant admin = tokens.issue(new Shopper(1, "root", Role.ADMIN, 0), 0).expiresAt();
		assertThat(admin).isBefore(shopper.minus(Duration.ofMinutes(2)));
	}

}
