package io.seckill.purchase;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rejection a shopper or admin can meet, each with its own status and code
 * (invariant 6).
 */
@TestPropertySource(properties = "seckill.purchase.rate-limit=3")
class RejectionCodesIT extends IntegrationTest {

	@Test
	void aPurchaseWithoutATokenIsUnauthenticated() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		assertRejected(this.api.purchase(sale, sale.item(), null), 401, "UNAUTHENTICATED");
	}

	@Test
	void aPurchaseWithAForgedTokenIsUnauthenticated() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String token = this.api.newShopper();
		String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
		assertRejected(this.api.purchase(sale, sale.item(), forged), 401, "UNAUTHENTICATED");
	}

	@Test
	void unknownActivitiesItemsAndUnpublishedSalesAreNotFound() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String token = this.api.newShopper();
		assertRejected(this.api.purchase(new Activity(987_654_321L, sale.itemIds()), sale.item(), token), 404,
				"NOT_FOUND");
		assertRejected(this.api.purchase(sale, 987_654_321L, token), 404, "NOT_FOUND");
		String admin = this.api.adminToken();
		Reply draft = this.api.post("/api/v1/admin/activities", admin,
				"{\"name\":\"draft\",\"startsAt\":\"" + Instant.now().minusSeconds(1) + "\",\"endsAt\":\""
						+ Instant.now().plusSeconds(3600) + "\",\"items\":[{\"name\":\"x\",\"price\":1,\"stock\":5}]}");
		Activity unpublished = new Activity(draft.body().path("id").asLong(),
				java.util.List.of(draft.body().path("items").get(0).path("id").asLong()));
		assertRejected(this.api.purchase(unpublished, unpublished.item(), token), 404, "NOT_FOUND");
	}

	@Test
	void aBlacklistingRevokesTheShoppersTokensAndMakesThemNotEligible() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String name = Api.uniqueName("blacklisted");
		this.api.register(name, "password123");
		String token = this.api.logIn(name, "password123");
		Reply patched = this.api.send("PATCH", "/api/v1/admin/users/" + name, this.api.adminToken(),
				"{\"blacklisted\":true}", Map.of());
		assertThat(patched.status()).isEqualTo(200);
		assertRejected(this.api.purchase(sale, sale.item(), token), 401, "UNAUTHENTICATED");

		String again = this.api.logIn(name, "password123");
		assertRejected(this.api.purchase(sale, sale.item(), again), 403, "NOT_ELIGIBLE");
	}

	@Test
	void aShopperBelowTheMinimumLevelIsNotEligibleUntilAnAdminRaisesIt() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), Duration.ofHours(1), 2, 1, 5);
		String name = Api.uniqueName("level");
		this.api.register(name, "password123");
		String token = this.api.logIn(name, "password123");
		assertRejected(this.api.purchase(sale, sale.item(), token), 403, "NOT_ELIGIBLE");

		this.api.send("PATCH", "/api/v1/admin/users/" + name, this.api.adminToken(), "{\"level\":2}", Map.of());
		assertThat(this.api.purchase(sale, sale.item(), token).status()).isEqualTo(202);
	}

	@Test
	void aPurchaseBeforeTheStartIsNotStarted() {
		Activity sale = this.api.newSale(Duration.ofHours(1), 5);
		assertRejected(this.api.purchase(sale, sale.item(), this.api.newShopper()), 409, "NOT_STARTED");
	}

	@Test
	void aPurchaseAfterTheEndIsEnded() throws InterruptedException {
		Activity sale = this.api.newSale(Duration.ofMillis(-500), Duration.ofMillis(1500), 0, 1, 5);
		String token = this.api.newShopper();
		Thread.sleep(1200);
		assertRejected(this.api.purchase(sale, sale.item(), token), 410, "ENDED");
	}

	@Test
	void aPurchaseOfAnItemWithNoStockLeftIsSoldOut() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 0);
		assertRejected(this.api.purchase(sale, sale.item(), this.api.newShopper()), 409, "SOLD_OUT");
	}

	@Test
	void aSecondPurchaseOverTheLimitIsLimitReached() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String token = this.api.newShopper();
		assertThat(this.api.purchase(sale, sale.item(), token).status()).isEqualTo(202);
		assertRejected(this.api.purchase(sale, sale.item(), token), 409, "LIMIT_REACHED");
	}

	@Test
	void aShopperSendingFasterThanTheLimitIsRateLimitedWithRetryAfter() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String token = this.api.newShopper();
		Reply last = null;
		for (int i = 0; i < 4; i++) {
			last = this.api.purchase(sale, sale.item(), token);
		}
		assertRejected(last, 429, "RATE_LIMITED");
		assertThat(last.headers()).containsKey("retry-after");
	}

	@Test
	void aShopperCallingAnAdminEndpointIsForbidden() {
		assertRejected(this.api.get("/api/v1/admin/activities", this.api.newShopper()), 403, "FORBIDDEN");
	}

	@Test
	void aWrongPasswordIsInvalidCredentials() {
		String name = Api.uniqueName("wrong");
		this.api.register(name, "password123");
		assertRejected(
				this.api.post("/api/v1/sessions", null, "{\"username\":\"" + name + "\",\"password\":\"password124\"}"),
				401, "INVALID_CREDENTIALS");
	}

	@Test
	void aTakenUsernameIsRefused() {
		String name = Api.uniqueName("taken");
		assertThat(this.api.register(name, "password123").status()).isEqualTo(201);
		assertRejected(this.api.register(name.toUpperCase(), "password456"), 409, "USERNAME_TAKEN");
	}

	@Test
	void aStartedSaleCannotBeChanged() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		Reply reply = this.api.send("PUT", "/api/v1/admin/activities/" + sale.id(), this.api.adminToken(),
				"{\"name\":\"late\",\"startsAt\":\"" + Instant.now().plusSeconds(60) + "\",\"endsAt\":\""
						+ Instant.now().plusSeconds(3600) + "\",\"items\":[{\"id\":" + sale.item()
						+ ",\"name\":\"x\",\"price\":1,\"stock\":500}]}",
				Map.of());
		assertRejected(reply, 409, "ALREADY_STARTED");
		assertThat(this.jdbc.queryForObject("SELECT stock FROM items WHERE id = ?", Integer.class, sale.item()))
			.isEqualTo(5);
	}

	static void assertRejected(Reply reply, int status, String code) {
		assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
		assertThat(reply.code()).isEqualTo(code);
		assertThat(reply.text("message")).isNotBlank();
		assertThat(reply.text("messageZh")).isNotBlank();
		assertThat(reply.text("requestId")).isNotBlank();
		assertThat(reply.body().toString()).doesNotContain("Exception").doesNotContain("\tat ");
	}

}
