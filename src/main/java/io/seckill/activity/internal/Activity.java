package io.seckill.activity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** An activity as stored, with its items. */
record Activity(long id, String name, Instant startsAt, Instant endsAt, int minLevel, boolean published,
		List<Item> items, boolean challenge, WaitingRoom waitingRoom) {

	/**
	 * The sale's waiting room ({@code null}: none); {@code seed} draws the order of those
	 * in line at the start (hex, secret until then).
	 */
	record WaitingRoom(Duration opensBefore, int admitPerSecond, Duration passTtl, String seed) {
	}

	record Item(long id, String name, java.math.BigDecimal price, int stock, int remaining, int purchaseLimit) {
	}

	boolean startedAt(Instant now) {
		return !now.isBefore(this.startsAt);
	}

}
