package io.seckill.purchase;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.seckill.platform.redis.ClusterDuties;
import io.seckill.support.Api.Activity;
import io.seckill.support.TwoNodeTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker admitting a waiting room's line dies in the middle of it (its duties halt,
 * its lease is left to run out): the other worker takes the line over where it stopped,
 * and everyone in line is admitted exactly once, in the line's order.
 */
class WaitingRoomFailoverIT extends TwoNodeTest {

	@Autowired
	private ClusterDuties duties;

	@Override
	protected Map<String, String> secondNodeSettings() {
		return Map.of("seckill.roles", "api,worker", "seckill.worker.node-name", "line-failover-second-node");
	}

	@Test
	void theLineGoesOnWhereItStoppedWhenTheAdmittingWorkerDies() {
		ClusterDuties other = secondNode().bean(ClusterDuties.class);
		List<String> shoppers = this.api.newShoppers(30, 8);
		Instant start = Instant.now().plusSeconds(2);
		Activity sale = this.api.newWaitingRoomSale(start, 100, 4, "PT60S", "PT1H");
		for (String shopper : shoppers) {
			assertThat(this.api.post("/api/v1/activities/" + sale.id() + "/waiting-room", shopper, null).status())
				.isEqualTo(201);
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> this.duties.held() || other.held());
		ClusterDuties admitting = this.duties.held() ? this.duties : other;
		ClusterDuties survivor = (admitting == this.duties) ? other : this.duties;
		await().atMost(Duration.ofSeconds(20)).until(() -> admitted(sale) >= 8);
		try {
			admitting.halt();
			long atDeath = admitted(sale);
			assertThat(atDeath).isLessThan(30);
			await().atMost(Duration.ofSeconds(30)).until(() -> admitted(sale) == 30);
			assertThat(survivor.held()).isTrue();
		}
		finally {
			admitting.start();
		}
		JsonNode draw = draw(sale);
		Set<Long> once = new HashSet<>();
		draw.path("head").forEach((place) -> once.add(place.path("userId").asLong()));
		assertThat(once).as("everyone in line, once").hasSize(30);
		assertThat(this.redis.opsForHash().size(this.keys.linePasses(sale.id()))).as("one pass each").isEqualTo(30);
		assertThat(draw.path("outstanding").asLong()).isEqualTo(30);
	}

	private long admitted(Activity sale) {
		return draw(sale).path("admitted").asLong();
	}

	private JsonNode draw(Activity sale) {
		return this.api.get("/api/v1/admin/activities/" + sale.id() + "/waiting-room", this.api.adminToken()).body();
	}

}
