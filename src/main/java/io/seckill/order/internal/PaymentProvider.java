package io.seckill.order.internal;

import java.math.BigDecimal;

/**
 * What the order module needs of a payment provider, in the terms real ones offer
 * (Stripe, Adyen, Alipay and WeChat Pay all take an idempotency key or a merchant order
 * number): an operation asked again with the same key is performed at most once, and
 * answers as it did the first time. Calls block, like a provider's client library.
 * <p>
 * A call that gets no answer (a timeout, a dropped connection) throws
 * {@link ProviderUnavailableException}: the provider may or may not have acted, and the
 * only safe next step is to ask again with the same key.
 */
interface PaymentProvider {

	/**
	 * Charges {@code amount} for the order once per key.
	 * @throws ProviderUnavailableException when the provider did not answer
	 */
	ChargeOutcome charge(String idempotencyKey, long orderId, BigDecimal amount);

	/**
	 * Refunds the charge made under {@code chargeKey}, once however often asked.
	 * @throws ProviderUnavailableException when the provider did not answer
	 */
	void refund(String chargeKey, long orderId, BigDecimal amount);

	enum ChargeOutcome {

		CHARGED, DECLINED

	}

	/** No answer from the provider: it may have acted; ask again with the same key. */
	final class ProviderUnavailableException extends RuntimeException {

		ProviderUnavailableException(String message) {
			super(message);
		}

	}

}
