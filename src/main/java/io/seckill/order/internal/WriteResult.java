package io.seckill.order.internal;

import io.seckill.platform.redis.OrderStreamRecord;

/**
 * What the database made of one admitted purchase: an order id, or the code of the
 * refusal. {@code returnSlot} says whether Redis should give the buyer's slot back (the
 * unit never existed).
 */
record WriteResult(OrderStreamRecord request, long orderId, String failure, boolean returnSlot) {

	static WriteResult written(OrderStreamRecord request, long orderId) {
		return new WriteResult(request, orderId, null, false);
	}

	static WriteResult refused(OrderStreamRecord request, String code, boolean returnSlot) {
		return new WriteResult(request, 0, code, returnSlot);
	}

	boolean succeeded() {
		return this.failure == null;
	}

}
