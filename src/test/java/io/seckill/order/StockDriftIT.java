package io.seckill.order;

import java.time.Duration;
import java.util.List;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drift injected into Redis is seen in the stats, repaired from the database, and never
 * oversells.
 */
@TestPropertySource(properties = "seckill.orders.reconcile-interval=300ms")
class StockDriftIT extends IntegrationTest {

	@Test
	void redisAboveTheDatabaseIsRepairedDownAndSellsNoMoreThanTheStock() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10);
		buy(sale, 3);
		this.redis.opsForHash().put(this.keys.stock(sale.id()), Long.toString(sale.item()), "12");

		Reply stats = this.api.get("/api/v1/admin/activities/" + sale.id() + "/stats", this.api.adminToken());
		assertThat(stats.body().path("items").get(0).path("drift").asLong()).isIn(0L, 5L);

		// Shoppers keep buying while Redis is wrong: the database still sells only its 7
		// units.
		List<String> tokens = this.api.newShoppers(12, 12);
		tokens.forEach((token) -> this.api.purchase(sale, sale.item(), token));
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			assertThat(redisStock(sale)).isEqualTo(databaseRemaining(sale));
			assertThat(this.redis.opsForStream().size(this.keys.orders(sale.id()))).isZero();
		});
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ?", Long.class, sale.item()))
			.isEqualTo(10);
		assertThat(databaseRemaining(sale)).isZero();
	}

	@Test
	void redisBelowTheDatabaseIsRepairedUpSoTheUnitsSell() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10);
		buy(sale, 2);
		this.redis.opsForHash().put(this.keys.stock(sale.id()), Long.toString(sale.item()), "5");

		await().atMost(Duration.ofSeconds(10)).until(() -> redisStock(sale) == 8);
		assertThat(databaseRemaining(sale)).isEqualTo(8);
	}

	private void buy(Activity sale, int units) {
		for (String token : this.api.newShoppers(units, units)) {
			Reply reply = this.api.purchase(sale, sale.item(), token);
			assertThat(this.api.awaitTicket(reply.text("ticket"), token, Duration.ofSeconds(20)).text("status"))
				.isEqualTo("SUCCESS");
		}
	}

	private int redisStock(Activity sale) {
		return Integer
			.parseInt((String) this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item())));
	}

	private int databaseRemaining(Activity sale) {
		return this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item());
	}

}
