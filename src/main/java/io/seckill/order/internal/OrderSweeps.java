package io.seckill.order.internal;

import io.seckill.platform.Roles;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * On worker nodes, every {@code expiry-interval}: cancels unpaid orders past the payment
 * timeout, settles payments whose payer went away, and sends the refunds owed. Database
 * sweeps, so they survive restarts (deadlines are stored times); workers share them (SKIP
 * LOCKED for the expiry, conditional updates for the rest). Each runs on its own, so one
 * failing does not hold up the others.
 */
@Component
class OrderSweeps {

	private static final Log log = LogFactory.getLog(OrderSweeps.class);

	private final OrderLifecycle lifecycle;

	private final OrderPayments payments;

	private final Refunds refunds;

	private final LifecycleSettings settings;

	private final Roles roles;

	OrderSweeps(OrderLifecycle lifecycle, OrderPayments payments, Refunds refunds, LifecycleSettings settings,
			Roles roles) {
		this.lifecycle = lifecycle;
		this.payments = payments;
		this.refunds = refunds;
		this.settings = settings;
		this.roles = roles;
	}

	@Scheduled(fixedDelayString = "${seckill.orders.expiry-interval:1s}")
	void sweep() {
		if (!this.roles.worker()) {
			return;
		}
		run("Order expiry", this.lifecycle::expireUnpaid, "Cancelled %d unpaid orders past the payment timeout");
		run("Settling abandoned payments", this.payments::settleAbandoned, "Settled %d payments whose payer went away");
		run("Sending refunds", () -> this.refunds.sendDue(this.settings.expiryBatch()), "Refunded %d orders");
	}

	private static void run(String what, java.util.function.IntSupplier sweep, String done) {
		try {
			int count = sweep.getAsInt();
			if (count > 0) {
				log.info(String.format(done, count));
			}
		}
		catch (RuntimeException ex) {
			log.warn(what + " failed, retrying: " + ex.getMessage());
		}
	}

}
