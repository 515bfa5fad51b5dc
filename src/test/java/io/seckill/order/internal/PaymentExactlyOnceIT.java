package io.seckill.order.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.order.internal.JdbcOrderLifecycle.OrderState;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Payment exactly once against the provider's contract (one outcome per idempotency key),
 * with the simulated provider losing a fifth of its answers after acting, as a provider
 * timing out does. Money is read from the provider's own books: per order, charges minus
 * refunds is 1 for a paid order and 0 for any other, whatever raced.
 */
@TestPropertySource(properties = { "seckill.orders.payment-delay=150ms", "seckill.orders.payment-unanswered-rate=0.2",
		"seckill.orders.payment-claim-timeout=1s", "seckill.orders.expiry-interval=200ms" })
class PaymentExactlyOnceIT extends IntegrationTest {

	@Autowired
	private JdbcOrderLifecycle orders;

	@Autowired
	private PaymentProvider provider;

	@Autowired
	private MeterRegistry meters;

	@Test
	void fiftyConcurrentPaymentsOfOneOrderChargeItOnce() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 1);
		String buyer = this.api.newShopper();
		long orderId = buyAndAwaitOrder(sale, buyer);

		List<Reply> replies = Api.runAll(50, 50, (i) -> pay(orderId, buyer));

		assertThat(replies)
			.allSatisfy((reply) -> assertThat(reply.code()).isIn("", "PAYMENT_IN_PROGRESS", "PAYMENT_PENDING"));
		assertThat(replies).filteredOn((reply) -> reply.status() == 200)
			.allSatisfy((reply) -> assertThat(reply.text("status")).isEqualTo("PAID"));
		// They overlapped: the payments that came while one ran were told so.
		assertThat(replies).filteredOn((reply) -> reply.status() == 409)
			.isNotEmpty()
			.allSatisfy((reply) -> assertThat(reply.headers().get("Retry-After")).containsExactly("1"));
		awaitStatus(orderId, "PAID");
		assertThat(charges(orderId)).isEqualTo(1);
		// Paying again once settled answers PAID and charges nothing.
		assertThat(this.api.post(paymentPath(orderId), buyer, null).text("status")).isEqualTo("PAID");
		assertThat(charges(orderId)).isEqualTo(1);
	}

	@Test
	void chargesWhoseAnswersAreLostEndPaidOnceAndThePayerLearnsIt() {
		int count = 40;
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), count);
		List<String> buyers = this.api.newShoppers(count, 16);
		List<Long> orderIds = new ArrayList<>();
		for (String buyer : buyers) {
			orderIds.add(buyAndAwaitOrder(sale, buyer));
		}
		double retriedBefore = retriedCalls();

		List<Reply> replies = Api.runAll(count, 16, (i) -> pay(orderIds.get(i), buyers.get(i)));

		// Every payment is answered PAID, or PAYMENT_PENDING when the provider stayed
		// silent
		// through the retries; a pending one is settled by the workers' sweep.
		assertThat(replies).allSatisfy((reply) -> assertThat(reply.status()).isIn(200, 503));
		for (long orderId : orderIds) {
			awaitStatus(orderId, "PAID");
			assertThat(charges(orderId)).isEqualTo(1);
		}
		// A pending payer paying again learns the outcome, and is not charged again.
		for (int i = 0; i < count; i++) {
			if (replies.get(i).status() == 503) {
				assertThat(this.api.post(paymentPath(orderIds.get(i)), buyers.get(i), null).text("status"))
					.isEqualTo("PAID");
			}
		}
		assertThat(totalCharged(sale)).isEqualByComparingTo(new BigDecimal("9.99").multiply(BigDecimal.valueOf(count)));
		// The faults happened: lost answers were asked about again.
		assertThat(retriedCalls()).isGreaterThan(retriedBefore);
	}

	@Test
	void aPaymentWhosePayerWentAwayIsSettledByTheWorkersUnderItsOwnKey() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 2);
		String first = this.api.newShopper();
		String second = this.api.newShopper();
		long chargedButUnsettled = buyAndAwaitOrder(sale, first);
		long claimedButNeverSent = buyAndAwaitOrder(sale, second);
		// Two payers that stopped mid-payment (kill -9): one after the provider charged,
		// one before its request left.
		Instant longAgo = Instant.now().minusSeconds(60);
		assertThat(this.orders.claimPayment(chargedButUnsettled, 1, longAgo)).isTrue();
		assertThat(this.orders.claimPayment(claimedButNeverSent, 1, longAgo)).isTrue();
		chargeIgnoringLostAnswers(this.orders.find(chargedButUnsettled).orElseThrow());

		awaitStatus(chargedButUnsettled, "PAID");
		awaitStatus(claimedButNeverSent, "PAID");
		assertThat(charges(chargedButUnsettled)).isEqualTo(1);
		assertThat(charges(claimedButNeverSent)).isEqualTo(1);
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM simulated_payments WHERE order_id IN (?, ?) "
						+ "AND idempotency_key NOT LIKE '%-payment-1'",
				Long.class, chargedButUnsettled, claimedButNeverSent))
			.isZero();
	}

	@Test
	void aCancelRacingAPaymentHasOneWinnerAndEveryRefundIsPaidOnce() {
		int count = 30;
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), count);
		List<String> buyers = this.api.newShoppers(count, 16);
		List<Long> orderIds = new ArrayList<>();
		for (String buyer : buyers) {
			orderIds.add(buyAndAwaitOrder(sale, buyer));
		}
		String admin = this.api.adminToken();

		List<CompletableFuture<Reply>> payments = new ArrayList<>();
		List<CompletableFuture<Reply>> cancels = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			payments.add(pay(orderIds.get(i), buyers.get(i)));
			cancels.add(cancel(orderIds.get(i), admin));
		}
		for (int i = 0; i < count; i++) {
			Reply payment = payments.get(i).join();
			Reply cancel = cancels.get(i).join();
			assertThat(payment.code()).isIn("", "ORDER_CANCELLED", "PAYMENT_PENDING");
			assertThat(cancel.code()).isIn("", "PAYMENT_IN_PROGRESS");
			if (payment.status() == 200 && cancel.status() == 200) {
				// Both succeeded: the payment came first and the cancel refunded it.
				assertThat(charges(orderIds.get(i))).isEqualTo(1);
			}
			if ("ORDER_CANCELLED".equals(payment.code())) {
				assertThat(cancel.status()).isEqualTo(200);
			}
		}
		awaitNoPaymentRunning(sale);
		awaitRefundsDone();
		for (long orderId : orderIds) {
			assertMoneyConserved(orderId);
		}

		// Every order still paid is now cancelled too: all the money goes back, once.
		for (long orderId : orderIds) {
			await().atMost(Duration.ofSeconds(10)).until(() -> cancel(orderId, admin).join().status() == 200);
		}
		awaitRefundsDone();
		for (long orderId : orderIds) {
			assertThat(status(orderId)).isEqualTo("CANCELLED");
			assertMoneyConserved(orderId);
		}
		assertThat(totalCharged(sale)).isZero();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class,
					sale.item()) == count);
	}

	private CompletableFuture<Reply> pay(long orderId, String token) {
		return this.api.sendAsync("POST", paymentPath(orderId), token, null, Map.of());
	}

	private CompletableFuture<Reply> cancel(long orderId, String adminToken) {
		return this.api.sendAsync("POST", "/api/v1/admin/orders/" + orderId + "/cancel", adminToken, null, Map.of());
	}

	private static String paymentPath(long orderId) {
		return "/api/v1/orders/" + orderId + "/payment";
	}

	private void chargeIgnoringLostAnswers(OrderState order) {
		try {
			this.provider.charge(order.paymentKey(), order.id(), order.price());
		}
		catch (PaymentProvider.ProviderUnavailableException ex) {
			// Charged all the same: the provider acts before its answer is lost.
		}
	}

	private long buyAndAwaitOrder(Activity sale, String token) {
		Reply bought = this.api.purchase(sale, sale.item(), token);
		Reply result = this.api.awaitTicket(bought.text("ticket"), token, Duration.ofSeconds(20));
		assertThat(result.text("status")).isEqualTo("SUCCESS");
		return result.body().path("orderId").asLong();
	}

	private String status(long orderId) {
		return this.jdbc.queryForObject("SELECT status FROM orders WHERE id = ?", String.class, orderId);
	}

	private void awaitStatus(long orderId, String status) {
		await().atMost(Duration.ofSeconds(30)).until(() -> status.equals(status(orderId)));
	}

	private void awaitNoPaymentRunning(Activity sale) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE item_id = ? AND status = 'PAYING'",
					Long.class, sale.item()) == 0);
	}

	/** Back-off doubles from 1 s: 90 s leaves room for six failed tries in a row. */
	private void awaitRefundsDone() {
		await().atMost(Duration.ofSeconds(90))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM refund_outbox WHERE refunded_at IS NULL",
					Long.class) == 0);
	}

	private long charges(long orderId) {
		return this.jdbc.queryForObject(
				"SELECT count(*) FROM simulated_payments WHERE order_id = ? AND kind = 'CHARGE' AND outcome = 'CHARGED'",
				Long.class, orderId);
	}

	private void assertMoneyConserved(long orderId) {
		long refunds = this.jdbc.queryForObject(
				"SELECT count(*) FROM simulated_payments WHERE order_id = ? AND kind = 'REFUND'", Long.class, orderId);
		assertThat(refunds).isLessThanOrEqualTo(1);
		assertThat(charges(orderId) - refunds).as("charges minus refunds of order %d", orderId)
			.isEqualTo("PAID".equals(status(orderId)) ? 1 : 0);
	}

	private BigDecimal totalCharged(Activity sale) {
		return this.jdbc.queryForObject(
				"SELECT coalesce(sum(CASE WHEN p.kind = 'CHARGE' THEN p.amount ELSE -p.amount END), 0) "
						+ "FROM simulated_payments p JOIN orders o ON o.id = p.order_id "
						+ "WHERE o.item_id = ? AND p.outcome IN ('CHARGED', 'REFUNDED')",
				BigDecimal.class, sale.item());
	}

	private double retriedCalls() {
		return this.meters.get("resilience4j.retry.calls")
			.tag("name", "payment-provider")
			.tag("kind", "successful_with_retry")
			.functionCounter()
			.count();
	}

}
