package io.seckill.activity;

import java.util.Map;

/**
 * What the hot path needs to judge a purchase without a database: the window, the minimum
 * level, each item's per-user limit and whether a challenge guards the purchase tokens,
 * as published to Redis.
 */
public record SaleRules(long activityId, long startsAtMillis, long endsAtMillis, int minLevel,
		Map<Long, Integer> itemLimits, boolean challenge) {

	public boolean hasItem(long itemId) {
		return this.itemLimits.containsKey(itemId);
	}

}
