package io.seckill.purchase;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Where purchases need no purchase token (behind a gateway that stops bots), a sale's
 * waiting room still cannot be skipped: the purchase itself asks for the pass.
 */
@TestPropertySource(properties = "seckill.purchase-token.required=false")
class WaitingRoomWithoutTokensIT extends IntegrationTest {

	@Test
	void aPurchaseWithoutATokenNeedsThePass() {
		String shopper = this.api.newShopper();
		String other = this.api.newShopper();
		Instant start = Instant.now().plusSeconds(2);
		Activity sale = this.api.newWaitingRoomSale(start, 5, 100, "PT30S", "PT1H");
		String path = "/api/v1/activities/" + sale.id() + "/waiting-room";
		assertThat(this.api.post(path, shopper, null).status()).isEqualTo(201);
		assertThat(this.api.post(path, other, null).status()).isEqualTo(201);
		String[] passes = new String[2];
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			passes[0] = this.api.get(path, shopper).text("pass");
			passes[1] = this.api.get(path, other).text("pass");
			return !passes[0].isEmpty() && !passes[1].isEmpty();
		});

		Reply without = purchase(sale, shopper, Map.of());
		assertThat(without.status()).isEqualTo(403);
		assertThat(without.code()).isEqualTo("WAITING_ROOM_PASS_REQUIRED");
		assertThat(purchase(sale, shopper, Map.of("Waiting-Room-Pass", passes[1])).code())
			.isEqualTo("WAITING_ROOM_PASS_FOREIGN");
		assertThat(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item())))
			.as("refused before Redis: nothing taken")
			.isEqualTo("5");

		Reply bought = purchase(sale, shopper, Map.of("Waiting-Room-Pass", passes[0]));
		assertThat(bought.status()).isEqualTo(202);
		assertThat(this.api.awaitTicket(bought.text("ticket"), shopper, Duration.ofSeconds(20)).text("status"))
			.isEqualTo("SUCCESS");
	}

	private Reply purchase(Activity sale, String shopper, Map<String, String> headers) {
		return this.api.send("POST", sale.purchasePath(sale.item()), shopper, null, headers);
	}

}
