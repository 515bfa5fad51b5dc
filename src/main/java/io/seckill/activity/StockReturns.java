package io.seckill.activity;

import io.seckill.activity.internal.StockOutbox;

import org.springframework.stereotype.Component;

/**
 * Gives units back to an item's stock, inside the caller's database transaction (an
 * expiry, a cancellation), and makes Redis follow exactly once through the stock outbox.
 */
@Component
public class StockReturns {

	private final StockOutbox outbox;

	StockReturns(StockOutbox outbox) {
		this.outbox = outbox;
	}

	/**
	 * Returns {@code units} of an item to the database stock and records that Redis must
	 * get them too, with the buyer's slot freed. Call inside the transaction that cancels
	 * the order.
	 */
	public void returnUnits(long activityId, long itemId, long buyerId, int units) {
		this.outbox.returnUnits(activityId, itemId, buyerId, units);
	}

	/**
	 * Applies recorded returns to Redis now (after the caller's commit) instead of at the
	 * next poll.
	 */
	public void applyNow() {
		this.outbox.relaySoon();
	}

}
