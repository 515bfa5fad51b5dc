package io.seckill.order.internal;

import java.util.concurrent.ThreadLocalRandom;

import org.springframework.stereotype.Component;

/**
 * A simulated payment provider: answers after {@code payment-delay} and declines a
 * configurable share of charges. Refunds always succeed. Blocking, like a real provider's
 * client.
 */
@Component
class PaymentProvider {

	private final LifecycleSettings settings;

	PaymentProvider(LifecycleSettings settings) {
		this.settings = settings;
	}

	/** Charges the order's price; false when declined. */
	boolean charge(long orderId) {
		pause();
		return ThreadLocalRandom.current().nextDouble() >= this.settings.paymentFailureRate();
	}

	void refund(long orderId) {
		pause();
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
