package io.seckill.user;

import java.util.Map;

import io.seckill.support.Api;
import io.seckill.support.Api.Reply;
import io.seckill.support.TwoNodeTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logins and sign-ups are limited in Redis, by every node together, before any password
 * is hashed: wrong guesses per username, attempts per client address, sign-ups per client
 * address. Each test speaks from addresses of its own (X-Forwarded-For from a trusted
 * proxy), so their per-address counters do not meet.
 */
@TestPropertySource(properties = { "seckill.security.login.rate-limit=3", "seckill.security.login.ip-rate-limit=8",
		"seckill.security.login.rate-window=30s", "seckill.security.registration.ip-rate-limit=3",
		"seckill.security.registration.rate-window=30s", "seckill.web.trusted-proxies=127.0.0.1/32,::1" })
class LoginLimitsIT extends TwoNodeTest {

	private static final String PASSWORD = "password123";

	private static int addresses;

	@Override
	protected Map<String, String> secondNodeSettings() {
		return Map.of("seckill.security.registration.ip-rate-limit", "3", "seckill.security.registration.rate-window",
				"30s", "seckill.web.trusted-proxies", "127.0.0.1/32,::1");
	}

	@Test
	void wrongPasswordsForOneNameAreLimitedByAllNodesTogether() {
		String from = newAddress();
		String name = register(this.api, from);

		assertThat(logIn(this.api, name, "wrong-password", from).code()).isEqualTo("INVALID_CREDENTIALS");
		assertThat(logIn(this.b, name, "wrong-password", newAddress()).code()).isEqualTo("INVALID_CREDENTIALS");
		assertThat(logIn(this.api, name, "wrong-password", newAddress()).code()).isEqualTo("INVALID_CREDENTIALS");
		Reply limited = logIn(this.b, name, PASSWORD, newAddress());

		assertThat(limited.status()).isEqualTo(429);
		assertThat(limited.code()).isEqualTo("RATE_LIMITED");
		assertThat(Long.parseLong(limited.headers().get("retry-after").get(0))).isBetween(1L, 30L);
		String other = register(this.api, newAddress());
		assertThat(logIn(this.api, other, PASSWORD, newAddress()).status()).isEqualTo(200);
	}

	@Test
	void rightLoginsDoNotUseUpTheLimit() {
		String name = register(this.api, newAddress());
		for (int i = 0; i < 6; i++) {
			assertThat(logIn((i % 2 == 0) ? this.api : this.b, name, PASSWORD, newAddress()).status()).isEqualTo(200);
		}
	}

	@Test
	void oneAddressIsLimitedAcrossNames() {
		String from = newAddress();
		for (int i = 0; i < 8; i++) {
			assertThat(logIn((i % 2 == 0) ? this.api : this.b, Api.uniqueName("nobody"), "wrong-password", from).code())
				.isEqualTo("INVALID_CREDENTIALS");
		}

		assertThat(logIn(this.api, Api.uniqueName("nobody"), "wrong-password", from).code()).isEqualTo("RATE_LIMITED");
		assertThat(logIn(this.api, Api.uniqueName("nobody"), "wrong-password", newAddress()).code())
			.isEqualTo("INVALID_CREDENTIALS");
	}

	@Test
	void signUpsAreLimitedPerAddressByAllNodesTogether() {
		String from = newAddress();
		register(this.api, from);
		register(this.b, from);
		register(this.api, from);
		String refusedName = Api.uniqueName("fourth");

		Reply refused = signUp(this.b, refusedName, from);

		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.code()).isEqualTo("RATE_LIMITED");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM users WHERE username = ?", Long.class, refusedName))
			.isZero();
		assertThat(signUp(this.b, refusedName, newAddress()).status()).isEqualTo(201);
	}

	@Test
	void anUnknownNameAndAWrongPasswordGetTheSameAnswer() {
		String name = register(this.api, newAddress());
		Reply wrongPassword = logIn(this.api, name, "wrong-password", newAddress());
		Reply unknownName = logIn(this.api, Api.uniqueName("ghost"), "wrong-password", newAddress());
		assertThat(unknownName.status()).isEqualTo(wrongPassword.status()).isEqualTo(401);
		assertThat(unknownName.code()).isEqualTo(wrongPassword.code()).isEqualTo("INVALID_CREDENTIALS");
		assertThat(unknownName.text("message")).isEqualTo(wrongPassword.text("message"));
	}

	/** A client address of its own (TEST-NET-2, 198.51.100.0/24 and up). */
	private static synchronized String newAddress() {
		addresses++;
		return "198.51." + (100 + addresses / 250) + "." + (1 + addresses % 250);
	}

	private static String register(Api node, String from) {
		String name = Api.uniqueName("limited");
		Reply created = signUp(node, name, from);
		assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
		return name;
	}

	private static Reply signUp(Api node, String name, String from) {
		return node.send("POST", "/api/v1/users", null,
				"{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}", Map.of("X-Forwarded-For", from));
	}

	private static Reply logIn(Api node, String name, String password, String from) {
		return node.send("POST", "/api/v1/sessions", null,
				"{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}", Map.of("X-Forwarded-For", from));
	}

}
