package io.seckill.activity.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.seckill.activity.ActivityChanged;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Admin set-up of activities, publishing, listing and stats. Blocking (JDBC and Redis).
 */
@Service
public class ActivityService {

	/** Changes are refused this close to the start (and after it). */
	static final Duration CHANGE_CUTOFF = Duration.ofSeconds(5);

	private final JdbcActivities activities;

	private final RedisStockLedger ledger;

	private final StockOutbox outbox;

	private final TransactionTemplate transaction;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	ActivityService(JdbcActivities activities, RedisStockLedger ledger, StockOutbox outbox,
			TransactionTemplate transaction, ApplicationEventPublisher events, Clock clock) {
		this.activities = activities;
		this.ledger = ledger;
		this.outbox = outbox;
		this.transaction = transaction;
		this.events = events;
		this.clock = clock;
	}

	Activity create(ActivityDraft draft) {
		checkWindow(draft);
		long id = this.transaction.execute((status) -> this.activities.insert(draft));
		return this.activities.find(id).orElseThrow();
	}

	/**
	 * Changes an activity until shortly before its start; a published one is re-preloaded
	 * in the same transaction, so a Redis failure leaves the database unchanged too.
	 */
	Activity update(long id, ActivityDraft draft) {
		checkWindow(draft);
		Activity updated = this.transaction.execute((status) -> {
			Activity current = this.activities.findForUpdate(id)
				.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
			// API nodes judge the window by their own clocks: stop changes a margin
			// before the start,
			// and never touch stock that has orders against it.
			if (!this.clock.instant().plus(CHANGE_CUTOFF).isBefore(current.startsAt())
					|| this.activities.hasOrders(id)) {
				throw new ApiException(ErrorCode.ALREADY_STARTED);
			}
			Set<Long> own = new HashSet<>();
			current.items().forEach((item) -> own.add(item.id()));
			for (ActivityDraft.ItemDraft item : draft.items()) {
				if (item.id() != null && !own.contains(item.id())) {
					throw new ApiException(ErrorCode.BAD_REQUEST,
							"Item " + item.id() + " is not part of activity " + id);
				}
			}
			this.activities.update(id, draft);
			Activity changed = this.activities.find(id).orElseThrow();
			if (changed.published()) {
				this.ledger.publish(changed);
			}
			return changed;
		});
		this.events.publishEvent(new ActivityChanged(id));
		return updated;
	}

	/**
	 * Preloads rules and stock into Redis, then marks the activity published, in one
	 * database transaction. Allowed before the start, for an activity never published
	 * (nothing can have been sold), or to repair a Redis that lost the activity (its
	 * stock is then the database's, the truth). Republishing a running sale that Redis
	 * still holds would overwrite live stock.
	 */
	Activity publish(long id) {
		Activity published = this.transaction.execute((status) -> {
			Activity current = this.activities.findForUpdate(id)
				.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
			if (!current.endsAt().isAfter(this.clock.instant())) {
				throw new ApiException(ErrorCode.ENDED);
			}
			if (current.published() && current.startedAt(this.clock.instant()) && this.ledger.holds(id)) {
				throw new ApiException(ErrorCode.ALREADY_STARTED);
			}
			this.ledger.publish(current);
			this.activities.markPublished(id);
			return this.activities.find(id).orElseThrow();
		});
		this.events.publishEvent(new ActivityChanged(id));
		return published;
	}

	/**
	 * Adds units to an item, during a sale too: the database in one transaction, Redis
	 * through the stock outbox (exactly once), and every node's sold-out flag for the
	 * activity is dropped.
	 */
	Activity raiseStock(long activityId, long itemId, int units) {
		Activity raised = this.transaction.execute((status) -> {
			Activity current = this.activities.findForUpdate(activityId)
				.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
			if (current.items().stream().noneMatch((item) -> item.id() == itemId)) {
				throw new ApiException(ErrorCode.NOT_FOUND,
						"Item " + itemId + " is not part of activity " + activityId);
			}
			if (!current.endsAt().isAfter(this.clock.instant())) {
				throw new ApiException(ErrorCode.ENDED);
			}
			this.activities.addStock(itemId, units);
			if (current.published()) {
				this.outbox.record(activityId, itemId, null, units);
			}
			return this.activities.find(activityId).orElseThrow();
		});
		this.outbox.relaySoon();
		this.events.publishEvent(new ActivityChanged(activityId));
		return raised;
	}

