package io.seckill.purchase;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Invariants 2 and 5: one shopper hammering the button gets one order. */
class SameShopperIT extends IntegrationTest {

	@Test
	void fiftyConcurrentRequestsOfOneShopperMakeOneOrder() {
		String token = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10);

		// Half reuse one idempotency key (a retrying client), half use a fresh key each
		// (a frantic one).
		List<Reply> replies = Api.runAll(50, 50,
				(i) -> this.api.purchaseAsync(sale, sale.item(), token, (i % 2 == 0) ? "same-key" : "key-" + i));

		Set<String> tickets = new HashSet<>();
		for (Reply reply : replies) {
			if (reply.status() == 202) {
				tickets.add(reply.text("ticket"));
			}
			else {
				assertThat(reply.code()).isEqualTo("LIMIT_REACHED");
			}
		}
		assertThat(tickets).hasSize(1);
		String ticket = tickets.iterator().next();
		assertThat(this.api.awaitTicket(ticket, token, Duration.ofSeconds(30)).text("status")).isEqualTo("SUCCESS");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ?", Long.class, sale.item()))
			.isOne();
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item()))
			.isEqualTo(9);
	}

	@Test
	void aShopperWithALimitOfThreeGetsExactlyThreeOrdersInThreeSlots() {
		String token = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), Duration.ofHours(1), 0, 3, 10);

		List<Reply> replies = Api.runAll(12, 12, (i) -> this.api.purchaseAsync(sale, sale.item(), token, "slot-" + i));

		List<String> tickets = replies.stream()
			.filter((reply) -> reply.status() == 202)
			.map((reply) -> reply.text("ticket"))
			.toList();
		assertThat(tickets).hasSize(3);
		replies.stream()
			.filter((reply) -> reply.status() != 202)
			.forEach((reply) -> assertThat(reply.code()).isEqualTo("LIMIT_REACHED"));
		tickets
			.forEach((ticket) -> assertThat(this.api.awaitTicket(ticket, token, Duration.ofSeconds(30)).text("status"))
				.isEqualTo("SUCCESS"));
		assertThat(this.jdbc.queryForList("SELECT slot FROM orders WHERE item_id = ? ORDER BY slot", Integer.class,
				sale.item()))
			.containsExactly(1, 2, 3);
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item()))
			.isEqualTo(7);
	}

	@Test
	void aRetryWithTheSameKeyGetsTheFirstAnswerEvenAfterTheSellOut() {
		String first = this.api.newShopper();
		String second = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 1);

		// A client whose answer was lost retries the same request: same token, same key.
		String purchaseToken = this.api.purchaseToken(sale, sale.item(), first);
		Reply bought = this.api.purchaseWithTokenAsync(sale, sale.item(), first, purchaseToken, "retry-me").join();
		Reply soldOut = this.api.purchaseAsync(sale, sale.item(), second, null).join();
		Reply retried = this.api.purchaseWithTokenAsync(sale, sale.item(), first, purchaseToken, "retry-me").join();

		assertThat(bought.status()).isEqualTo(202);
		assertThat(soldOut.code()).isEqualTo("SOLD_OUT");
		assertThat(retried.status()).isEqualTo(202);
		assertThat(retried.text("ticket")).isEqualTo(bought.text("ticket"));
	}

	@Test
	void afterTheSellOutAKeyThatWasNeverAdmittedIsSoldOutAndAKnownOneIsReplayed() {
		String buyer = this.api.newShopper();
		String latecomer = this.api.newShopper();
		String third = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 1);
		String buyersToken = this.api.purchaseToken(sale, sale.item(), buyer);
		String latecomersToken = this.api.purchaseToken(sale, sale.item(), latecomer);
		Reply bought = this.api.purchaseWithTokenAsync(sale, sale.item(), buyer, buyersToken, "first-try").join();
		assertThat(this.api.purchaseAsync(sale, sale.item(), third, null).join().code()).isEqualTo("SOLD_OUT");

		// Both answered from the node's sold-out flag, each after a lookup of its key
		// (one
		// MGET when they arrive together).
		java.util.concurrent.CompletableFuture<Reply> late = this.api.purchaseWithTokenAsync(sale, sale.item(),
				latecomer, latecomersToken, "never-admitted");
		java.util.concurrent.CompletableFuture<Reply> retried = this.api.purchaseWithTokenAsync(sale, sale.item(),
				buyer, buyersToken, "first-try");

		assertThat(late.join().code()).isEqualTo("SOLD_OUT");
		assertThat(retried.join().status()).isEqualTo(202);
		assertThat(retried.join().text("ticket")).isEqualTo(bought.text("ticket"));
	}

}
