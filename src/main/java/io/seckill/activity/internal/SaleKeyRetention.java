package io.seckill.activity.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.seckill.platform.RefusedSetting;
import io.seckill.platform.Roles;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes a sale's Redis keys {@code seckill.redis.sale-key-retention} after it ended
 * (Redis runs without eviction: without this every sale's rules, stock and buyers stay
 * for good). The keys a request leaves (tickets, idempotency records, used purchase
 * tokens, rate counters, challenges) carry their own time to live and are left to it.
 * <p>
 * Nothing that still matters goes: a sale whose order stream still holds an entry, or
 * that the workers still read, is skipped until a later round; a non-empty dead-letter
 * stream stays for an operator. Removed once (the database records it), and again after a
 * publish loads the keys back (the repair of a lost Redis). The sale's rules (its window
 * and items) stay one more retention period with a time to live, so purchase requests
 * still get ENDED, then NOT_FOUND. After the removal the shop shows the sale ended with
 * the database's remaining stock, and stock given back later (a cancelled order) goes to
 * the database only (return-stock.lua).
 */
@Component
class SaleKeyRetention {

	private static final Log log = LogFactory.getLog(SaleKeyRetention.class);

	/**
	 * Longer than what still reads an ended sale's keys: the workers (10 min after the
	 * end, while its stream is empty) and the stock reconciler (10 min).
	 */
	static final Duration MINIMUM = Duration.ofMinutes(15);

	private final JdbcActivities activities;

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final Roles roles;

	private final Clock clock;

	private final Duration retention;

	private final RedisScript<Long> removeKeys = LuaScripts.returningLong("remove-sale-keys.lua");

	SaleKeyRetention(JdbcActivities activities, StringRedisTemplate redis, RedisKeys keys, Roles roles, Clock clock,
			@Value("${seckill.redis.sale-key-retention:24h}") Duration retention) {
		if (retention.compareTo(MINIMUM) < 0) {
			throw new RefusedSetting("seckill.redis.sale-key-retention", "is " + retention + ", under " + MINIMUM,
					"keep an ended sale's keys at least " + MINIMUM + " (workers and the reconciler still read them)");
		}
		this.activities = activities;
		this.redis = redis;
		this.keys = keys;
		this.roles = roles;
		this.clock = clock;
		this.retention = retention;
	}

	@Scheduled(fixedDelayString = "${seckill.redis.sale-key-check-interval:10m}",
			initialDelayString = "${seckill.redis.sale-key-check-interval:10m}")
	void removeOnSchedule() {
		if (!this.roles.worker()) {
			return;
		}
		try {
			removeEndedBefore(this.clock.instant().minus(this.retention));
		}
		catch (RuntimeException ex) {
			log.warn("Removing ended sales' Redis keys failed, retrying later: " + ex.getMessage());
		}
	}

	/**
	 * Removes the keys of the sales that ended before {@code cutoff}; returns the ids of
	 * those done.
	 */
	List<Long> removeEndedBefore(Instant cutoff) {
		List<Long> removed = new ArrayList<>();
		for (Activity activity : this.activities.findEndedWithRedisKeys(cutoff)) {
			if (remove(activity)) {
				this.activities.markRedisKeysRemoved(activity.id());
				removed.add(activity.id());
			}
		}
		return removed;
	}

	private boolean remove(Activity activity) {
		long id = activity.id();
		String orders = this.keys.orders(id);
		if (Boolean.TRUE.equals(this.redis.opsForSet().isMember(this.keys.orderStreams(), orders))) {
			// Workers may still read it: later.
			return false;
		}
		List<String> doomed = new ArrayList<>(
				List.of(orders, this.keys.deadLetters(id), this.keys.stock(id), this.keys.ackProbe(id)));
		activity.items().forEach((item) -> doomed.add(this.keys.buyers(id, item.id())));
		// The waiting room's line: its draw is shown to admins until then.
		doomed.addAll(List.of(this.keys.lineDrawn(id), this.keys.lineLate(id), this.keys.lineArrivals(id),
				this.keys.lineState(id), this.keys.linePasses(id), this.keys.lineOutstanding(id)));
		// Checked (nothing queued or pending) and removed in one script, so a dead letter
		// replayed meanwhile keeps them; the keys share the sale's hash tag (one slot).
		Long dead = this.redis.execute(this.removeKeys, doomed);
		if (dead == null || dead < 0) {
			return false;
		}
		if (dead == 0) {
			// Its empty dead-letter stream went with the rest: nothing left to count.
			this.redis.opsForSet().remove(this.keys.deadLetterStreams(), this.keys.deadLetters(id));
		}
		this.redis.opsForSet().remove(this.keys.waitingRooms(), Long.toString(id));
		// The rules stay one more retention period, with a time to live: API nodes read
		// sales from Redis only, and answer ENDED from them (NOT_FOUND once gone).
		this.redis.expire(this.keys.meta(id), this.retention);
		this.redis.expire(this.keys.limits(id), this.retention);
		log.info("Removed the Redis keys of activity " + id + ", ended " + activity.endsAt()
				+ ((dead > 0) ? " (kept its " + dead + " dead letters)" : ""));
		return true;
	}

}
