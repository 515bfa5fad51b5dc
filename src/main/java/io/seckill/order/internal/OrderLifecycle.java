package io.seckill.order.internal;

import java.time.Clock;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.activity.StockReturns;
import io.seckill.order.internal.JdbcOrderLifecycle.OrderState;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * CREATED → PAID (payment), CREATED → CANCELLED (expiry), CREATED/PAID → CANCELLED
 * (admin). Every transition is a conditional update, so a payment racing the expiry has
 * exactly one winner; a cancellation returns the unit to the database stock in the same
 * transaction and to Redis through the stock outbox, exactly once.
 */
@Service
class OrderLifecycle {

	private static final Log log = LogFactory.getLog(OrderLifecycle.class);

	private final JdbcOrderLifecycle orders;

	private final PaymentProvider provider;

	private final StockReturns stock;

	private final TransactionTemplate transaction;

	private final LifecycleSettings settings;

	private final Clock clock;

	private final Counter expired;

	OrderLifecycle(JdbcOrderLifecycle orders, PaymentProvider provider, StockReturns stock,
			TransactionTemplate transaction, LifecycleSettings settings, Clock clock, MeterRegistry meters) {
		this.orders = orders;
		this.provider = provider;
		this.stock = stock;
		this.transaction = transaction;
		this.settings = settings;
		this.clock = clock;
		this.expired = Counter.builder("seckill.orders.expired")
			.description("Unpaid orders cancelled by the payment timeout")
			.register(meters);
	}

	/** Pays the caller's order; idempotent: paying a paid order answers PAID again. */
	String pay(long orderId, long callerId) {
		OrderState order = this.orders.find(orderId)
			.filter((found) -> found.userId() == callerId)
			.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
		if (JdbcOrderLifecycle.PAID.equals(order.status())) {
			return JdbcOrderLifecycle.PAID;
		}
		if (JdbcOrderLifecycle.CANCELLED.equals(order.status())) {
			throw new ApiException(ErrorCode.ORDER_CANCELLED);
		}
		if (!this.provider.charge(orderId)) {
			throw new ApiException(ErrorCode.PAYMENT_FAILED);
		}
		// The charge went through: settle the order now; a lock conflict with a
		// concurrent expiry is retried rather than reported.
		if (retryingDeadlocks(() -> this.orders.markPaid(orderId))) {
			return JdbcOrderLifecycle.PAID;
		}
		// Lost a race: a concurrent payment of this order won (fine), or the expiry.
		OrderState now = this.orders.find(orderId).orElseThrow();
		if (JdbcOrderLifecycle.PAID.equals(now.status())) {
			return JdbcOrderLifecycle.PAID;
		}
		this.provider.refund(orderId);
		log.info("Order " + orderId + " expired while its payment ran; the charge was refunded");
		throw new ApiException(ErrorCode.ORDER_CANCELLED);
	}

	/**
	 * Runs a transaction again when the database chose it as a deadlock victim (it was
	 * rolled back, so nothing of it happened): concurrent expiries and cancellations
	 * updating the same item rows and unique index entries can meet that way on InnoDB.
	 */
	private <T> T retryingDeadlocks(java.util.function.Supplier<T> work) {
		for (int attempt = 1;; attempt++) {
			try {
				return work.get();
			}
			catch (PessimisticLockingFailureException ex) {
				if (attempt == 5) {
					throw ex;
				}
				log.info("A transaction met a lock conflict and was rolled back, retrying: " + ex.getMessage());
			}
		}
	}

	/**
	 * Cancels unpaid orders past the timeout, a batch per transaction; returns how many.
	 */
	int expireUnpaid() {
		int total = 0;
		while (true) {
			Integer cancelled = retryingDeadlocks(() -> this.transaction.execute((status) -> {
				List<OrderState> due = this.orders.lockUnpaidBefore(
						this.clock.instant().minus(this.settings.paymentTimeout()), this.settings.expiryBatch());
				int count = 0;
				for (OrderState order : due) {
					if (this.orders.markCancelled(order.id())) {
						this.stock.returnUnits(order.activityId(), order.itemId(), order.userId(), 1);
						count++;
					}
				}
				return count;
			}));
			if (cancelled == null || cancelled == 0) {
				break;
			}
			total += cancelled;
			this.expired.increment(cancelled);
		}
		if (total > 0) {
			this.stock.applyNow();
		}
		return total;
	}

	/** An admin cancels an order (a paid one is refunded); idempotent. */
	String cancel(long orderId) {
		String before = retryingDeadlocks(() -> this.transaction.execute((status) -> {
			OrderState order = this.orders.lock(orderId).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
			if (this.orders.markCancelled(orderId)) {
				this.stock.returnUnits(order.activityId(), order.itemId(), order.userId(), 1);
			}
			return order.status();
		}));
		if (JdbcOrderLifecycle.PAID.equals(before)) {
			this.provider.refund(orderId);
		}
		this.stock.applyNow();
		return JdbcOrderLifecycle.CANCELLED;
	}

}
