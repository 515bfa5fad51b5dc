package io.seckill.order.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.Roles;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Invariant 3 when a worker dies mid-batch: its read-but-unacknowledged entries are
 * claimed by another worker, and the order count stays exact whether the dead worker
 * committed or not.
 */
@TestPropertySource(properties = "seckill.roles=api,admin")
class WorkerFailoverIT extends IntegrationTest {

	private static final int UNITS = 30;

	@Autowired
	private OrderStreams streams;

	@Autowired
	private JdbcOrders orders;

	@Autowired
	private TransactionTemplate transaction;

	@Autowired
	private MeterRegistry meters;

	private final List<OrderStreamConsumer> started = new ArrayList<>();

	@AfterEach
	void stopWorkers() {
		this.started.forEach(OrderStreamConsumer::stop);
	}

	@Test
	void aWorkerKilledAfterCommittingLeavesEntriesThatAnotherClaimsWithoutDuplicates() {
		Purchases purchases = queueOnePurchasePerShopper();

		startDyingWorker(true);
		await().atMost(Duration.ofSeconds(20)).until(() -> orderCount(purchases.sale()) == UNITS);
		assertThat(pendingEntries(purchases.sale())).isEqualTo(UNITS);

		startWorker();
		assertEveryTicketSucceedsWithExactlyOneOrderEach(purchases);
	}

	@Test
	void aWorkerKilledBeforeCommittingLeavesEntriesThatAnotherClaimsAndWrites() {
		Purchases purchases = queueOnePurchasePerShopper();

		startDyingWorker(false);
		await().atMost(Duration.ofSeconds(20)).until(() -> pendingEntries(purchases.sale()) == UNITS);
		assertThat(orderCount(purchases.sale())).isZero();

		startWorker();
		assertEveryTicketSucceedsWithExactlyOneOrderEach(purchases);
	}

	private record Purchases(Activity sale, Map<String, String> tokenByTicket) {
	}

	private Purchases queueOnePurchasePerShopper() {
		List<String> tokens = this.api.newShoppers(UNITS, 16);
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), UNITS);
		Map<String, String> tokenByTicket = new HashMap<>();
		for (String token : tokens) {
			Reply reply = this.api.purchase(sale, sale.item(), token);
			assertThat(reply.status()).isEqualTo(202);
			tokenByTicket.put(reply.text("ticket"), token);
		}
		return new Purchases(sale, tokenByTicket);
	}

	/**
	 * A worker that reads a batch and dies like kill -9: after (or before) its commit,
	 * before XACK.
	 */
	private void startDyingWorker(boolean commitFirst) {
		AtomicReference<OrderStreamConsumer> self = new AtomicReference<>();
		OrderWriter dying = new OrderWriter(this.orders, this.transaction) {
			@Override
			List<WriteResult> write(List<io.seckill.platform.redis.OrderStreamRecord> batch) {
				if (commitFirst) {
					super.write(batch);
				}
				self.get().halt();
				throw new IllegalStateException("killed mid-batch");
			}
		};
		OrderStreamConsumer consumer = consumer(dying, "dying-worker");
		self.set(consumer);
		consumer.start();
	}

	private void startWorker() {
		consumer(new OrderWriter(this.orders, this.transaction), "surviving-worker").start();
	}

	private OrderStreamConsumer consumer(OrderWriter writer, String name) {
		WriterSettings settings = new WriterSettings(100, Duration.ofMillis(100), Duration.ofSeconds(1),
				Duration.ofMillis(200), 1, Duration.ofHours(1), name, Duration.ofHours(1));
		OrderStreamConsumer consumer = new OrderStreamConsumer(this.redis, this.keys, this.streams, writer, settings,
				new Roles(List.of("worker")), this.meters, "0");
		this.started.add(consumer);
		return consumer;
	}

	private void assertEveryTicketSucceedsWithExactlyOneOrderEach(Purchases purchases) {
		purchases.tokenByTicket().forEach((ticket, token) -> {
			Reply result = this.api.awaitTicket(ticket, token, Duration.ofSeconds(30));
			assertThat(result.text("status")).isEqualTo("SUCCESS");
			Long orderId = this.jdbc.queryForObject("SELECT id FROM orders WHERE ticket = ?", Long.class, ticket);
			assertThat(result.body().path("orderId").asLong()).isEqualTo(orderId);
		});
		assertThat(orderCount(purchases.sale())).isEqualTo(UNITS);
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class,
				purchases.sale().item()))
			.isZero();
		await().atMost(Duration.ofSeconds(5)).until(() -> pendingEntries(purchases.sale()) == 0);
	}

	private long orderCount(Activity sale) {
		return this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE activity_id = ?", Long.class, sale.id());
	}

	private long pendingEntries(Activity sale) {
		return this.redis.opsForStream()
			.pending(this.keys.orders(sale.id()), OrderStreams.GROUP)
			.getTotalPendingMessages();
	}

}
