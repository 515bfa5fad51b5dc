package io.seckill.order.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.order.internal.JdbcOrderLifecycle.OrderState;
import io.seckill.order.internal.PaymentProvider.ChargeOutcome;
import io.seckill.order.internal.PaymentProvider.ProviderUnavailableException;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Service;

/**
 * Paying an order exactly once. The order is claimed first (CREATED → PAYING, one winner
 * however many payments race), then charged under the claim's idempotency key, then
 * settled (PAID, or back to CREATED when declined). A charge whose answer never comes
 * leaves the claim standing: after {@code payment-claim-timeout} the shopper paying
 * again, or a worker's sweep, asks the provider again with the same key, which charges
 * nothing more and returns the first outcome. So an order is charged at most once per
 * claim and claimed by one payment at a time, and the expiry never cancels an order whose
 * charge may be going through.
 */
@Service
class OrderPayments {

	private static final Log log = LogFactory.getLog(OrderPayments.class);

	private final JdbcOrderLifecycle orders;

	private final PaymentProvider provider;

	private final OrderRetries retries;

	private final LifecycleSettings settings;

	private final Clock clock;

	private final Counter paid;

	private final Counter declined;

	private final Counter unanswered;

	OrderPayments(JdbcOrderLifecycle orders, PaymentProvider provider, OrderRetries retries, LifecycleSettings settings,
			Clock clock, MeterRegistry meters) {
		this.orders = orders;
		this.provider = provider;
		this.retries = retries;
		this.settings = settings;
		this.clock = clock;
		this.paid = outcomes(meters, "paid");
		this.declined = outcomes(meters, "declined");
		this.unanswered = outcomes(meters, "unanswered");
	}

	private static Counter outcomes(MeterRegistry meters, String outcome) {
		return Counter.builder("seckill.payments")
			.description("Payment settlements by outcome (unanswered: the provider's answer is still to come)")
			.tag("outcome", outcome)
			.register(meters);
	}

	/** Pays the caller's order; paying a paid order answers PAID again. */
	String pay(long orderId, long callerId) {
		OrderState order = this.orders.find(orderId)
			.filter((found) -> found.userId() == callerId)
			.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
		// A few looks are enough: each one that fails to claim saw another payment change
		// the order, and such a payment takes far longer than a look.
		for (int look = 0; look < 3; look++) {
			switch (order.status()) {
				case JdbcOrderLifecycle.PAID:
					return JdbcOrderLifecycle.PAID;
				case JdbcOrderLifecycle.CANCELLED:
					throw new ApiException(ErrorCode.ORDER_CANCELLED);
				case JdbcOrderLifecycle.PAYING:
					if (claimedBefore(order, this.clock.instant().minus(this.settings.paymentClaimTimeout()))) {
						return settle(order.id(), order.paymentAttempt(), order);
					}
					throw new ApiException(ErrorCode.PAYMENT_IN_PROGRESS);
				default:
					int attempt = order.paymentAttempt() + 1;
					if (this.retries
						.onLockConflict(() -> this.orders.claimPayment(orderId, attempt, this.clock.instant()))) {
						return settle(orderId, attempt, order);
					}
			}
			order = this.orders.find(orderId).orElseThrow();
		}
		throw new ApiException(ErrorCode.PAYMENT_IN_PROGRESS);
	}

	private static boolean claimedBefore(OrderState order, Instant cutoff) {
		return order.payingSince() != null && order.payingSince().isBefore(cutoff);
	}

	/**
	 * Settles claims whose payer went away (a node stopped mid-charge, the provider never
	 * answered): asks the provider again under each claim's key. Returns how many
	 * settled.
	 */
	int settleAbandoned() {
		List<OrderState> abandoned = this.orders.unsettledPaymentsBefore(
				this.clock.instant().minus(this.settings.paymentClaimTimeout()), this.settings.expiryBatch());
		int settled = 0;
		for (OrderState order : abandoned) {
			try {
				settle(order.id(), order.paymentAttempt(), order);
				settled++;
			}
			catch (ApiException ex) {
				if (ex.code() == ErrorCode.PAYMENT_FAILED) {
					settled++;
				}
			}
			catch (RuntimeException ex) {
				// One claim that cannot be settled now must not hold up the others behind
				// it: it is re-armed if the database lets it be, and asked about again
				// later either way.
				log.warn("Could not settle payment of order " + order.id() + ", retrying later: " + ex);
				try {
					this.retries.onLockConflict(
							() -> this.orders.rearmClaim(order.id(), order.paymentAttempt(), this.clock.instant()));
				}
				catch (RuntimeException rearmFailed) {
					log.warn("Could not re-arm the payment claim of order " + order.id() + ": " + rearmFailed);
				}
			}
		}
		return settled;
	}

	/**
	 * Charges (or asks again about) attempt {@code attempt} of a claimed order and
	 * settles it.
	 */
	private String settle(long orderId, int attempt, OrderState order) {
		String key = OrderState.paymentKey(orderId, attempt);
		ChargeOutcome outcome;
		try {
			outcome = this.retries.onNoAnswer(() -> this.provider.charge(key, orderId, order.price()));
		}
		catch (ProviderUnavailableException ex) {
			this.unanswered.increment();
			// The claim stands; asked again after the claim timeout, from its new start.
			this.retries.onLockConflict(() -> this.orders.rearmClaim(orderId, attempt, this.clock.instant()));
			log.warn("Payment " + key + " unsettled, the provider did not answer: " + ex.getMessage());
			throw new ApiException(ErrorCode.PAYMENT_PENDING);
		}
		if (outcome == ChargeOutcome.DECLINED) {
			this.retries.onLockConflict(() -> this.orders.releaseDeclined(orderId, attempt));
			this.declined.increment();
			throw new ApiException(ErrorCode.PAYMENT_FAILED);
		}
		if (this.retries.onLockConflict(() -> this.orders.markPaid(orderId, attempt))) {
			this.paid.increment();
			return JdbcOrderLifecycle.PAID;
		}
		// Settled meanwhile by whoever else asked under the same key: same outcome.
		String now = this.orders.find(orderId).orElseThrow().status();
		if (!JdbcOrderLifecycle.PAID.equals(now)) {
			throw new IllegalStateException("Order " + orderId + " charged under " + key + " but " + now);
		}
		return JdbcOrderLifecycle.PAID;
	}

}
