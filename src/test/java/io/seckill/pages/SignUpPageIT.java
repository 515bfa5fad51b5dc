package io.seckill.pages;

import java.time.Duration;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import io.seckill.support.Api;
import io.seckill.support.ChallengeAnswers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.context.TestPropertySource;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * While a sale asks for picture challenges, the shop's Register button shows the sign-up
 * challenge the server asks for, and a right answer creates the account.
 */
@TestPropertySource(properties = "seckill.security.registration.challenge=when-a-sale-asks")
class SignUpPageIT extends BrowserTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void whileAChallengeSaleIsOnANewShopperSolvesASumToRegister() {
		this.api.newChallengeSale(Duration.ofMinutes(10), 5);
		String name = Api.uniqueName("signup");
		open("/");
		this.page.getByLabel("Username").fill(name);
		this.page.getByLabel("Password").fill("password123");

		Response first = this.page.waitForResponse((response) -> response.url().endsWith("/users/challenges"),
				() -> this.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Register")).click());
		assertThat(this.page.getByRole(AriaRole.ALERT).first()).containsText("new accounts solve a small sum");
		Locator answer = this.page.getByLabel("Result");
		assertThat(answer).isFocused();
		assertThat(this.page.locator(".signup-challenge img")).isVisible();
		screenshot("shop-signup-challenge");

		String firstId = JSON.readTree(first.text()).path("challengeId").asString();
		answer.fill(Integer.toString(Integer.parseInt(solve(firstId)) + 1));
		Response second = this.page.waitForResponse((response) -> response.url().endsWith("/users/challenges"),
				() -> answer.press("Enter"));
		assertThat(this.page.getByRole(AriaRole.ALERT).first())
			.hasText("Wrong answer, or the question expired: here is a new one.");

		answer.fill(solve(JSON.readTree(second.text()).path("challengeId").asString()));
		this.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Register")).click();

		assertThat(this.page.getByText("Logged in as " + name)).isVisible();
		assertThat(this.page.getByText("Account " + name + " created")).isVisible();
	}

	private String solve(String challengeId) {
		return ChallengeAnswers.signUpAnswer(this.redis, this.keys, challengeId);
	}

}
