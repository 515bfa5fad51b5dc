package io.seckill.platform.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import io.seckill.support.RedisClusterServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the Redis Cluster primary that holds a sale, in the middle of the sale, with
 * replica acknowledgements on: the cluster promotes the primary's replica, the node
 * follows the new topology, the sale goes on to sell exactly its stock, and no purchase
 * told {@code QUEUED} is lost (each ticket ends SUCCESS, an order, or FAILED); nobody
 * gets two orders. Answers given during the failover are {@code 503} and are retried with
 * the same key, as a client does. The replication watch reads every shard (a replica
 * each) and counts the failover.
 */
@TestPropertySource(properties = { "seckill.purchase.replica-acks=1", "seckill.purchase.replica-ack-timeout=1s",
		"spring.data.redis.timeout=3s", "seckill.redis.replication-check-interval=500ms" })
class RedisClusterFailoverIT extends IntegrationTest {

	private static int killed;

	@Autowired
	private MeterRegistry meters;

	@DynamicPropertySource
	static void cluster(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.cluster.nodes", () -> RedisClusterServers.started().nodes());
	}

	/** The cluster as the other tests expect it: every node up, a replica per primary. */
	@AfterAll
	static void bringTheKilledNodeBack() throws IOException {
		RedisClusterServers cluster = RedisClusterServers.started();
		if (killed != 0) {
			cluster.restart(killed);
		}
		cluster.awaitHealthy();
	}

	@Test
	void killingTheSalesPrimaryLosesNoQueuedPurchase() throws IOException {
		RedisClusterServers cluster = RedisClusterServers.started();
		int stock = 300;
		int shoppers = 600;
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), stock);
		List<String> tokens = this.api.newShoppers(shoppers, 64);
		int primary = cluster.primaryOf(this.keys.orders(sale.id()));
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(replicasPerShard()).containsOnly(1.0));
		double failoversBefore = this.meters.get("seckill.redis.primary.changes").counter().count();

		// A steady crowd (8 at a time, 20 ms apart each): the kill lands mid-sale.
		AtomicInteger answered = new AtomicInteger();
		CompletableFuture<List<Reply>> crowd = CompletableFuture
			.supplyAsync(() -> Api.runAll(shoppers, 8, (i) -> CompletableFuture.runAsync(() -> {
			}, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))
				.thenCompose((ready) -> this.api.purchaseAsync(sale, sale.item(), tokens.get(i), "key-" + i))
				.whenComplete((reply, ex) -> answered.incrementAndGet())));
		await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() >= 60);
		killed = primary;
		cluster.kill(primary);
		long killedAt = System.nanoTime();
		// Promoted, the replica stands alone and acknowledges nothing (503 with the
		// ticket) until the old primary is back as its replica, as an operator would
		// bring it.
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> cluster.primaryOf(this.keys.orders(sale.id())) != primary);
		long promotedAt = System.nanoTime();
		cluster.restart(primary);
		killed = 0;
		List<Reply> replies = new ArrayList<>(crowd.join());

		// A shopper without a ticket tries again with the same key, as a client does; one
		// with a ticket (QUEUED, or 503 whose outcome is unknown) follows the ticket.
		long deadline = killedAt + Duration.ofSeconds(60).toNanos();
		List<Integer> open = withoutTicket(replies);
		while (!open.isEmpty() && System.nanoTime() < deadline) {
			for (int i : open) {
				replies.set(i, this.api.purchaseAsync(sale, sale.item(), tokens.get(i), "key-" + i).join());
			}
			open = withoutTicket(replies);
		}
		long settledAt = System.nanoTime();
		assertThat(open).as("shoppers with neither a ticket nor SOLD_OUT a minute after the kill").isEmpty();
		assertThat(cluster.primaryOf(this.keys.orders(sale.id()))).as("the replica took over").isNotEqualTo(primary);

		Map<String, Integer> outcomes = new HashMap<>();
		Set<Long> promisedOrders = new HashSet<>();
		for (int i = 0; i < shoppers; i++) {
			Reply reply = replies.get(i);
			String outcome = (reply.status() == 202) ? "QUEUED" : reply.status() + " " + reply.code();
			String ticket = reply.text("ticket");
			if (ticket != null && !ticket.isEmpty()) {
				Reply result = this.api.awaitTicket(ticket, tokens.get(i), Duration.ofSeconds(60));
				// A QUEUED ticket must resolve; an unacknowledged one may have been lost
				// with the primary (404), which is why it was not told QUEUED.
				if (reply.status() == 202) {
					assertThat(result.status()).as("QUEUED ticket %s", ticket).isEqualTo(200);
				}
				outcome += " then " + ((result.status() == 200) ? result.text("status") : result.status());
				if (result.status() == 200 && "SUCCESS".equals(result.text("status"))) {
					promisedOrders.add(result.body().path("orderId").asLong());
				}
			}
			outcomes.merge(outcome, 1, Integer::sum);
		}
		List<Long> buyers = this.jdbc.queryForList("SELECT user_id FROM orders WHERE item_id = ?", Long.class,
				sale.item());
		List<Long> orders = this.jdbc.queryForList("SELECT id FROM orders WHERE item_id = ?", Long.class, sale.item());
		System.out.printf("[cluster failover] killed the primary on port %d after 60 answers; its replica promoted "
				+ "%d ms later; every shopper had a ticket or SOLD_OUT %d ms after the kill; answers then tickets: "
				+ "%s; %d orders, %d of them on tickets that ended SUCCESS%n", primary,
				(promotedAt - killedAt) / 1_000_000, (settledAt - killedAt) / 1_000_000, outcomes, orders.size(),
				promisedOrders.size());
		assertThat(outcomes).containsKey("QUEUED then SUCCESS");
		assertThat(outcomes.keySet()).as("every QUEUED ticket ended SUCCESS or FAILED")
			.allMatch((outcome) -> !outcome.startsWith("QUEUED") || outcome.equals("QUEUED then SUCCESS")
					|| outcome.equals("QUEUED then FAILED"));
		assertThat(orders).as("every ticket that ended SUCCESS is an order").containsAll(promisedOrders);
		assertThat(buyers).as("nobody has two orders").doesNotHaveDuplicates();
		// 60 answers before the kill: the rest of the units were sold by the new primary.
		assertThat(orders).as("the sale went on after the failover and sold out, not over").hasSize(stock);
		// Seen by the watch (what SeckillRedisFailover and SeckillRedisReplicaMissing
		// read):
		// a new primary in the shard, and its replica back once the old one rejoined.
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(this.meters.get("seckill.redis.primary.changes").counter().count())
				.isGreaterThan(failoversBefore);
			assertThat(replicasPerShard()).containsOnly(1.0);
		});
	}

	/** The watch's replicas in sync, one reading per shard (3 shards). */
	private List<Double> replicasPerShard() {
		List<Double> replicas = this.meters.find("seckill.redis.replicas").gauges().stream().map(Gauge::value).toList();
		assertThat(replicas).hasSize(3);
		return replicas;
	}

	/** Shoppers whose last answer neither carries a ticket nor says SOLD_OUT. */
	private static List<Integer> withoutTicket(List<Reply> replies) {
		List<Integer> open = new ArrayList<>();
		for (int i = 0; i < replies.size(); i++) {
			Reply reply = replies.get(i);
			String ticket = reply.text("ticket");
			if ((ticket == null || ticket.isEmpty()) && !"SOLD_OUT".equals(reply.code())) {
				open.add(i);
			}
		}
		return open;
	}

}
