package io.seckill.activity;

import java.time.Duration;
import java.util.List;

import tools.jackson.databind.JsonNode;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.TwoNodeTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's dashboard counts a sale's requests over the whole cluster: what either
 * node answered, read from either node, the same numbers; refusals before Redis count
 * too, and a made-up sale id leaves no key behind.
 */
class SaleRequestCountsIT extends TwoNodeTest {

	private static final long MADE_UP = 987_654_321L;

	@Test
	void eitherNodeShowsWhatEveryNodeAnsweredForTheSale() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10);
		List<String> shoppers = this.api.newShoppers(5, 5);
		// A sale that does not exist, first (its flush comes before the real
		// sale's counts show): counted on the node only, no key.
		Activity madeUp = new Activity(MADE_UP, List.of(1L));
		assertThat(this.b.purchaseWithTokenAsync(madeUp, 1L, shoppers.get(0), null, "nothing").join().status())
			.isEqualTo(403);
		assertThat(this.b.purchaseTokenAsync(madeUp, 1L, shoppers.get(0)).join().status()).isEqualTo(404);
		for (int i = 0; i < 5; i++) {
			Api node = (i < 3) ? this.api : this.b;
			assertThat(node.purchase(sale, sale.item(), shoppers.get(i)).status()).isEqualTo(202);
		}
		// Refused before Redis (no purchase token): counted for the sale all the same.
		assertThat(this.b.purchaseWithTokenAsync(sale, sale.item(), shoppers.get(0), null, "no-token").join().code())
			.isEqualTo("PURCHASE_TOKEN_MISSING");

		for (Api node : List.of(this.api, this.b)) {
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				JsonNode requests = stats(node, sale).path("requests");
				assertThat(requests.path("admissions").path("QUEUED").asLong()).isEqualTo(5);
				assertThat(requests.path("admissions").path("PURCHASE_TOKEN_MISSING").asLong()).isEqualTo(1);
				assertThat(requests.path("tokenRequests").path("ISSUED").asLong()).isEqualTo(5);
			});
		}
		Long ttl = this.redis.getExpire(this.keys.saleCounts(sale.id()));
		assertThat(ttl).as("the counts expire with the sale's keys").isPositive();
		assertThat(this.redis.hasKey(this.keys.saleCounts(MADE_UP))).isFalse();
	}

	private JsonNode stats(Api node, Activity sale) {
		Reply stats = node.get("/api/v1/admin/activities/" + sale.id() + "/stats", node.adminToken());
		assertThat(stats.status()).isEqualTo(200);
		return stats.body();
	}

}
