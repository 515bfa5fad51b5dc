package io.seckill.purchase;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import io.seckill.support.SecondNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code seckill.purchase.replica-acks}: a node on a Redis primary with one replica (both
 * real servers started here) tells a shopper QUEUED only once the replica has the
 * purchase; without the replica it answers 503 with the ticket, a retry with the same key
 * keeps answering so until the replica is back, and a primary with
 * {@code min-replicas-to-write} takes nothing while it is alone.
 */
class ReplicaAcksIT extends IntegrationTest {

	@Autowired
	private Environment environment;

	private int primaryPort;

	private int replicaPort;

	private RedisServer primary;

	private RedisServer replica;

	private RedisClient client;

	private StatefulRedisConnection<String, String> toPrimary;

	private SecondNode node;

	private Api nodeApi;

	@BeforeEach
	void primaryReplicaAndANodeAskingForOneAck() throws IOException {
		this.primaryPort = freePort();
		this.replicaPort = freePort();
		this.primary = server(this.primaryPort, false);
		this.primary.start();
		startReplica();
		this.client = RedisClient.create("redis://127.0.0.1:" + this.primaryPort);
		this.toPrimary = this.client.connect();
		awaitReplicaInSync();
		// Admin and worker roles too: sales are preloaded into this node's Redis.
		this.node = SecondNode.start(this.environment,
				Map.of("spring.data.redis.url", "redis://127.0.0.1:" + this.primaryPort, "seckill.roles", "api,admin",
						"seckill.purchase.replica-acks", "1", "seckill.purchase.replica-ack-timeout", "300ms",
						"seckill.redis.replication-check-interval", "200ms"));
		this.nodeApi = this.node.api();
	}

	@AfterEach
	void stopAll() throws IOException {
		if (this.node != null) {
			this.node.close();
		}
		if (this.toPrimary != null) {
			this.toPrimary.close();
			this.client.shutdown();
		}
		if (this.replica != null) {
			this.replica.stop();
		}
		if (this.primary != null) {
			this.primary.stop();
		}
	}

	@Test
	void queuedOnlyOnceTheReplicaHasThePurchase() throws IOException {
		Activity sale = this.nodeApi.newSale(Duration.ofSeconds(-1), 10);
		String first = this.nodeApi.newShopper();
		Reply queued = this.nodeApi.purchaseAsync(sale, sale.item(), first, "first-key").join();
		assertThat(queued.status()).isEqualTo(202);
		// Acknowledged means the replica has it: read from the replica right away.
		assertThat(replicaHas(ticketKey(sale, queued.text("ticket")))).isTrue();

		// The node sees the replica in sync, for the alerts.
		MeterRegistry meters = this.node.bean(MeterRegistry.class);
		await().atMost(Duration.ofSeconds(5)).until(() -> meters.get("seckill.redis.replicas").gauge().value() == 1);

		// The replica goes away: admitted by the primary, but not told QUEUED.
		this.replica.stop();
		this.replica = null;
		await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("seckill.redis.replicas").gauge().value() == 0);
		String second = this.nodeApi.newShopper();
		Reply unacknowledged = this.nodeApi.purchaseAsync(sale, sale.item(), second, "second-key").join();
		assertThat(unacknowledged.status()).isEqualTo(503);
		assertThat(unacknowledged.code()).isEqualTo("UNAVAILABLE");
		assertThat(unacknowledged.headers().get("Retry-After")).containsExactly("1");
		String ticket = unacknowledged.text("ticket");
		assertThat(ticket).isNotBlank();
		// A retry with the same key gets the same ticket, still unacknowledged.
		Reply retried = this.nodeApi.purchaseAsync(sale, sale.item(), second, "second-key").join();
		assertThat(retried.status()).isEqualTo(503);
		assertThat(retried.text("ticket")).isEqualTo(ticket);

		// The replica is back and in sync: the retry is told QUEUED, with the first
		// ticket.
		startReplica();
		awaitReplicaInSync();
		Reply settled = this.nodeApi.purchaseAsync(sale, sale.item(), second, "second-key").join();
		assertThat(settled.status()).isEqualTo(202);
		assertThat(settled.text("ticket")).isEqualTo(ticket);
		assertThat(replicaHas(ticketKey(sale, ticket))).isTrue();
		assertThat(this.nodeApi.get("/api/v1/purchases/" + ticket, second).status()).isEqualTo(200);
	}

	@Test
	void aPrimaryWithMinReplicasToWriteTakesNothingWhileAlone() throws IOException {
		Activity sale = this.nodeApi.newSale(Duration.ofSeconds(-1), 10);
		// Logged in first: a lone primary refuses the login limit's count too.
		String shopper = this.nodeApi.newShopper();
		RedisCommands<String, String> redis = this.toPrimary.sync();
		redis.configSet("min-replicas-to-write", "1");
		redis.configSet("min-replicas-max-lag", "1");
		this.replica.stop();
		this.replica = null;
		await().atMost(Duration.ofSeconds(10))
			.until(() -> redis.info("replication").contains("min_slaves_good_slaves:0"));
		String stock = redis.hget(this.keys.stock(sale.id()), Long.toString(sale.item()));

		Reply refused = this.nodeApi.purchaseAsync(sale, sale.item(), shopper, "alone").join();

		assertThat(refused.status()).isEqualTo(503);
		assertThat(refused.code()).isEqualTo("UNAVAILABLE");
		assertThat(redis.hget(this.keys.stock(sale.id()), Long.toString(sale.item()))).isEqualTo(stock);
		assertThat(redis.xlen(this.keys.orders(sale.id()))).isZero();
	}

	private String ticketKey(Activity sale, String ticket) {
		return this.keys.ticket(sale.id(), ticket);
	}

	private boolean replicaHas(String key) {
		RedisClient replicaClient = RedisClient.create("redis://127.0.0.1:" + this.replicaPort);
		try (StatefulRedisConnection<String, String> connection = replicaClient.connect()) {
			return connection.sync().exists(key) == 1;
		}
		finally {
			replicaClient.shutdown();
		}
	}

	private void startReplica() throws IOException {
		this.replica = server(this.replicaPort, true);
		this.replica.start();
	}

	private void awaitReplicaInSync() {
		await().atMost(Duration.ofSeconds(20)).until(() -> {
			String info = this.toPrimary.sync().info("replication");
			return info.contains("connected_slaves:1") && info.contains("state=online");
		});
	}

	private RedisServer server(int port, boolean replicaOfPrimary) throws IOException {
		return RedisServer.newRedisServer()
			.port(port)
			.bind("127.0.0.1")
			.setting("save \"\"")
			.setting("appendonly no")
			.setting("maxmemory-policy noeviction")
			.settingIf(replicaOfPrimary, "replicaof 127.0.0.1 " + this.primaryPort)
			.build();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
