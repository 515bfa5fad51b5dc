package io.seckill.purchase;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.TwoNodeTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-shopper and per-IP limits held jointly by two API nodes sharing one Redis, and
 * X-Forwarded-For believed from a trusted proxy only. This node (A) trusts the loopback
 * address as a proxy; node B trusts none, so our X-Forwarded-For is a spoof to it.
 */
@TestPropertySource(properties = { "seckill.purchase-token.rate-limit=4", "seckill.purchase-token.ip-rate-limit=6",
		"seckill.purchase-token.rate-window=20s", "seckill.purchase.ip-rate-limit=3",
		"seckill.purchase.rate-window=20s", "seckill.web.trusted-proxies=127.0.0.1/32,::1" })
class ClientLimitsIT extends TwoNodeTest {

	@Override
	protected Map<String, String> secondNodeSettings() {
		return Map.of("seckill.web.trusted-proxies", "10.255.255.1/32");
	}

	@Test
	void theTwoNodesHoldOnePerShopperLimitOnTokens() {
		String shopper = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 100);

		for (int i = 0; i < 4; i++) {
			Api node = (i % 2 == 0) ? this.api : this.b;
			assertThat(node.purchaseTokenAsync(sale, sale.item(), shopper).join().status()).isEqualTo(201);
		}
		Reply onA = this.api.purchaseTokenAsync(sale, sale.item(), shopper).join();
		Reply onB = this.b.purchaseTokenAsync(sale, sale.item(), shopper).join();

		assertLimited(onA, 20);
		assertLimited(onB, 20);
	}

	@Test
	void theTwoNodesHoldOnePerIpLimitOnTokensAndOnPurchases() {
		List<String> shoppers = this.api.newShoppers(7, 7);
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 100);

		// Six token requests from this address, spread over both nodes, then the seventh
		// is one too many wherever it lands.
		List<String> tokens = new java.util.ArrayList<>();
		for (int i = 0; i < 6; i++) {
			Api node = (i % 2 == 0) ? this.api : this.b;
			tokens.add(node.purchaseToken(sale, sale.item(), shoppers.get(i)));
		}
		assertLimited(this.b.purchaseTokenAsync(sale, sale.item(), shoppers.get(6)).join(), 20);

		// Purchases have their own per-IP limit (3), counted by the admission script.
		for (int i = 0; i < 3; i++) {
			Api node = (i % 2 == 0) ? this.b : this.api;
			assertThat(node.purchaseWithTokenAsync(sale, sale.item(), shoppers.get(i), tokens.get(i), null)
				.join()
				.status()).isEqualTo(202);
		}
		assertLimited(this.api.purchaseWithTokenAsync(sale, sale.item(), shoppers.get(3), tokens.get(3), null).join(),
				20);
		assertThat(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()))).isEqualTo("97");
	}

	@Test
	void aTrustedProxysForwardedAddressIsTheClient() {
		List<String> shoppers = this.api.newShoppers(8, 8);
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 100);

		for (int i = 0; i < 6; i++) {
			assertThat(tokenVia(this.api, sale, shoppers.get(i), "198.51.100.1").status()).isEqualTo(201);
		}

		assertLimited(tokenVia(this.api, sale, shoppers.get(6), "198.51.100.1"), 20);
		// Another client behind the same proxy has its own budget, and so does the proxy.
		assertThat(tokenVia(this.api, sale, shoppers.get(7), "198.51.100.2").status()).isEqualTo(201);
	}

	@Test
	void aSpoofedForwardedAddressFromAnUntrustedPeerIsIgnored() {
		List<String> shoppers = this.api.newShoppers(7, 7);
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 100);

		// Node B does not trust us: a new X-Forwarded-For per request buys no new budget.
		for (int i = 0; i < 6; i++) {
			assertThat(tokenVia(this.b, sale, shoppers.get(i), "203.0.113." + i).status()).isEqualTo(201);
		}

		assertLimited(tokenVia(this.b, sale, shoppers.get(6), "203.0.113.99"), 20);
	}

	private static Reply tokenVia(Api node, Activity sale, String shopper, String forwardedFor) {
		return node.send("POST", sale.purchasePath(sale.item()).replace("/purchases", "/purchase-tokens"), shopper,
				null, Map.of("X-Forwarded-For", forwardedFor));
	}

	private static void assertLimited(Reply reply, long windowSeconds) {
		assertThat(reply.status()).as("%s", reply).isEqualTo(429);
		assertThat(reply.code()).isEqualTo("RATE_LIMITED");
		assertThat(Long.parseLong(reply.headers().get("retry-after").get(0))).isBetween(1L, windowSeconds);
	}

}
