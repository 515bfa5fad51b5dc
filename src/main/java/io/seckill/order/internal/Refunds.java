package io.seckill.order.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.order.internal.JdbcRefunds.Refund;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Service;

/**
 * Sends the refunds the outbox owes until the provider acknowledges each. A cancel tries
 * its refund at once; the workers' sweep retries the rest with back-off (1 s, 2 s, 4 s …
 * up to 5 min between tries). The provider refunds a charge once however often asked, so
 * a try whose answer was lost, or a node stopping mid-try, costs a repeat, never a second
 * refund.
 */
@Service
class Refunds {

	private static final Log log = LogFactory.getLog(Refunds.class);

	private static final Duration LONGEST_BACK_OFF = Duration.ofMinutes(5);

	private final JdbcRefunds outbox;

	private final PaymentProvider provider;

	private final Clock clock;

	private final Counter sent;

	private final Counter failed;

	Refunds(JdbcRefunds outbox, PaymentProvider provider, Clock clock, MeterRegistry meters) {
		this.outbox = outbox;
		this.provider = provider;
		this.clock = clock;
		this.sent = tries(meters, "refunded");
		this.failed = tries(meters, "failed");
	}

	private static Counter tries(MeterRegistry meters, String outcome) {
		return Counter.builder("seckill.refunds")
			.description("Refund tries by outcome (failed ones are tried again)")
			.tag("outcome", outcome)
			.register(meters);
	}

	/** Tries one order's owed refund now, if it is due. */
	void sendNow(long orderId) {
		this.outbox.dueFor(orderId, this.clock.instant()).ifPresent(this::send);
	}

	/**
	 * Tries every due refund (up to {@code limit}); returns how many the provider
	 * acknowledged.
	 */
	int sendDue(int limit) {
		int refunded = 0;
		for (Refund refund : this.outbox.due(this.clock.instant(), limit)) {
			if (send(refund)) {
				refunded++;
			}
		}
		return refunded;
	}

	private boolean send(Refund refund) {
		Instant now = this.clock.instant();
		if (!this.outbox.take(refund, now.plus(backOff(refund.tries())))) {
			return false;
		}
		try {
			this.provider.refund(refund.chargeKey(), refund.orderId(), refund.amount());
		}
		catch (RuntimeException ex) {
			this.failed.increment();
			this.outbox.failed(refund.orderId(), String.valueOf(ex.getMessage()));
			log.warn("Refund of order " + refund.orderId() + " failed (try " + (refund.tries() + 1)
					+ "), retrying later: " + ex.getMessage());
			return false;
		}
		this.outbox.refunded(refund.orderId());
		this.sent.increment();
		return true;
	}

	private static Duration backOff(int triesBefore) {
		Duration backOff = Duration.ofSeconds(1L << Math.min(triesBefore, 9));
		return (backOff.compareTo(LONGEST_BACK_OFF) > 0) ? LONGEST_BACK_OFF : backOff;
	}

}
