package io.seckill.order.internal;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.Roles;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.stream.StreamInfo.XInfoConsumer;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Worker names do not pile up in the consumer group: a consumer idle for
 * {@code forget-consumers-after} with nothing pending leaves it, one that still holds an
 * entry stays (removing it would strand the entry where nobody can claim it).
 */
@TestPropertySource(properties = "seckill.roles=api,admin")
class ConsumerGroupIT extends IntegrationTest {

	/**
	 * An entry read by {@code ARGV[1]} in the same step it is added: nobody else can take
	 * it.
	 */
	private static final RedisScript<String> ADD_AND_READ_AS = RedisScript.of("""
			local id = redis.call('XADD', KEYS[1], '*', 'junk', 'left by a vanished worker')
			redis.call('XREADGROUP', 'GROUP', 'order-writers', ARGV[1], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
			return id""", String.class);

	private static final RedisScript<Long> CREATE_CONSUMER = RedisScript
		.of("return redis.call('XGROUP', 'CREATECONSUMER', KEYS[1], 'order-writers', ARGV[1])", Long.class);

	@Autowired
	private OrderStreams streams;

	@Autowired
	private JdbcOrders orders;

	@Autowired
	private TransactionTemplate transaction;

	@Autowired
	private MeterRegistry meters;

	private OrderStreamConsumer worker;

	@AfterEach
	void stopWorker() {
		this.worker.stop();
	}

	@Test
	void aConsumerGoneForGoodLeavesTheGroupAndOneHoldingAnEntryStays() throws Exception {
		// Claims after 30 s: the held entry stays with its holder for the whole test.
		this.worker = new OrderStreamConsumer(this.redis, this.keys, this.streams,
				new OrderWriter(this.orders, this.transaction),
				new WriterSettings(100, Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofMillis(200), 1,
						Duration.ofHours(1), "live-worker", Duration.ofSeconds(1)),
				new Roles(List.of("worker")), this.meters, "0");
		this.worker.start();
		String shopper = this.api.newShopper();
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		Reply queued = this.api.purchase(sale, sale.item(), shopper);
		assertThat(this.api.awaitTicket(queued.text("ticket"), shopper, Duration.ofSeconds(20)).text("status"))
			.isEqualTo("SUCCESS");

		String stream = this.keys.orders(sale.id());
		this.redis.execute(CREATE_CONSUMER, List.of(stream), "vanished-empty");
		String held = this.redis.execute(ADD_AND_READ_AS, List.of(stream), "vanished-holding");

		await().atMost(Duration.ofSeconds(15)).until(() -> !consumers(stream).contains("vanished-empty"));
		Thread.sleep(1500);
		assertThat(consumers(stream)).contains("vanished-holding", "live-worker-0");
		assertThat(this.redis.opsForStream().pending(stream, "order-writers").getTotalPendingMessages()).isOne();

		this.redis.opsForStream().acknowledge(stream, "order-writers", held);
		this.redis.opsForStream().delete(stream, held);
	}

	private List<String> consumers(String stream) {
		return this.redis.opsForStream()
			.consumers(stream, "order-writers")
			.stream()
			.map(XInfoConsumer::consumerName)
			.toList();
	}

}
