package io.seckill.user;

import java.time.Duration;
import java.util.Map;

import io.seckill.support.Api;
import io.seckill.support.Api.Reply;
import io.seckill.support.ChallengeAnswers;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While a sale asks its shoppers for picture challenges, sign-ups answer one too (the
 * default, {@code seckill.security.registration.challenge=when-a-sale-asks}): the bots it
 * keeps from buying cannot simply make new accounts instead.
 */
@TestPropertySource(properties = { "seckill.security.registration.challenge=when-a-sale-asks",
		"seckill.security.registration.challenge-failures=3", "seckill.web.trusted-proxies=127.0.0.1/32,::1" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignUpChallengeIT extends IntegrationTest {

	private static final String PASSWORD = "password123";

	@Test
	@Order(1)
	void whileNoSaleAsksASignUpNeedsNoChallenge() {
		assertThat(this.api.register(Api.uniqueName("plain"), PASSWORD).status()).isEqualTo(201);
		Reply none = this.api.post("/api/v1/users/challenges", null, null);
		assertThat(none.status()).isEqualTo(404);
		assertThat(none.code()).isEqualTo("NOT_FOUND");
	}

	@Test
	@Order(2)
	void whileASaleAsksASignUpAnswersAChallengeOnce() {
		this.api.newChallengeSale(Duration.ofMinutes(10), 5);
		// Nodes learn of the sale within a second (the answer is cached that long).
		await().atMost(Duration.ofSeconds(3))
			.until(() -> "CHALLENGE_REQUIRED".equals(this.api.register(Api.uniqueName("probe"), PASSWORD).code()));
		String name = Api.uniqueName("newcomer");
		assertThat(this.api.register(name, PASSWORD).code()).isEqualTo("CHALLENGE_REQUIRED");
		assertThat(exists(name)).isFalse();

		Reply challenge = this.api.post("/api/v1/users/challenges", null, null);
		assertThat(challenge.status()).isEqualTo(201);
		assertThat(challenge.text("image")).startsWith("data:image/png;base64,");
		String id = challenge.text("challengeId");
		String right = ChallengeAnswers.signUpAnswer(this.redis, this.keys, id);
		Reply wrong = signUp(name, id, Integer.toString(Integer.parseInt(right) + 1));
		assertThat(wrong.status()).isEqualTo(403);
		assertThat(wrong.code()).isEqualTo("CHALLENGE_FAILED");
		assertThat(signUp(name, id, right).code()).as("answered once, right or wrong").isEqualTo("CHALLENGE_FAILED");
		assertThat(exists(name)).isFalse();

		String again = this.api.post("/api/v1/users/challenges", null, null).text("challengeId");
		Reply created = signUp(name, again, ChallengeAnswers.signUpAnswer(this.redis, this.keys, again));

		assertThat(created.status()).isEqualTo(201);
		assertThat(this.api.logIn(name, PASSWORD)).isNotBlank();
	}

	@Test
	@Order(3)
	void wrongAnswersAreLimitedPerAddress() {
		String from = "198.51.100.77";
		for (int i = 0; i < 3; i++) {
			String id = this.api.post("/api/v1/users/challenges", null, null).text("challengeId");
			assertThat(signUp(Api.uniqueName("guess"), id, "999", from).code()).isEqualTo("CHALLENGE_FAILED");
		}
		String id = this.api.post("/api/v1/users/challenges", null, null).text("challengeId");
		String right = ChallengeAnswers.signUpAnswer(this.redis, this.keys, id);

		Reply limited = signUp(Api.uniqueName("guess"), id, right, from);

		assertThat(limited.status()).isEqualTo(429);
		assertThat(limited.code()).isEqualTo("RATE_LIMITED");
		assertThat(limited.headers()).containsKey("retry-after");
		assertThat(signUp(Api.uniqueName("other"), id, right, "198.51.100.78").status()).isEqualTo(201);
	}

	private Reply signUp(String name, String challengeId, String answer) {
		return signUp(name, challengeId, answer, "198.51.100.1");
	}

	private Reply signUp(String name, String challengeId, String answer, String from) {
		return this.api.send(
				"POST", "/api/v1/users", null, "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD
						+ "\",\"challengeId\":\"" + challengeId + "\",\"answer\":\"" + answer + "\"}",
				Map.of("X-Forwarded-For", from));
	}

	private boolean exists(String name) {
		return this.jdbc.queryForObject("SELECT count(*) FROM users WHERE username = ?", Long.class, name) > 0;
	}

}
