package io.seckill.order.internal;

import java.time.Clock;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.activity.StockReturns;
import io.seckill.order.internal.JdbcOrderLifecycle.OrderState;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * CREATED → CANCELLED (expiry), CREATED/PAID → CANCELLED (admin); payment is
 * {@link OrderPayments}. Every transition is a conditional update, so a payment racing
 * the expiry or a cancel has exactly one winner; a cancellation returns the unit to the
 * database stock in the same transaction and to Redis through the stock outbox, exactly
 * once, and owes a paid order's refund through the refund outbox in that transaction too.
 */
@Service
class OrderLifecycle {

	private final JdbcOrderLifecycle orders;

	private final JdbcRefunds refundOutbox;

	private final Refunds refunds;

	private final StockReturns stock;

	private final TransactionTemplate transaction;

	private final OrderRetries retries;

	private final LifecycleSettings settings;

	private final Clock clock;

	private final Counter expired;

	OrderLifecycle(JdbcOrderLifecycle orders, JdbcRefunds refundOutbox, Refunds refunds, StockReturns stock,
			TransactionTemplate transaction, OrderRetries retries, LifecycleSettings settings, Clock clock,
			MeterRegistry meters) {
		this.orders = orders;
		this.refundOutbox = refundOutbox;
		this.refunds = refunds;
		this.stock = stock;
		this.transaction = transaction;
		this.retries = retries;
		this.settings = settings;
		this.clock = clock;
		this.expired = Counter.builder("seckill.orders.expired")
			.description("Unpaid orders cancelled by the payment timeout")
			.register(meters);
	}

	/**
	 * Cancels unpaid orders past the timeout, a batch per transaction; returns how many.
	 */
	int expireUnpaid() {
		int total = 0;
		while (true) {
			Integer cancelled = this.retries.onLockConflict(() -> this.transaction.execute((status) -> {
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

	/**
	 * An admin cancels an order (a paid one is refunded); idempotent. An order whose
	 * payment is running is refused (PAYMENT_IN_PROGRESS): cancel it once that settles.
	 */
	String cancel(long orderId) {
		OrderState before = this.retries.onLockConflict(() -> this.transaction.execute((status) -> {
			OrderState order = this.orders.lock(orderId).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
			if (JdbcOrderLifecycle.PAYING.equals(order.status())) {
				throw new ApiException(ErrorCode.PAYMENT_IN_PROGRESS);
			}
			if (this.orders.markCancelled(orderId)) {
				this.stock.returnUnits(order.activityId(), order.itemId(), order.userId(), 1);
				if (JdbcOrderLifecycle.PAID.equals(order.status())) {
					this.refundOutbox.add(orderId, order.paymentKey(), order.price());
				}
			}
			return order;
		}));
		if (JdbcOrderLifecycle.PAID.equals(before.status())) {
			// After the commit; a failure here leaves the refund to the sweep's retries.
			this.refunds.sendNow(orderId);
		}
		this.stock.applyNow();
		return JdbcOrderLifecycle.CANCELLED;
	}

}
