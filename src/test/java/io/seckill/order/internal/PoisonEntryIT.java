package io.seckill.order.internal;

import java.time.Duration;
import java.util.Map;

import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An entry the database refuses on its own must not block the purchases queued around it.
 */
class PoisonEntryIT extends IntegrationTest {

	@Test
	void anEntryTheDatabaseRefusesIsDeadLetteredAndTheOthersAreWritten() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String token = this.api.newShopper();
		String poisonTicket = sale.id() + "-" + "f".repeat(32);
		// Well-formed, but names a user that does not exist: the insert breaks a foreign
		// key, every time.
		this.redis.opsForStream()
			.add(this.keys.orders(sale.id()), Map.of("t", poisonTicket, "a", Long.toString(sale.id()), "i",
					Long.toString(sale.item()), "u", "987654321", "s", "1"));

		Reply bought = this.api.purchase(sale, sale.item(), token);
		Reply result = this.api.awaitTicket(bought.text("ticket"), token, Duration.ofSeconds(30));

		assertThat(result.text("status")).isEqualTo("SUCCESS");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.redis.opsForStream().size(this.keys.deadLetters(sale.id())) == 1);
		assertThat(this.redis.opsForValue().get(this.keys.ticket(sale.id(), poisonTicket)))
			.isEqualTo("F|987654321|INTERNAL_ERROR");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE activity_id = ?", Long.class, sale.id()))
			.isOne();
		assertThat(this.redis.opsForStream().size(this.keys.orders(sale.id()))).isZero();

		Reply dead = this.api.get("/api/v1/admin/activities/" + sale.id() + "/dead-letters", this.api.adminToken());
		assertThat(dead.status()).isEqualTo(200);
		assertThat(dead.body().path("count").asLong()).isOne();
		assertThat(dead.body().path("entries").get(0).path("ticket").asString()).isEqualTo(poisonTicket);
		assertThat(dead.body().path("entries").get(0).path("userId").asString()).isEqualTo("987654321");
		assertThat(dead.body().path("entries").get(0).path("error").asString()).isNotBlank();
		assertThat(this.api.get("/api/v1/admin/activities/" + sale.id() + "/dead-letters", token).status())
			.isEqualTo(403);
	}

}
