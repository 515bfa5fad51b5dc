package io.seckill.order.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two workers sweeping the same expired orders at once cancel each order once. */
@TestPropertySource(properties = { "seckill.orders.payment-timeout=1s", "seckill.orders.expiry-interval=1h",
		"seckill.orders.payment-failure-rate=1.0" })
class ExpiryConcurrencyIT extends IntegrationTest {

	@Autowired
	private OrderLifecycle lifecycle;

	@Test
	void twoConcurrentSweepsCancelEachOrderExactlyOnce() throws Exception {
		int count = 200;
		List<String> tokens = this.api.newShoppers(count, 64);
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), count);
		Api.runAll(count, 128, (i) -> this.api.purchaseAsync(sale, sale.item(), tokens.get(i), null));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ?", Long.class,
					sale.item()) == count);
		Thread.sleep(1200);

		CompletableFuture<Integer> first = CompletableFuture.supplyAsync(this.lifecycle::expireUnpaid);
		CompletableFuture<Integer> second = CompletableFuture.supplyAsync(this.lifecycle::expireUnpaid);

		assertThat(first.get() + second.get()).isEqualTo(count);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ? AND status = 'CANCELLED'",
				Long.class, sale.item()))
			.isEqualTo(count);
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item()))
			.isEqualTo(count);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> Integer.toString(count)
				.equals(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()))));
		assertThat(this.redis.opsForHash().values(this.keys.buyers(sale.id(), sale.item()))).containsOnly("0");
	}

	@Test
	void aDeclinedPaymentLeavesTheOrderWaitingForPayment() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String buyer = this.api.newShopper();
		String ticket = this.api.purchase(sale, sale.item(), buyer).text("ticket");
		long orderId = this.api.awaitTicket(ticket, buyer, Duration.ofSeconds(20)).body().path("orderId").asLong();

		Api.Reply declined = this.api.post("/api/v1/orders/" + orderId + "/payment", buyer, null);

		assertThat(declined.status()).isEqualTo(402);
		assertThat(declined.code()).isEqualTo("PAYMENT_FAILED");
		assertThat(this.jdbc.queryForObject("SELECT status FROM orders WHERE id = ?", String.class, orderId))
			.isEqualTo("CREATED");
	}

}
