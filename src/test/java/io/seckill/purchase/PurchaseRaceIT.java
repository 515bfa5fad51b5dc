package io.seckill.purchase;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariants 1–3 under a crowd: many shoppers, one item, real HTTP and real servers, and
 * a bot hammering the purchase address without valid purchase tokens at the same time.
 */
class PurchaseRaceIT extends IntegrationTest {

	@Autowired
	MeterRegistry meters;

	@Test
	void twoThousandShoppersRacingForOneHundredUnitsBuyExactlyOneHundred() {
		int shoppers = 2000;
		int stock = 100;
		int botRequests = 5000;
		List<String> tokens = this.api.newShoppers(shoppers, 64);
		String bot = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), stock);
		// A real token, stolen from a shopper: bound to that shopper, useless to the bot.
		String stolen = this.api.purchaseToken(sale, sale.item(), tokens.get(0));
		double scriptsBefore = scriptCalls();

		long started = System.nanoTime();
		CompletableFuture<List<Reply>> botReplies = CompletableFuture.supplyAsync(() -> Api.runAll(botRequests, 64,
				(i) -> this.api.purchaseWithTokenAsync(sale, sale.item(), bot, botToken(i, stolen), null)));
		List<Reply> replies = Api.runAll(shoppers, 512,
				(i) -> this.api.purchaseAsync(sale, sale.item(), tokens.get(i), "race-" + i));
		Map<String, Integer> byCode = new HashMap<>();
		Map<String, String> ticketOwner = new HashMap<>();
		for (int i = 0; i < shoppers; i++) {
			Reply reply = replies.get(i);
			String outcome = (reply.status() == 202) ? reply.text("status") : reply.code();
			byCode.merge(outcome, 1, Integer::sum);
			if (reply.status() == 202) {
				ticketOwner.put(reply.text("ticket"), tokens.get(i));
			}
		}
		long admittedAt = System.nanoTime();
		assertThat(byCode).containsEntry("QUEUED", stock).containsEntry("SOLD_OUT", shoppers - stock).hasSize(2);
		Map<String, Integer> botCodes = new HashMap<>();
		botReplies.join().forEach((reply) -> botCodes.merge(reply.status() + " " + reply.code(), 1, Integer::sum));
		assertThat(botCodes).containsOnlyKeys("403 PURCHASE_TOKEN_MISSING", "403 PURCHASE_TOKEN_INVALID",
				"403 PURCHASE_TOKEN_FOREIGN");
		// The bot's 5,000 requests never reached Redis: at most one script per shopper
		// ran.
		assertThat(scriptCalls() - scriptsBefore).isLessThanOrEqualTo(shoppers);

		Set<Long> orderIds = new HashSet<>();
		ticketOwner.forEach((ticket, token) -> {
			Reply result = this.api.awaitTicket(ticket, token, Duration.ofSeconds(30));
			assertThat(result.text("status")).as("ticket %s", ticket).isEqualTo("SUCCESS");
			orderIds.add(result.body().path("orderId").asLong());
		});
		long resolvedAt = System.nanoTime();
		assertThat(orderIds).hasSize(stock);

		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ?", Long.class, sale.item()))
			.isEqualTo(stock);
		assertThat(this.jdbc.queryForObject("SELECT count(DISTINCT user_id) FROM orders WHERE item_id = ?", Long.class,
				sale.item()))
			.isEqualTo(stock);
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item()))
			.isZero();
		assertThat(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()))).isEqualTo("0");
		assertThat(this.redis.opsForStream().size(this.keys.orders(sale.id()))).isZero();

		long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		long peak = ManagementFactory.getMemoryPoolMXBeans()
			.stream()
			.filter((pool) -> pool.getType() == java.lang.management.MemoryType.HEAP)
			.map(MemoryPoolMXBean::getPeakUsage)
			.mapToLong(java.lang.management.MemoryUsage::getUsed)
			.sum();
		System.out.printf(
				"[race] %d shoppers, %d units, a bot sending %d requests: admissions took %d ms, all tickets "
						+ "resolved after %d ms; bot answers %s; heap used %d MiB (sum of pool peaks %d MiB, test JVM "
						+ "includes client and server)%n",
				shoppers, stock, botRequests, (admittedAt - started) / 1_000_000, (resolvedAt - started) / 1_000_000,
				botCodes, heapUsed >> 20, peak >> 20);
	}

	/** No token, a made-up one, or one stolen from another shopper, in turn. */
	private static String botToken(int i, String stolen) {
		return switch (i % 3) {
			case 0 -> null;
			case 1 -> stolen.substring(0, stolen.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAA";
			default -> stolen;
		};
	}

	private double scriptCalls() {
		return this.meters.get("seckill.admission.requests").counter().count();
	}

}
