package io.seckill.activity;

import java.util.Map;

/**
 * What the hot path needs to judge a purchase without a database: the window, the minimum
 * level and each item's per-user limit, as published to Redis.
 */
public record SaleRules(long activityId, long startsAtMillis, long endsAtMillis, int minLevel,
		Map<Long, Integer> itemLimits) {

	public boolean hasItem(long itemId) {
		return this.itemLimits.containsKey(itemId);
	}

}
