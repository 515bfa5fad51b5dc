package io.seckill.order.internal;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The demo's payment provider, keeping the contract of a real one: its books
 * ({@code simulated_payments}, one row per idempotency key) live in the shared database
 * so every node talks to the same provider. It answers after {@code payment-delay},
 * declines a share of charges ({@code payment-failure-rate}) and loses a share of its
 * answers after acting ({@code payment-unanswered-rate}), so the callers' handling of
 * "charged, but the answer never came" is exercised rather than assumed.
 * <p>
 * To take real payments, replace this bean with a {@link PaymentProvider} that calls the
 * provider's API with the same keys.
 */
@Component
class SimulatedPaymentProvider implements PaymentProvider {

	private final JdbcClient jdbc;

	private final LifecycleSettings settings;

	SimulatedPaymentProvider(JdbcClient jdbc, LifecycleSettings settings) {
		this.jdbc = jdbc;
		this.settings = settings;
	}

	@Override
	public ChargeOutcome charge(String idempotencyKey, long orderId, BigDecimal amount) {
		pause();
		ChargeOutcome outcome = recorded(idempotencyKey).map(ChargeOutcome::valueOf).orElseGet(() -> {
			boolean declined = ThreadLocalRandom.current().nextDouble() < this.settings.paymentFailureRate();
			return ChargeOutcome.valueOf(record(idempotencyKey, orderId, "CHARGE",
					declined ? ChargeOutcome.DECLINED.name() : ChargeOutcome.CHARGED.name(), amount));
		});
		maybeLoseTheAnswer("charge " + idempotencyKey);
		return outcome;
	}

	@Override
	public void refund(String chargeKey, long orderId, BigDecimal amount) {
		pause();
		if (!recorded(chargeKey).filter(ChargeOutcome.CHARGED.name()::equals).isPresent()) {
			// A real provider refuses this too; for the caller it is a bug, not an
			// outage.
			throw new IllegalStateException("No charge " + chargeKey + " to refund");
		}
		String refundKey = "refund-of-" + chargeKey;
		if (recorded(refundKey).isEmpty()) {
			record(refundKey, orderId, "REFUND", "REFUNDED", amount);
		}
		maybeLoseTheAnswer("refund " + refundKey);
	}

	private Optional<String> recorded(String key) {
		return this.jdbc.sql("SELECT outcome FROM simulated_payments WHERE idempotency_key = :key")
			.param("key", key)
			.query(String.class)
			.optional();
	}

	/**
	 * Records an operation once; a concurrent call with the same key finds the first
	 * one's outcome.
	 */
	private String record(String key, long orderId, String kind, String outcome, BigDecimal amount) {
		try {
			this.jdbc
				.sql("INSERT INTO simulated_payments (idempotency_key, order_id, kind, outcome, amount) "
						+ "VALUES (:key, :order, :kind, :outcome, :amount)")
				.param("key", key)
				.param("order", orderId)
				.param("kind", kind)
				.param("outcome", outcome)
				.param("amount", amount)
				.update();
			return outcome;
		}
		catch (DuplicateKeyException ex) {
			return recorded(key).orElseThrow();
		}
	}

	private void maybeLoseTheAnswer(String operation) {
		if (ThreadLocalRandom.current().nextDouble() < this.settings.paymentUnansweredRate()) {
			throw new ProviderUnavailableException("The payment provider did not answer (" + operation + ")");
		}
	}

	private void pause() {
		long millis = this.settings.paymentDelay().toMillis();
		if (millis > 0) {
			try {
				Thread.sleep(millis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
