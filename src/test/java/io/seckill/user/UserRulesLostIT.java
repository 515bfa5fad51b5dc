package io.seckill.user;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A blacklisting survives Redis losing its data: nodes keep it, an admin node restores
 * it.
 */
class UserRulesLostIT extends IntegrationTest {

	@Test
	void aBlacklistedShopperStaysBlockedWhenRedisForgetsTheRules() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String name = Api.uniqueName("banned");
		long id = this.api.register(name, "password123").body().path("id").asLong();
		String token = this.api.logIn(name, "password123");
		this.api.send("PATCH", "/api/v1/admin/users/" + name, this.api.adminToken(), "{\"blacklisted\":true}",
				Map.of());
		assertThat(this.api.get("/api/v1/orders", token).status()).isEqualTo(401);
		token = this.api.logIn(name, "password123");

		this.redis.delete(List.of(this.keys.userRules(), this.keys.userRulesVersion()));

		assertThat(this.api.purchase(sale, sale.item(), token).code()).isEqualTo("NOT_ELIGIBLE");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.redis.opsForHash().get(this.keys.userRules(), Long.toString(id)) != null);
		assertThat(this.redis.opsForHash().get(this.keys.userRules(), Long.toString(id))).isEqualTo("0|1|1");
		assertThat(this.api.purchase(sale, sale.item(), token).code()).isEqualTo("NOT_ELIGIBLE");
	}

}
