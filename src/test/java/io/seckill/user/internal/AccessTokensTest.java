package io.seckill.user.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import io.seckill.user.Role;
import io.seckill.user.SecuritySettings;
import io.seckill.user.Shopper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessTokensTest {

	private static final String SECRET = "unit-test-secret-that-is-long-enough!";

	private static AccessTokens tokens(String secret, Clock clock) throws Exception {
		return new AccessTokens(new SecuritySettings(secret, Duration.ofMinutes(5), 4,
				new SecuritySettings.BootstrapAdmin("admin", "")), clock);
	}

	private final Shopper alice = new Shopper(7, "alice", Role.SHOPPER, 3);

	@Test
	void aTokenNamesItsShopper() throws Exception {
		AccessTokens tokens = tokens(SECRET, Clock.systemUTC());
		assertThat(tokens.verify(tokens.issue(this.alice).token())).isEqualTo(this.alice);
	}

	@Test
	void anExpiredTokenIsRefused() throws Exception {
		Instant issued = Instant.now().minus(Duration.ofMinutes(10));
		String token = tokens(SECRET, Clock.fixed(issued, ZoneOffset.UTC)).issue(this.alice).token();
		assertThat(tokens(SECRET, Clock.systemUTC()).verify(token)).isNull();
	}

	@Test
	void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
		String token = tokens("another-secret-that-is-long-enough!!!", Clock.systemUTC()).issue(this.alice).token();
		assertThat(tokens(SECRET, Clock.systemUTC()).verify(token)).isNull();
	}

	@Test
	void aTamperedTokenIsRefused() throws Exception {
		AccessTokens tokens = tokens(SECRET, Clock.systemUTC());
		String token = tokens.issue(this.alice).token();
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
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> tokens("short", Clock.systemUTC()));
	}

}
