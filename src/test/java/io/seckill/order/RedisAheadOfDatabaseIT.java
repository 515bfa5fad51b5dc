package io.seckill.order;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Invariant 1 when Redis is wrong: the database is the final truth. */
class RedisAheadOfDatabaseIT extends IntegrationTest {

	@Test
	void redisStockAboveTheDatabasesNeverOversellsAndTheExcessEndsFailed() {
		int stock = 10;
		int shoppers = 30;
		List<String> tokens = this.api.newShoppers(shoppers, 16);
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), stock);
		// Simulate lost writes: Redis believes there are three times as many units as the
		// database.
		this.redis.opsForHash().put(this.keys.stock(sale.id()), Long.toString(sale.item()), Integer.toString(shoppers));

		Map<String, String> tokenByTicket = new HashMap<>();
		for (String token : tokens) {
			Reply reply = this.api.purchase(sale, sale.item(), token);
			assertThat(reply.status()).isEqualTo(202);
			tokenByTicket.put(reply.text("ticket"), token);
		}

		Map<String, Integer> outcomes = new HashMap<>();
		tokenByTicket.forEach((ticket, token) -> {
			Reply result = this.api.awaitTicket(ticket, token, Duration.ofSeconds(30));
			String outcome = result.text("status")
					+ ("FAILED".equals(result.text("status")) ? ":" + result.text("reason") : "");
			outcomes.merge(outcome, 1, Integer::sum);
		});
		assertThat(outcomes).containsEntry("SUCCESS", stock)
			.containsEntry("FAILED:SOLD_OUT", shoppers - stock)
			.hasSize(2);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ?", Long.class, sale.item()))
			.isEqualTo(stock);
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item()))
			.isZero();
		// The refused shoppers hold nothing, so Redis gives their purchase slot back.
		long holders = this.redis.opsForHash()
			.values(this.keys.buyers(sale.id(), sale.item()))
			.stream()
			.filter("1"::equals)
			.count();
		assertThat(holders).isEqualTo(stock);
	}

}
