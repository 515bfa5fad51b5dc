package io.seckill.purchase;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.ChallengeAnswers;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hidden one-time purchase address: tokens only from the start on, every bad token
 * refused in memory with its own code, single use enforced by the admission itself, the
 * optional challenge with its limit on wrong answers. (Rate limits: ClientLimitsIT.)
 */
@TestPropertySource(properties = { "seckill.purchase-token.ttl=3s", "seckill.purchase-token.challenge-failures=3" })
class PurchaseTokensIT extends IntegrationTest {

	@Autowired
	MeterRegistry meters;

	@Test
	void beforeTheStartNoTokenIsIssuedSoNoPurchaseAddressExists() {
		String shopper = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofMinutes(5), 10);

		Reply reply = this.api.purchaseTokenAsync(sale, sale.item(), shopper).join();

		assertThat(reply.status()).isEqualTo(409);
		assertThat(reply.code()).isEqualTo("NOT_STARTED");
	}

	@Test
	void aTokenIsBoundToItsShopperActivityAndItemAndEveryBadOneIsRefusedBeforeRedis() {
		String shopper = this.api.newShopper();
		String other = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10, 10);
		long firstItem = sale.itemIds().get(0);
		long secondItem = sale.itemIds().get(1);
		String token = this.api.purchaseToken(sale, firstItem, shopper);
		String[] parts = token.split("\\.");
		String forged = String.join(".", parts[0], parts[1], parts[2], parts[3], Long.toString(Long.MAX_VALUE),
				parts[5], parts[6]);
		double scripts = scriptCalls();

		assertRefused(this.api.purchaseWithTokenAsync(sale, firstItem, shopper, null, null).join(), 403,
				"PURCHASE_TOKEN_MISSING");
		assertRefused(this.api.purchaseWithTokenAsync(sale, firstItem, shopper, "garbage", null).join(), 403,
				"PURCHASE_TOKEN_INVALID");
		assertRefused(this.api.purchaseWithTokenAsync(sale, firstItem, shopper, forged, null).join(), 403,
				"PURCHASE_TOKEN_INVALID");
		assertRefused(this.api.purchaseWithTokenAsync(sale, firstItem, shopper, "zz" + token, null).join(), 403,
				"PURCHASE_TOKEN_INVALID");
		assertRefused(this.api.purchaseWithTokenAsync(sale, firstItem, other, token, null).join(), 403,
				"PURCHASE_TOKEN_FOREIGN");
		assertRefused(this.api.purchaseWithTokenAsync(sale, secondItem, shopper, token, null).join(), 403,
				"PURCHASE_TOKEN_FOREIGN");
		assertThat(scriptCalls()).as("no admission script ran").isEqualTo(scripts);
		assertThat(this.meters.get("seckill.admissions").tag("outcome", "PURCHASE_TOKEN_FOREIGN").counter().count())
			.isGreaterThanOrEqualTo(2);

		// Still unused: the rightful owner buys with it.
		assertThat(this.api.purchaseWithTokenAsync(sale, firstItem, shopper, token, null).join().status())
			.isEqualTo(202);
		assertThat(scriptCalls()).isEqualTo(scripts + 1);
	}

	@Test
	void anExpiredTokenIsRefusedBeforeRedis() throws InterruptedException {
		String shopper = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10);
		String token = this.api.purchaseToken(sale, sale.item(), shopper);
		Thread.sleep(3_100);
		double scripts = scriptCalls();

		assertRefused(this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, null).join(), 403,
				"PURCHASE_TOKEN_EXPIRED");
		assertThat(scriptCalls()).isEqualTo(scripts);
		assertThat(stock(sale)).isEqualTo("10");
	}

	@Test
	void aReusedTokenTakesNoSecondUnitButARetryWithItsKeyGetsTheFirstAnswer() throws InterruptedException {
		String shopper = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), Duration.ofHours(1), 0, 5, 10);
		String token = this.api.purchaseToken(sale, sale.item(), shopper);

		Reply first = this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, "k-1").join();
		Reply retried = this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, "k-1").join();
		Reply reusedWithoutKey = this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, null).join();
		Reply reusedWithOtherKey = this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, "k-2").join();

		assertThat(first.status()).isEqualTo(202);
		assertThat(retried.status()).isEqualTo(202);
		assertThat(retried.text("ticket")).isEqualTo(first.text("ticket"));
		assertRefused(reusedWithoutKey, 409, "PURCHASE_TOKEN_USED");
		assertRefused(reusedWithOtherKey, 409, "PURCHASE_TOKEN_USED");
		assertThat(stock(sale)).isEqualTo("9");

		// Even once the token has expired, the same retry still finds its first answer.
		Thread.sleep(3_100);
		Reply late = this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, "k-1").join();
		assertThat(late.status()).isEqualTo(202);
		assertThat(late.text("ticket")).isEqualTo(first.text("ticket"));
		assertRefused(this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, "k-3").join(), 403,
				"PURCHASE_TOKEN_EXPIRED");
		assertThat(stock(sale)).isEqualTo("9");
	}

	@Test
	void aSaleWithAChallengeIssuesTokensOnlyForARightAnswerGivenOnce() {
		String shopper = this.api.newShopper();
		Activity sale = this.api.newChallengeSale(Duration.ofSeconds(-1), 10);
		String path = sale.purchasePath(sale.item()).replace("/purchases", "/purchase-tokens");

		assertRefused(this.api.post(path, shopper, null), 403, "CHALLENGE_REQUIRED");

		Reply challenge = this.api.post("/api/v1/activities/" + sale.id() + "/challenges", shopper, null);
		assertThat(challenge.status()).isEqualTo(201);
		assertThat(challenge.text("image")).startsWith("data:image/png;base64,");
		String id = challenge.text("challengeId");
		String answer = solve(sale, id);

		Reply right = this.api.post(path, shopper, "{\"challengeId\":\"" + id + "\",\"answer\":\"" + answer + "\"}");
		assertThat(right.status()).isEqualTo(201);
		assertThat(
				this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, right.text("token"), null).join().status())
			.isEqualTo(202);
		// Answered once: the same answer again is no longer good.
		assertRefused(this.api.post(path, shopper, "{\"challengeId\":\"" + id + "\",\"answer\":\"" + answer + "\"}"),
				403, "CHALLENGE_FAILED");
	}

	@Test
	void wrongChallengeAnswersAreLimitedPerShopper() {
		String shopper = this.api.newShopper();
		Activity sale = this.api.newChallengeSale(Duration.ofSeconds(-1), 10);
		String path = sale.purchasePath(sale.item()).replace("/purchases", "/purchase-tokens");
		for (int i = 0; i < 3; i++) {
			String id = this.api.post("/api/v1/activities/" + sale.id() + "/challenges", shopper, null)
				.text("challengeId");
			String wrong = Integer.toString(Integer.parseInt(solve(sale, id)) + 1);
			assertRefused(this.api.post(path, shopper, "{\"challengeId\":\"" + id + "\",\"answer\":\"" + wrong + "\"}"),
					403, "CHALLENGE_FAILED");
		}
		String id = this.api.post("/api/v1/activities/" + sale.id() + "/challenges", shopper, null).text("challengeId");

		Reply locked = this.api.post(path, shopper,
				"{\"challengeId\":\"" + id + "\",\"answer\":\"" + solve(sale, id) + "\"}");

		assertRefused(locked, 429, "RATE_LIMITED");
		assertThat(locked.headers()).containsKey("retry-after");
	}

	@Test
	void aSaleWithoutAChallengeHasNoChallengesToFetch() {
		String shopper = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10);

		assertRefused(this.api.post("/api/v1/activities/" + sale.id() + "/challenges", shopper, null), 404,
				"NOT_FOUND");
	}

	private String solve(Activity sale, String challengeId) {
		return ChallengeAnswers.answer(this.redis, this.keys, sale.id(), challengeId);
	}

	private String stock(Activity sale) {
		return (String) this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()));
	}

	private double scriptCalls() {
		return this.meters.get("seckill.admission.requests").counter().count();
	}

	private static void assertRefused(Reply reply, int status, String code) {
		assertThat(reply.status()).as("%s", reply).isEqualTo(status);
		assertThat(reply.code()).as("%s", reply).isEqualTo(code);
		assertThat(reply.text("message")).isNotBlank();
		assertThat(reply.text("messageZh")).isNotBlank();
		assertThat(reply.body().has("trace")).isFalse();
	}

}
