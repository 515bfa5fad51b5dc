package io.seckill.order.internal;

import java.time.Duration;
import java.util.List;

import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer places a purchase in the slot Redis gave it; when the database still holds
 * that slot (a cancellation freed a lower one, or Redis lost its buyers), the database
 * decides: the buyer's lowest free slot, or LIMIT_REACHED with the unit given back.
 */
class SlotConflictIT extends IntegrationTest {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Test
	void aPurchaseWhoseSlotTheDatabaseStillHoldsTakesTheBuyersFreeSlot() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), Duration.ofHours(1), 0, 2, 5);
		String token = this.api.newShopper();
		buy(sale, token);
		buy(sale, token);
		long user = userOf(sale);
		// Slot 1 cancelled as the expiry would: its unit and the buyer's count go back.
		this.jdbc.update("UPDATE orders SET status = 'CANCELLED' WHERE item_id = ? AND slot = 1", sale.item());
		this.jdbc.update("UPDATE items SET remaining = remaining + 1 WHERE id = ?", sale.item());
		this.redis.opsForHash().increment(this.keys.stock(sale.id()), Long.toString(sale.item()), 1);
		this.redis.opsForHash().increment(this.keys.buyers(sale.id(), sale.item()), Long.toString(user), -1);

		// Redis counts one unit held and hands out slot 2, which the database still
		// holds.
		assertThat(buy(sale, token).text("status")).isEqualTo("SUCCESS");

		assertThat(this.jdbc.queryForList(
				"SELECT slot FROM orders WHERE item_id = ? AND status <> 'CANCELLED' ORDER BY slot", Integer.class,
				sale.item()))
			.containsExactly(1, 2);
		assertThat(remainingInDatabase(sale)).isEqualTo(3);
		assertThat(remainingInRedis(sale)).isEqualTo(3);
	}

	@Test
	void aBuyerRedisForgotIsRefusedAtTheLimitAndTheUnitGoesBack() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), Duration.ofHours(1), 0, 2, 5);
		String token = this.api.newShopper();
		buy(sale, token);
		buy(sale, token);
		// Redis lost its record of this buyer: it admits a third purchase, in slot 1.
		this.redis.delete(this.keys.buyers(sale.id(), sale.item()));

		Reply third = buy(sale, token);

		assertThat(third.text("status")).isEqualTo("FAILED");
		assertThat(third.text("reason")).isEqualTo("LIMIT_REACHED");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ?", Long.class, sale.item()))
			.isEqualTo(2);
		assertThat(remainingInDatabase(sale)).isEqualTo(3);
		assertThat(remainingInRedis(sale)).isEqualTo(3);
	}

	private Reply buy(Activity sale, String token) {
		Reply queued = this.api.purchase(sale, sale.item(), token);
		assertThat(queued.status()).isEqualTo(202);
		return this.api.awaitTicket(queued.text("ticket"), token, WAIT);
	}

	private long userOf(Activity sale) {
		List<Long> users = this.jdbc.queryForList("SELECT DISTINCT user_id FROM orders WHERE item_id = ?", Long.class,
				sale.item());
		assertThat(users).hasSize(1);
		return users.get(0);
	}

	private int remainingInDatabase(Activity sale) {
		return this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item());
	}

	private int remainingInRedis(Activity sale) {
		return Integer
			.parseInt((String) this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item())));
	}

}
