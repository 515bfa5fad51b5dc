package io.seckill.purchase.internal;

import java.time.Clock;
import java.util.Optional;

import io.seckill.activity.SaleRules;
import io.seckill.platform.web.ErrorCode;
import io.seckill.user.Eligibility;
import io.seckill.user.Shopper;

import org.springframework.stereotype.Component;

/**
 * What a node can tell in memory about a shopper and a sale, for the purchase and the
 * purchase-token endpoints alike: unknown sale or item, not eligible, not started, ended,
 * sold out (this node's flag), in that order.
 */
@Component
class SaleGate {

	/** For checks that concern the sale, not one of its items. */
	static final long ANY_ITEM = -1;

	private static final Outcome.Rejected LINE_NOT_OPEN = new Outcome.Rejected(ErrorCode.WAITING_ROOM_NOT_OPEN);

	private final Eligibility eligibility;

	private final SoldOutFlags soldOut;

	private final Clock clock;

	SaleGate(Eligibility eligibility, SoldOutFlags soldOut, Clock clock) {
		this.eligibility = eligibility;
		this.soldOut = soldOut;
		this.clock = clock;
	}

	/**
	 * Why the shopper may not buy {@code itemId} now, or {@code null} when nothing here
	 * says no.
	 */
	Outcome.Rejected refusal(Optional<SaleRules> found, Shopper shopper, long itemId) {
		if (found.isEmpty() || (itemId != ANY_ITEM && !found.get().hasItem(itemId))) {
			return Outcome.NOT_FOUND;
		}
		SaleRules rules = found.get();
		long now = this.clock.millis();
		if (!this.eligibility.allows(shopper, rules.minLevel())) {
			return Outcome.NOT_ELIGIBLE;
		}
		if (now < rules.startsAtMillis()) {
			return Outcome.NOT_STARTED;
		}
		if (now >= rules.endsAtMillis()) {
			return Outcome.ENDED;
		}
		if (itemId != ANY_ITEM && this.soldOut.isSoldOut(itemId)) {
			return Outcome.SOLD_OUT;
		}
		return null;
	}

	/**
	 * Why the shopper may not be in the sale's waiting room now (no such sale or no
	 * waiting room, not eligible, not open yet, ended), or {@code null}.
	 */
	Outcome.Rejected lineRefusal(Optional<SaleRules> found, Shopper shopper) {
		if (found.isEmpty() || found.get().waitingRoom() == null) {
			return Outcome.NOT_FOUND;
		}
		SaleRules rules = found.get();
		long now = this.clock.millis();
		if (!this.eligibility.allows(shopper, rules.minLevel())) {
			return Outcome.NOT_ELIGIBLE;
		}
		if (now < rules.waitingRoom().opensAtMillis()) {
			return LINE_NOT_OPEN;
		}
		if (now >= rules.endsAtMillis()) {
			return Outcome.ENDED;
		}
		return null;
	}

}
