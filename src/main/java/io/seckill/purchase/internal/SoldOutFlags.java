package io.seckill.purchase.internal;

import java.util.concurrent.ConcurrentHashMap;

import io.seckill.activity.ActivityChanged;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * This node's memory of sold-out items, so that once an item is gone the storm of late
 * requests is answered without Redis. A flag lives for {@code sold-out-recheck} (then one
 * request asks Redis again) and is dropped at once when the activity's stock changes on
 * any node (pub/sub).
 */
@Component
class SoldOutFlags {

	private final ConcurrentHashMap<Long, Flag> flags = new ConcurrentHashMap<>();

	private final long recheckNanos;

	SoldOutFlags(PurchaseSettings settings) {
		this.recheckNanos = settings.soldOutRecheck().toNanos();
	}

	boolean isSoldOut(long itemId) {
		Flag flag = this.flags.get(itemId);
		if (flag == null) {
			return false;
		}
		if (System.nanoTime() - flag.setAtNanos() > this.recheckNanos) {
			this.flags.remove(itemId, flag);
			return false;
		}
		return true;
	}

	void markSoldOut(long activityId, long itemId) {
		this.flags.put(itemId, new Flag(activityId, System.nanoTime()));
	}

	@EventListener
	void onChange(ActivityChanged change) {
		this.flags.values().removeIf((flag) -> flag.activityId() == change.activityId());
	}

	private record Flag(long activityId, long setAtNanos) {
	}

}
