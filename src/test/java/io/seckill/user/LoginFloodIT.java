package io.seckill.user;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import org.junit.jupiter.api.Test;

import io.seckill.support.IntegrationTest;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood of logins cannot take the sale's CPU: password hashing runs on one thread with
 * a queue of two here (real BCrypt cost 8), everything beyond is refused with 503 rather
 * than queued, and purchases go on meanwhile with exact counts. How much a flood slows
 * purchases is a benchmark line (docs/benchmarks.md), not asserted here.
 */
@TestPropertySource(properties = { "seckill.security.password-strength=8", "seckill.security.hashing.threads=1",
		"seckill.security.hashing.queue=2" })
class LoginFloodIT extends IntegrationTest {

	private static final int FLOOD = 300;

	private static final int SHOPPERS = 20;

	private static final int STOCK = 10;

	@Test
	void aLoginFloodIsRefusedAtOnceWhilePurchasesGoOn() {
		List<String> shoppers = new ArrayList<>();
		for (int i = 0; i < SHOPPERS; i++) {
			shoppers.add(this.api.newShopper());
		}
		String victim = Api.uniqueName("victim");
		this.api.register(victim, "password123");
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), STOCK);

		List<CompletableFuture<Reply>> flood = new ArrayList<>();
		for (int i = 0; i < FLOOD; i++) {
			String name = (i % 2 == 0) ? victim : Api.uniqueName("nobody");
			flood.add(this.api.sendAsync("POST", "/api/v1/sessions", null,
					"{\"username\":\"" + name + "\",\"password\":\"wrong-password-" + i + "\"}", Map.of()));
		}
		List<CompletableFuture<Reply>> purchases = shoppers.stream()
			.map((shopper) -> this.api.purchaseAsync(sale, sale.item(), shopper, Api.uniqueName("key")))
			.toList();

		List<Reply> floodReplies = flood.stream().map(CompletableFuture::join).toList();
		List<Reply> purchaseReplies = purchases.stream().map(CompletableFuture::join).toList();

		// Beyond one hash at work and two waiting, a login is refused at once: no queue
		// grows.
		List<Reply> refused = floodReplies.stream().filter((reply) -> reply.status() == 503).toList();
		assertThat(refused).isNotEmpty();
		assertThat(refused).allSatisfy((reply) -> {
			assertThat(reply.code()).isEqualTo("UNAVAILABLE");
			assertThat(reply.headers().get("retry-after")).containsExactly("1");
		});
		assertThat(floodReplies).allSatisfy((reply) -> assertThat(reply.status()).isIn(401, 503));
		assertThat(purchaseReplies.stream().filter((reply) -> reply.status() == 202)).hasSize(STOCK);
		assertThat(purchaseReplies.stream().filter((reply) -> "SOLD_OUT".equals(reply.code())))
			.hasSize(SHOPPERS - STOCK);
		for (Reply bought : purchaseReplies.stream().filter((reply) -> reply.status() == 202).toList()) {
			int index = purchaseReplies.indexOf(bought);
			assertThat(this.api.awaitTicket(bought.text("ticket"), shoppers.get(index), Duration.ofSeconds(20))
				.text("status")).isEqualTo("SUCCESS");
		}
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE activity_id = ?", Long.class, sale.id()))
			.isEqualTo(STOCK);
	}

}
