package io.seckill.activity.internal;

import java.time.Instant;
import java.util.List;

/** An activity as stored, with its items. */
record Activity(long id, String name, Instant startsAt, Instant endsAt, int minLevel, boolean published,
		List<Item> items, boolean challenge) {

	record Item(long id, String name, java.math.BigDecimal price, int stock, int remaining, int purchaseLimit) {
	}

	boolean startedAt(Instant now) {
		return !now.isBefore(this.startsAt);
	}

}
