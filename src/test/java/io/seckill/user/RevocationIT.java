package io.seckill.user;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.seckill.support.Api;
import io.seckill.support.Api.Reply;
import io.seckill.support.TwoNodeTest;
import io.seckill.support.StateSnapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A password change or a blacklisting revokes the user's live access tokens on every node
 * within a second, from memory (a token version, no database call per request); the
 * password change itself checks the current password and validates the new one.
 */
class RevocationIT extends TwoNodeTest {

	private static final String PASSWORD = "password123";

	@Test
	void aPasswordChangeRevokesTheOldTokensOnEveryNodeWithinASecond() {
		String name = Api.uniqueName("changer");
		this.api.register(name, PASSWORD);
		String onA = this.api.logIn(name, PASSWORD);
		String onB = this.b.logIn(name, PASSWORD);
		assertThat(this.b.get("/api/v1/orders", onA).status()).isEqualTo(200);
		assertThat(this.api.get("/api/v1/orders", onB).status()).isEqualTo(200);

		Reply changed = changePassword(this.api, onA, PASSWORD, "a-new-password-1");

		assertThat(changed.status()).isEqualTo(200);
		String fresh = changed.text("token");
		// At once, also on the node that has not heard of the change yet.
		assertThat(this.b.get("/api/v1/orders", fresh).status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(1))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.b.get("/api/v1/orders", onA).status() == 401
					&& this.b.get("/api/v1/orders", onB).status() == 401);
		assertThat(this.api.get("/api/v1/orders", onA).code()).isEqualTo("UNAUTHENTICATED");
		assertThat(this.api.get("/api/v1/orders", onB).code()).isEqualTo("UNAUTHENTICATED");
		assertThat(this.api.get("/api/v1/orders", fresh).status()).isEqualTo(200);
		assertThat(this.b.get("/api/v1/orders", fresh).status()).isEqualTo(200);
		assertThat(logIn(this.b, name, PASSWORD).code()).isEqualTo("INVALID_CREDENTIALS");
		assertThat(logIn(this.b, name, "a-new-password-1").status()).isEqualTo(200);
	}

	@Test
	void aBlacklistingRevokesTheShoppersTokensOnEveryNodeWithinASecond() {
		String name = Api.uniqueName("banned");
		this.api.register(name, PASSWORD);
		String token = this.b.logIn(name, PASSWORD);
		assertThat(this.b.get("/api/v1/orders", token).status()).isEqualTo(200);

		Reply patched = this.api.send("PATCH", "/api/v1/admin/users/" + name, this.api.adminToken(),
				"{\"blacklisted\":true}", Map.of());

		assertThat(patched.status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(1))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.b.get("/api/v1/orders", token).status() == 401);
	}

	@Test
	void aWrongCurrentPasswordChangesNothing() {
		String name = Api.uniqueName("guesser");
		this.api.register(name, PASSWORD);
		String token = this.api.logIn(name, PASSWORD);
		List<Object> before = StateSnapshot.of(this.jdbc, this.redis, this.keys);

		Reply refused = changePassword(this.api, token, "not-my-password", "a-new-password-2");

		assertThat(refused.status()).isEqualTo(403);
		assertThat(refused.code()).isEqualTo("WRONG_PASSWORD");
		assertThat(StateSnapshot.of(this.jdbc, this.redis, this.keys)).isEqualTo(before);
		assertThat(this.api.get("/api/v1/orders", token).status()).isEqualTo(200);
		assertThat(logIn(this.api, name, PASSWORD).status()).isEqualTo(200);
	}

	@Test
	void aNewPasswordIsValidatedAsAtRegistration() {
		String name = Api.uniqueName("short");
		this.api.register(name, PASSWORD);
		String token = this.api.logIn(name, PASSWORD);
		List<Object> before = StateSnapshot.of(this.jdbc, this.redis, this.keys);

		Reply tooShort = changePassword(this.api, token, PASSWORD, "short");
		Reply tooLong = changePassword(this.api, token, PASSWORD, "密".repeat(30));

		assertThat(tooShort.status()).isEqualTo(400);
		assertThat(tooShort.code()).isEqualTo("BAD_REQUEST");
		assertThat(tooLong.status()).isEqualTo(400);
		assertThat(StateSnapshot.of(this.jdbc, this.redis, this.keys)).isEqualTo(before);
	}

	@Test
	void onlyALoggedInCallerChangesAPassword() {
		Reply anonymous = this.api.send("PUT", "/api/v1/users/me/password", null,
				"{\"currentPassword\":\"x\",\"newPassword\":\"a-new-password-3\"}", Map.of());
		assertThat(anonymous.status()).isEqualTo(401);
		assertThat(anonymous.code()).isEqualTo("UNAUTHENTICATED");
	}

	private static Reply changePassword(Api node, String token, String current, String next) {
		return node.send("PUT", "/api/v1/users/me/password", token,
				"{\"currentPassword\":\"" + current + "\",\"newPassword\":\"" + next + "\"}", Map.of());
	}

	private static Reply logIn(Api node, String name, String password) {
		return node.post("/api/v1/sessions", null, "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}");
	}

}
