package io.seckill.order.internal;

import io.seckill.platform.redis.OrderStreamRecord;

/**
 * What the database made of one admitted purchase: an order id, or the code of the
 * refusal and what Redis should be given back so it agrees with the database again.
 */
record WriteResult(OrderStreamRecord request, long orderId, String failure, GiveBack giveBack) {

	/** What Redis took at admission that the database does not hold. */
	enum GiveBack {

		/** Nothing: the order exists, or Redis and the database agree. */
		NOTHING('0'),
		/**
		 * The buyer's slot: the database had no stock (Redis over-admitted; its stock is
		 * already low).
		 */
		SLOT('S'),
		/**
		 * The unit: the database already held this buyer's slot (Redis had forgotten it).
		 */
		UNIT('U'),
		/** Both: the database holds nothing of this purchase. */
		BOTH('B');

		private final char code;

		GiveBack(char code) {
			this.code = code;
		}

		String code() {
			return String.valueOf(this.code);
		}

	}

	static WriteResult written(OrderStreamRecord request, long orderId) {
		return new WriteResult(request, orderId, null, GiveBack.NOTHING);
	}

	static WriteResult refused(OrderStreamRecord request, String code, GiveBack giveBack) {
		return new WriteResult(request, 0, code, giveBack);
	}

	boolean succeeded() {
		return this.failure == null;
	}

}
