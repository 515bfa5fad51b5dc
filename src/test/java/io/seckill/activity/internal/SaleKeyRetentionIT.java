package io.seckill.activity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.seckill.platform.RefusedSetting;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * An ended sale's Redis keys go after the retention period, and only what no longer
 * matters goes: never while its stream holds an entry or the workers read it, never its
 * dead letters, never the tickets (their own TTL); afterwards the sale is answered from
 * the database and a unit given back lands in the database alone.
 */
class SaleKeyRetentionIT extends IntegrationTest {

	@Autowired
	private SaleKeyRetention retention;

	@Test
	void anEndedSalesKeysGoOnceNothingReadsThemAndTheDeadLettersAndTicketsStay() {
		String shopper = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), Duration.ofSeconds(4), 0, 1, 5);
		Reply queued = this.api.purchase(sale, sale.item(), shopper);
		String ticket = queued.text("ticket");
		assertThat(this.api.awaitTicket(ticket, shopper, Duration.ofSeconds(20)).text("status")).isEqualTo("SUCCESS");
		String deadLetters = this.keys.deadLetters(sale.id());
		this.redis.opsForStream().add(deadLetters, java.util.Map.of("reason", "kept for an operator"));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "ENDED".equals(this.api.get("/api/v1/activities/" + sale.id(), null).text("state")));

		// The workers still read its stream (they drop it 10 minutes after the end):
		// kept.
		assertThat(this.retention.removeEndedBefore(Instant.now())).isEmpty();
		assertThat(this.redis.hasKey(this.keys.meta(sale.id()))).isTrue();

		// What the workers do 10 minutes after the end, done here rather than waited for.
		this.redis.opsForSet().remove(this.keys.orderStreams(), this.keys.orders(sale.id()));
		assertThat(this.retention.removeEndedBefore(Instant.now())).containsExactly(sale.id());
		assertThat(this.redis.getExpire(this.keys.meta(sale.id()))).isPositive();
		assertThat(this.redis.getExpire(this.keys.limits(sale.id()))).isPositive();
		assertThat(List.of(this.keys.stock(sale.id()), this.keys.buyers(sale.id(), sale.item()),
				this.keys.orders(sale.id())))
			.allSatisfy((key) -> assertThat(this.redis.hasKey(key)).as(key).isFalse());
		assertThat(this.redis.opsForStream().size(deadLetters)).isOne();
		assertThat(this.api.get("/api/v1/purchases/" + ticket, shopper).text("status")).isEqualTo("SUCCESS");
		assertThat(this.retention.removeEndedBefore(Instant.now())).isEmpty();

		Reply shown = this.api.get("/api/v1/activities/" + sale.id(), null);
		assertThat(shown.status()).isEqualTo(200);
		assertThat(shown.body().path("items").get(0).path("remaining").asInt()).isEqualTo(4);
		Reply token = this.api.post(sale.purchasePath(sale.item()).replace("/purchases", "/purchase-tokens"), shopper,
				null);
		assertThat(token.code()).isEqualTo("ENDED");

		// A cancelled order's unit goes back to the database; no stray stock key appears.
		long orderId = this.jdbc.queryForObject("SELECT id FROM orders WHERE ticket = ?", Long.class, ticket);
		assertThat(this.api.post("/api/v1/admin/orders/" + orderId + "/cancel", this.api.adminToken(), null).status())
			.isEqualTo(200);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM redis_stock_outbox", Long.class) == 0);
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item()))
			.isEqualTo(5);
		assertThat(this.redis.hasKey(this.keys.stock(sale.id()))).isFalse();
	}

	@Test
	void aRetentionShorterThanWhatStillReadsAnEndedSaleIsRefused() {
		assertThatExceptionOfType(RefusedSetting.class)
			.isThrownBy(() -> new SaleKeyRetention(null, null, null, null, null, Duration.ofMinutes(5)))
			.withMessageContaining("seckill.redis.sale-key-retention");
	}

}
