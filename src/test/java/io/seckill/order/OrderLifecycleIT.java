package io.seckill.order;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Payment, expiry racing payment, the unit coming back exactly once and being sold again.
 */
@TestPropertySource(properties = { "seckill.orders.payment-timeout=3s", "seckill.orders.expiry-interval=200ms",
		"seckill.orders.outbox-interval=200ms" })
class OrderLifecycleIT extends IntegrationTest {

	@Test
	void aThousandOrdersHalfPaidHalfExpiredWithPaymentsRacingTheTimeoutEndConsistent() {
		int count = 1000;
		List<String> tokens = this.api.newShoppers(count, 64);
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), count);
		Map<String, String> tokenByTicket = new HashMap<>();
		List<Reply> bought = Api.runAll(count, 256,
				(i) -> this.api.purchaseAsync(sale, sale.item(), tokens.get(i), "buy-" + i));
		for (int i = 0; i < count; i++) {
			assertThat(bought.get(i).status()).isEqualTo(202);
			tokenByTicket.put(bought.get(i).text("ticket"), tokens.get(i));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> orders(sale, "%") == count);
		List<Map<String, Object>> rows = this.jdbc
			.queryForList("SELECT id, ticket FROM orders WHERE item_id = ? ORDER BY id", sale.item());

		// Half are paid at a random moment between now and well past the 3 s timeout:
		// some win, some
		// lose the race with the expiry. The other half are never paid.
		ScheduledExecutorService payers = Executors.newScheduledThreadPool(4);
		Map<Long, CompletableFuture<Reply>> payments = new HashMap<>();
		for (int i = 0; i < rows.size(); i += 2) {
			long orderId = ((Number) rows.get(i).get("id")).longValue();
			String token = tokenByTicket.get((String) rows.get(i).get("ticket"));
			CompletableFuture<Reply> payment = new CompletableFuture<>();
			payers.schedule(
					() -> this.api.sendAsync("POST", "/api/v1/orders/" + orderId + "/payment", token, null, Map.of())
						.whenComplete((reply, failure) -> {
							if (failure != null) {
								payment.completeExceptionally(failure);
							}
							else {
								payment.complete(reply);
							}
						}),
					ThreadLocalRandom.current().nextLong(0, 4500), TimeUnit.MILLISECONDS);
			payments.put(orderId, payment);
		}
		payments.values().forEach(CompletableFuture::join);
		payers.shutdown();
		await().atMost(Duration.ofSeconds(30)).until(() -> orders(sale, "CREATED") == 0);

		int won = 0;
		for (Map.Entry<Long, CompletableFuture<Reply>> payment : payments.entrySet()) {
			Reply reply = payment.getValue().join();
			String status = this.jdbc.queryForObject("SELECT status FROM orders WHERE id = ?", String.class,
					payment.getKey());
			if (reply.status() == 200) {
				assertThat(reply.text("status")).isEqualTo("PAID");
				assertThat(status).isEqualTo("PAID");
				won++;
			}
			else {
				assertThat(reply.code()).isEqualTo("ORDER_CANCELLED");
				assertThat(status).isEqualTo("CANCELLED");
			}
		}
		long paid = orders(sale, "PAID");
		long cancelled = orders(sale, "CANCELLED");
		assertThat(paid).isEqualTo(won).isPositive();
		assertThat(cancelled).isGreaterThanOrEqualTo(count / 2);
		assertThat(paid + cancelled).isEqualTo(count);
		awaitStockConserved(sale, count, (int) paid);

		// The freed units are sold again, to the very shoppers whose orders expired:
		// their slots are free.
		List<String> expiredBuyers = this.jdbc
			.queryForList("SELECT ticket FROM orders WHERE item_id = ? AND status = 'CANCELLED'", String.class,
					sale.item())
			.stream()
			.map(tokenByTicket::get)
			.toList();
		List<Reply> again = Api.runAll(expiredBuyers.size(), 128,
				(i) -> this.api.purchaseAsync(sale, sale.item(), expiredBuyers.get(i), "again-" + i));
		assertThat(again).allSatisfy((reply) -> assertThat(reply.status()).isEqualTo(202));
		// Each written as an order (they may expire again later: the timeout is short).
		for (int i = 0; i < again.size(); i++) {
			assertThat(this.api.awaitTicket(again.get(i).text("ticket"), expiredBuyers.get(i), Duration.ofSeconds(60))
				.text("status")).isEqualTo("SUCCESS");
		}
	}

	@Test
	void payingTwiceIsIdempotentAndOnlyTheBuyerMayPay() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String buyer = this.api.newShopper();
		long orderId = buyAndAwaitOrder(sale, buyer);

		assertThat(this.api.post("/api/v1/orders/" + orderId + "/payment", this.api.newShopper(), null).status())
			.isEqualTo(404);
		assertThat(this.api.post("/api/v1/orders/" + orderId + "/payment", buyer, null).text("status"))
			.isEqualTo("PAID");
		assertThat(this.api.post("/api/v1/orders/" + orderId + "/payment", buyer, null).text("status"))
			.isEqualTo("PAID");
		assertThat(this.api.post("/api/v1/orders/987654321/payment", buyer, null).status()).isEqualTo(404);
	}

	@Test
	void anAdminCancellingAPaidOrderPutsTheUnitBackForAnyoneIncludingTheBuyer() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 1);
		String buyer = this.api.newShopper();
		long orderId = buyAndAwaitOrder(sale, buyer);
		this.api.post("/api/v1/orders/" + orderId + "/payment", buyer, null);
		assertThat(this.api.purchase(sale, sale.item(), this.api.newShopper()).code()).isEqualTo("SOLD_OUT");

		Reply cancelled = this.api.post("/api/v1/admin/orders/" + orderId + "/cancel", this.api.adminToken(), null);
		assertThat(cancelled.text("status")).isEqualTo("CANCELLED");
		assertThat(this.api.post("/api/v1/admin/orders/" + orderId + "/cancel", this.api.adminToken(), null)
			.text("status")).isEqualTo("CANCELLED");

		awaitStockConserved(sale, 1, 0);
		assertThat(this.api.purchase(sale, sale.item(), buyer).status()).isEqualTo(202);
	}

	@Test
	void stockRaisedDuringASaleSellsAtOnceOnEveryNode() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 1);
		buyAndAwaitOrder(sale, this.api.newShopper());
		// The sold-out answer sets this node's local flag.
		assertThat(this.api.purchase(sale, sale.item(), this.api.newShopper()).code()).isEqualTo("SOLD_OUT");

		Reply raised = this.api.post("/api/v1/admin/activities/" + sale.id() + "/items/" + sale.item() + "/stock",
				this.api.adminToken(), "{\"add\":2}");

		assertThat(raised.status()).isEqualTo(200);
		assertThat(raised.body().path("items").get(0).path("stock").asInt()).isEqualTo(3);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.api.purchase(sale, sale.item(), this.api.newShopper()).status() == 202);
		assertThat(this.jdbc.queryForObject("SELECT stock FROM items WHERE id = ?", Integer.class, sale.item()))
			.isEqualTo(3);
	}

	private long buyAndAwaitOrder(Activity sale, String token) {
		Reply bought = this.api.purchase(sale, sale.item(), token);
		Reply result = this.api.awaitTicket(bought.text("ticket"), token, Duration.ofSeconds(20));
		assertThat(result.text("status")).isEqualTo("SUCCESS");
		return result.body().path("orderId").asLong();
	}

	private long orders(Activity sale, String status) {
		return this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ? AND status LIKE ?", Long.class,
				sale.item(), status);
	}

	/**
	 * Set stock = database remaining + live orders, and Redis remaining = database
	 * remaining.
	 */
	private void awaitStockConserved(Activity sale, int stock, int live) {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			int remaining = this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class,
					sale.item());
			assertThat(remaining + live).isEqualTo(stock);
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM redis_stock_outbox", Long.class)).isZero();
			assertThat(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item())))
				.isEqualTo(Integer.toString(remaining));
		});
	}

}
