package io.seckill.order.internal;

import io.seckill.platform.Roles;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * On worker nodes: cancels unpaid orders past the payment timeout. A database sweep, so
 * it survives restarts (the deadline is the order's creation time plus the timeout);
 * workers share it with SKIP LOCKED.
 */
@Component
class OrderExpiry {

	private static final Log log = LogFactory.getLog(OrderExpiry.class);

	private final OrderLifecycle lifecycle;

	private final Roles roles;

	OrderExpiry(OrderLifecycle lifecycle, Roles roles) {
		this.lifecycle = lifecycle;
		this.roles = roles;
	}

	@Scheduled(fixedDelayString = "${seckill.orders.expiry-interval:1s}")
	void sweep() {
		if (!this.roles.worker()) {
			return;
		}
		try {
			int cancelled = this.lifecycle.expireUnpaid();
			if (cancelled > 0) {
				log.info("Cancelled " + cancelled + " unpaid orders past the payment timeout");
			}
		}
		catch (RuntimeException ex) {
			log.warn("Order expiry failed, retrying: " + ex.getMessage());
		}
	}

}
