package io.seckill.activity;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admin set-up: stock changes before the start, publishing (preload), listing and stats.
 */
class ActivityAdminIT extends IntegrationTest {

	@Test
	void stockChangedBeforeTheStartIsRepublishedToRedisAtOnce() {
		Activity sale = this.api.newSale(Duration.ofHours(1), 5);
		String admin = this.api.adminToken();
		Instant start = Instant.now().plus(Duration.ofHours(2));

		Reply changed = this.api.send("PUT", "/api/v1/admin/activities/" + sale.id(), admin,
				"{\"name\":\"changed\",\"startsAt\":\"" + start + "\",\"endsAt\":\"" + start.plus(Duration.ofHours(1))
						+ "\",\"items\":[{\"id\":" + sale.item()
						+ ",\"name\":\"more\",\"price\":5,\"stock\":50,\"limit\":2},"
						+ "{\"name\":\"new\",\"price\":1,\"stock\":7}]}",
				Map.of());

		assertThat(changed.status()).isEqualTo(200);
		assertThat(changed.body().path("items")).hasSize(2);
		assertThat(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()))).isEqualTo("50");
		assertThat(this.redis.opsForHash().get(this.keys.limits(sale.id()), Long.toString(sale.item()))).isEqualTo("2");
		assertThat(this.redis.opsForHash().get(this.keys.meta(sale.id()), "start"))
			.isEqualTo(Long.toString(Instant.parse(changed.text("startsAt")).toEpochMilli()));
	}

	@Test
	void anItemOfAnotherActivityCannotBeChangedThroughThisOne() {
		Activity mine = this.api.newSale(Duration.ofHours(1), 5);
		Activity other = this.api.newSale(Duration.ofHours(1), 5);
		Instant start = Instant.now().plus(Duration.ofHours(2));
		Reply reply = this.api.send("PUT", "/api/v1/admin/activities/" + mine.id(), this.api.adminToken(),
				"{\"name\":\"steal\",\"startsAt\":\"" + start + "\",\"endsAt\":\"" + start.plusSeconds(60)
						+ "\",\"items\":[{\"id\":" + other.item() + ",\"name\":\"x\",\"price\":5,\"stock\":0}]}",
				Map.of());
		assertThat(reply.status()).isEqualTo(400);
		assertThat(this.jdbc.queryForObject("SELECT stock FROM items WHERE id = ?", Integer.class, other.item()))
			.isEqualTo(5);
	}

	@Test
	void shoppersSeePublishedSalesWithLiveRemainingStockAndTheServerTime() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 3, 8);
		String token = this.api.newShopper();
		assertThat(this.api.purchase(sale, sale.item(), token).status()).isEqualTo(202);

		Reply single = this.api.get("/api/v1/activities/" + sale.id(), null);
		assertThat(single.text("state")).isEqualTo("ACTIVE");
		assertThat(single.body().path("items").get(0).path("remaining").asInt()).isEqualTo(2);
		assertThat(single.body().path("items").get(1).path("remaining").asInt()).isEqualTo(8);

		// The listing is cached for up to a second.
		JsonNode shown = await().atMost(Duration.ofSeconds(5))
			.until(() -> find(this.api.get("/api/v1/activities", null), sale.id()), java.util.Objects::nonNull);
		assertThat(shown.path("items")).hasSize(2);
		assertThat(shown.path("items").get(0).path("remaining").asInt()).isEqualTo(2);
		Reply listing = this.api.get("/api/v1/activities", null);
		assertThat(listing.body().path("now").asLong()).isCloseTo(System.currentTimeMillis(),
				org.assertj.core.data.Offset.offset(5000L));
	}

	private static JsonNode find(Reply listing, long activityId) {
		for (JsonNode activity : listing.body().path("activities")) {
			if (activity.path("id").asLong() == activityId) {
				return activity;
			}
		}
		return null;
	}

	@Test
	void changesAreRefusedJustBeforeTheStart() {
		Activity sale = this.api.newSale(Duration.ofSeconds(3), 5);
		Instant start = Instant.now().plus(Duration.ofHours(2));
		Reply reply = this.api.send("PUT", "/api/v1/admin/activities/" + sale.id(), this.api.adminToken(),
				"{\"name\":\"late\",\"startsAt\":\"" + start + "\",\"endsAt\":\"" + start.plusSeconds(60)
						+ "\",\"items\":[{\"id\":" + sale.item() + ",\"name\":\"x\",\"price\":5,\"stock\":500}]}",
				Map.of());
		assertThat(reply.status()).isEqualTo(409);
		assertThat(reply.code()).isEqualTo("ALREADY_STARTED");
		assertThat(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()))).isEqualTo("5");
	}

	@Test
	void aSaleRedisLostCanBeRepublishedFromTheDatabaseAfterItsStart() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String buyer = this.api.newShopper();
		Reply bought = this.api.purchase(sale, sale.item(), buyer);
		this.api.awaitTicket(bought.text("ticket"), buyer, Duration.ofSeconds(20));
		String admin = this.api.adminToken();
		assertThat(this.api.post("/api/v1/admin/activities/" + sale.id() + "/publish", admin, null).code())
			.isEqualTo("ALREADY_STARTED");

		this.redis.delete(
				java.util.List.of(this.keys.meta(sale.id()), this.keys.stock(sale.id()), this.keys.limits(sale.id())));
		Reply republished = this.api.post("/api/v1/admin/activities/" + sale.id() + "/publish", admin, null);

		assertThat(republished.status()).isEqualTo(200);
		assertThat(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()))).isEqualTo("4");
	}

	@Test
	void statsShowSetStockRedisAndDatabaseRemainingLiveOrdersAndTheQueue() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 4);
		for (String token : this.api.newShoppers(3, 3)) {
			Reply reply = this.api.purchase(sale, sale.item(), token);
			this.api.awaitTicket(reply.text("ticket"), token, Duration.ofSeconds(20));
		}

		Reply stats = this.api.get("/api/v1/admin/activities/" + sale.id() + "/stats", this.api.adminToken());

		assertThat(stats.status()).isEqualTo(200);
		JsonNode item = stats.body().path("items").get(0);
		assertThat(item.path("stock").asInt()).isEqualTo(4);
		assertThat(item.path("redisRemaining").asInt()).isEqualTo(1);
		assertThat(item.path("databaseRemaining").asInt()).isEqualTo(1);
		assertThat(item.path("liveOrders").asInt()).isEqualTo(3);
		assertThat(stats.body().path("queueLength").asInt()).isZero();
	}

	@Test
	void ordersListOnlyTheCallersOwn() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 4);
		String buyer = this.api.newShopper();
		String bystander = this.api.newShopper();
		Reply bought = this.api.purchase(sale, sale.item(), buyer);
		this.api.awaitTicket(bought.text("ticket"), buyer, Duration.ofSeconds(20));

		assertThat(this.api.get("/api/v1/orders", buyer).body()).hasSize(1);
		assertThat(this.api.get("/api/v1/orders", bystander).body()).isEmpty();
		assertThat(this.api.get("/api/v1/purchases/" + bought.text("ticket"), bystander).status()).isEqualTo(404);
		assertThat(this.api.get("/api/v1/orders", null).status()).isEqualTo(401);
	}

	@Test
	void publishingAnEndedSaleIsRefused() {
		String admin = this.api.adminToken();
		Instant start = Instant.now().minus(Duration.ofHours(2));
		Reply created = this.api.post("/api/v1/admin/activities", admin,
				"{\"name\":\"" + Api.uniqueName("old") + "\",\"startsAt\":\"" + start + "\",\"endsAt\":\""
						+ start.plus(Duration.ofHours(1)) + "\",\"items\":[{\"name\":\"x\",\"price\":1,\"stock\":5}]}");
		Reply published = this.api.post("/api/v1/admin/activities/" + created.body().path("id").asLong() + "/publish",
				admin, null);
		assertThat(published.status()).isEqualTo(410);
		assertThat(published.code()).isEqualTo("ENDED");
	}

}
