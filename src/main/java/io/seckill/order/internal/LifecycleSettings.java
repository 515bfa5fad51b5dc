package io.seckill.order.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param paymentTimeout how long an order waits for payment before it is cancelled and
 * its unit goes back on sale
 * @param expiryInterval how often workers look for unpaid orders past the timeout, for
 * payments whose payer went away and for refunds to send
 * @param expiryBatch most orders cancelled per transaction
 * @param paymentClaimTimeout how long a payment may stay unsettled before a worker (or
 * the shopper paying again) asks the provider for its outcome; longer than the provider's
 * own timeout, so a payment still running is not asked about
 * @param paymentFailureRate share of simulated payments the provider declines (0 to 1)
 * @param paymentUnansweredRate share of simulated provider calls whose answer is lost
 * after the provider acted (0 to 1): the faults a real provider's timeouts bring
 * @param paymentDelay how long the simulated provider takes to answer
 */
@ConfigurationProperties("seckill.orders")
record LifecycleSettings(@DefaultValue("15m") Duration paymentTimeout, @DefaultValue("1s") Duration expiryInterval,
		@DefaultValue("200") int expiryBatch, @DefaultValue("30s") Duration paymentClaimTimeout,
		@DefaultValue("0") double paymentFailureRate, @DefaultValue("0") double paymentUnansweredRate,
		@DefaultValue("0ms") Duration paymentDelay) {

	LifecycleSettings {
		requireShare("payment-failure-rate", paymentFailureRate);
		requireShare("payment-unanswered-rate", paymentUnansweredRate);
		if (paymentClaimTimeout.isNegative() || paymentClaimTimeout.isZero()) {
			throw new IllegalArgumentException("seckill.orders.payment-claim-timeout must be positive");
		}
	}

	private static void requireShare(String name, double value) {
		if (!(value >= 0 && value <= 1)) {
			throw new IllegalArgumentException("seckill.orders." + name + " must be between 0 and 1, not " + value);
		}
	}

}