	Activity find(long id, boolean publishedOnly) {
		return this.activities.find(id)
			.filter((activity) -> activity.published() || !publishedOnly)
			.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
	}

	List<Activity> list(boolean publishedOnly) {
		return this.activities.findAll(publishedOnly);
	}

	Map<Long, Long> redisRemaining(long activityId) {
		return this.ledger.remaining(activityId);
	}

	ActivityStats stats(long id) {
		Activity activity = find(id, false);
		Map<Long, Long> redis = activity.published() ? this.ledger.remaining(id) : Map.of();
		Map<Long, Long> live = this.activities.liveOrdersByItem(id);
		List<ActivityStats.ItemStats> items = activity.items()
			.stream()
			.map((item) -> new ActivityStats.ItemStats(item.id(), item.name(), item.stock(), redis.get(item.id()),
					item.remaining(), live.getOrDefault(item.id(), 0L),
					(redis.get(item.id()) != null) ? redis.get(item.id()) - item.remaining() : 0))
			.toList();
		long queue = activity.published() ? this.ledger.queueLength(id) : 0;
		Map<String, Map<String, Long>> counts = activity.published() ? this.ledger.requestCounts(id) : Map.of();
		return new ActivityStats(id, this.clock.instant(), queue, items, new ActivityStats.SaleRequests(
				counts.getOrDefault("admission", Map.of()), counts.getOrDefault("token", Map.of())));
	}

	long count() {
		return this.activities.countActivities();
	}

	private static void checkWindow(ActivityDraft draft) {
		if (!draft.endsAt().isAfter(draft.startsAt())) {
			throw new ApiException(ErrorCode.BAD_REQUEST, "endsAt must be after startsAt");
		}
		Set<String> names = new HashSet<>();
		for (ActivityDraft.ItemDraft item : draft.items()) {
			if (!names.add(item.name())) {
				throw new ApiException(ErrorCode.BAD_REQUEST, "Item names must be unique: " + item.name());
			}
		}
		ActivityDraft.WaitingRoomDraft room = draft.waitingRoom();
		if (room != null) {
			if (room.opensBefore().isNegative()
					|| room.opensBefore().compareTo(ActivityDraft.WaitingRoomDraft.MAX_OPENS_BEFORE) > 0
					|| room.opensBefore().toNanos() % 1_000_000_000 != 0) {
				throw new ApiException(ErrorCode.BAD_REQUEST,
						"waitingRoom.opensBefore must be whole seconds from PT0S to P1D, got " + room.opensBefore());
			}
			if (room.passTtl().compareTo(ActivityDraft.WaitingRoomDraft.MIN_PASS_TTL) < 0
					|| room.passTtl().compareTo(ActivityDraft.WaitingRoomDraft.MAX_PASS_TTL) > 0
					|| room.passTtl().toNanos() % 1_000_000_000 != 0) {
				throw new ApiException(ErrorCode.BAD_REQUEST,
						"waitingRoom.passTtl must be whole seconds from PT10S to PT1H, got " + room.passTtl());
			}
		}
	}

	/**
	 * Stock figures of one activity: set stock, Redis and database remaining, live
	 * orders, queue.
	 */
	record ActivityStats(long activityId, Instant at, long queueLength, List<ItemStats> items,
			@io.swagger.v3.oas.annotations.media.Schema(
					description = "The sale's requests by outcome over every node of the cluster (each node adds its counts once a second)") SaleRequests requests) {

		/**
		 * Cumulative counts of the sale's purchase requests and purchase-token (and
		 * challenge) requests by outcome, over the whole cluster.
		 */
		record SaleRequests(Map<String, Long> admissions, Map<String, Long> tokenRequests) {
		}

		/**
		 * {@code drift}: Redis minus database remaining; transient while the queue is not
		 * empty.
		 */
		record ItemStats(long itemId, String name, int stock, @io.swagger.v3.oas.annotations.media.Schema(
				nullable = true,
				description = "null while Redis holds no stock for it: not published, or its keys removed after the sale's retention") Long redisRemaining,
				int databaseRemaining, long liveOrders, long drift) {
		}

	}

}
