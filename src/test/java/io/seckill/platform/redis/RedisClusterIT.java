package io.seckill.platform.redis;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.RedisClusterServers;
import io.seckill.support.TwoNodeTest;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes on a real Redis Cluster (3 primaries, 3 replicas,
 * {@link RedisClusterServers}): sales whose keys sit on different primaries sell exactly
 * their stock at once (the worker reads streams of several slots), and what one node
 * changes reaches the other across shards (the rules' keys, the activity-changed
 * pub/sub).
 */
class RedisClusterIT extends TwoNodeTest {

	@Autowired
	RedisConnectionFactory connections;

	@DynamicPropertySource
	static void cluster(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.cluster.nodes", () -> RedisClusterServers.started().nodes());
	}

	@Override
	protected Map<String, String> secondNodeSettings() {
		// Only the pub/sub message may clear the second node's sold-out flags; its
		// purchases wait for a replica of the primary that holds them.
		return Map.of("seckill.purchase.sold-out-recheck", "1h", "seckill.purchase.replica-acks", "1",
				"seckill.purchase.replica-ack-timeout", "2s");
	}

	@Test
	void theNodesUseTheClusterNotTheStandaloneUrl() {
		assertThat(((LettuceConnectionFactory) this.connections).isClusterAware()).isTrue();
	}

	@Test
	void twoSalesOnDifferentPrimariesSellExactlyTheirStockAtOnce() {
		List<Activity> sales = salesOnDifferentPrimaries();
		Activity big = sales.get(0);
		Activity small = sales.get(1);
		int shoppers = 2000;
		List<String> tokens = this.api.newShoppers(shoppers, 64);

		// Every shopper tries the big sale; half of them the small one at the same time,
		// half of those through the second node.
		CompletableFuture<List<Reply>> smallReplies = CompletableFuture
			.supplyAsync(() -> Api.runAll(shoppers / 2, 128, (i) -> ((i % 2 == 0) ? this.api : this.b)
				.purchaseAsync(small, small.item(), tokens.get(i), "small-" + i)));
		List<Reply> bigReplies = Api.runAll(shoppers, 256,
				(i) -> this.api.purchaseAsync(big, big.item(), tokens.get(i), "big-" + i));

		assertSold(big, 100, bigReplies, tokens);
		assertSold(small, 50, smallReplies.join(), tokens);
	}

	@Test
	void aBlacklistingOnOneNodeRevokesTheShoppersTokensOnTheOther() {
		String name = Api.uniqueName("banned");
		this.api.register(name, "a-long-password-1");
		String token = this.b.logIn(name, "a-long-password-1");
		assertThat(this.b.get("/api/v1/orders", token).status()).isEqualTo(200);

		Reply patched = this.api.send("PATCH", "/api/v1/admin/users/" + name, this.api.adminToken(),
				"{\"blacklisted\":true}", Map.of());

		assertThat(patched.status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(2))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.b.get("/api/v1/orders", token).status() == 401);
	}

	@Test
	void stockRaisedOnOneNodeReopensTheSaleOnTheOtherAtOnce() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 1);
		assertThat(this.b.purchase(sale, sale.item(), this.b.newShopper()).status()).isEqualTo(202);
		assertThat(this.b.purchase(sale, sale.item(), this.b.newShopper()).code()).isEqualTo("SOLD_OUT");

		Reply raised = this.api.post("/api/v1/admin/activities/" + sale.id() + "/items/" + sale.item() + "/stock",
				this.api.adminToken(), "{\"add\":1}");

		assertThat(raised.status()).isEqualTo(200);
		// The second node's flag lives an hour: only the message published through the
		// cluster clears it.
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.b.purchase(sale, sale.item(), this.b.newShopper()).status() == 202);
	}

	@Test
	void withReplicaAcksAPurchaseIsQueuedOnlyOnceTheReplicaOfItsPrimaryHasIt() {
		RedisClusterServers cluster = RedisClusterServers.started();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10);
		int replica = cluster.replicaOf(cluster.primaryOf(this.keys.orders(sale.id())));
		String first = this.b.newShopper();
		String second = this.b.newShopper();

		Reply queued = this.b.purchaseAsync(sale, sale.item(), first, "first-key").join();
		assertThat(queued.status()).isEqualTo(202);
		assertThat(cluster.holds(replica, this.keys.ticket(sale.id(), queued.text("ticket")))).isTrue();

		cluster.pause(replica);
		Reply unacknowledged;
		try {
			unacknowledged = this.b.purchaseAsync(sale, sale.item(), second, "second-key").join();
		}
		finally {
			cluster.resume(replica);
		}
		assertThat(unacknowledged.status()).isEqualTo(503);
		assertThat(unacknowledged.code()).isEqualTo("UNAVAILABLE");
		String ticket = unacknowledged.text("ticket");
		Reply settled = await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.b.purchaseAsync(sale, sale.item(), second, "second-key").join(),
					(reply) -> reply.status() == 202);
		assertThat(settled.text("ticket")).as("the retry's ticket is the first one").isEqualTo(ticket);
		assertThat(cluster.holds(replica, this.keys.ticket(sale.id(), ticket))).isTrue();
	}

	/** Creates sales until two of them have their keys on different primaries. */
	private List<Activity> salesOnDifferentPrimaries() {
		RedisClusterServers cluster = RedisClusterServers.started();
		Activity first = this.api.newSale(Duration.ofSeconds(-1), 100);
		int firstPrimary = cluster.primaryOf(this.keys.orders(first.id()));
		for (int i = 0; i < 20; i++) {
			Activity other = this.api.newSale(Duration.ofSeconds(-1), 50);
			if (cluster.primaryOf(this.keys.orders(other.id())) != firstPrimary) {
				return List.of(first, other);
			}
		}
		throw new IllegalStateException("20 sales in a row landed on the first sale's primary");
	}

	private void assertSold(Activity sale, int stock, List<Reply> replies, List<String> tokens) {
		Map<String, Integer> byOutcome = new HashMap<>();
		Map<String, String> ticketOwner = new HashMap<>();
		for (int i = 0; i < replies.size(); i++) {
			Reply reply = replies.get(i);
			byOutcome.merge((reply.status() == 202) ? reply.text("status") : reply.code(), 1, Integer::sum);
			if (reply.status() == 202) {
				ticketOwner.put(reply.text("ticket"), tokens.get(i));
			}
		}
		assertThat(byOutcome).as("sale %d", sale.id())
			.containsEntry("QUEUED", stock)
			.containsEntry("SOLD_OUT", replies.size() - stock)
			.hasSize(2);
		Set<Long> orderIds = new HashSet<>();
		ticketOwner.forEach((ticket, token) -> {
			Reply result = this.api.awaitTicket(ticket, token, Duration.ofSeconds(30));
			assertThat(result.text("status")).as("ticket %s", ticket).isEqualTo("SUCCESS");
			orderIds.add(result.body().path("orderId").asLong());
		});
		assertThat(orderIds).hasSize(stock);
		assertThat(this.jdbc.queryForObject("SELECT count(DISTINCT user_id) FROM orders WHERE item_id = ?", Long.class,
				sale.item()))
			.isEqualTo(stock);
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item()))
			.isZero();
		assertThat(this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()))).isEqualTo("0");
		assertThat(this.redis.opsForStream().size(this.keys.orders(sale.id()))).isZero();
	}

}
