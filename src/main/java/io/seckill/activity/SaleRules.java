package io.seckill.activity;

import java.util.Map;

/**
 * What the hot path needs to judge a purchase without a database: the window, the minimum
 * level, each item's per-user limit and whether a challenge guards the purchase tokens,
 * as published to Redis.
 */
public record SaleRules(long activityId, long startsAtMillis, long endsAtMillis, int minLevel,
		Map<Long, Integer> itemLimits, boolean challenge, WaitingRoom waitingRoom) {

	/**
	 * The sale's waiting room ({@code null}: none): its line opens at
	 * {@code opensAtMillis}; {@code admitPerSecond} shoppers are let through each second
	 * with a pass that lasts {@code passTtlMillis}; {@code seed} draws who joined before
	 * the start (secret until then: only nodes read it).
	 */
	public record WaitingRoom(long opensAtMillis, int admitPerSecond, long passTtlMillis, String seed) {
	}

	public boolean hasItem(long itemId) {
		return this.itemLimits.containsKey(itemId);
	}

}
