package io.seckill.order.internal;

import java.math.BigDecimal;
import java.time.Instant;

/** An order as its buyer sees it. */
record OrderView(long id, String ticket, long activityId, long itemId, BigDecimal price, String status,
		Instant createdAt) {
}
