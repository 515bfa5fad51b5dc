package io.seckill.order.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.seckill.platform.redis.OrderStreamRecord;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes one batch of admitted purchases in ONE transaction: locks the batch's item rows,
 * accepts purchases in stream order while the database's own stock and per-user limit
 * allow, inserts the orders (a duplicate ticket or live user slot is ignored, not an
 * error), and applies ONE merged conditional stock update per item. The database is the
 * final truth: even if Redis admitted too many (lost writes after a failover), no item
 * goes below zero and no user above the limit; the excess ends FAILED.
 */
@Component
class OrderWriter {

	static final String SOLD_OUT = "SOLD_OUT";

	static final String LIMIT_REACHED = "LIMIT_REACHED";

	static final String NOT_FOUND = "NOT_FOUND";

	private final JdbcOrders orders;

	private final TransactionTemplate transaction;

	OrderWriter(JdbcOrders orders, TransactionTemplate transaction) {
		this.orders = orders;
		this.transaction = transaction;
	}

	List<WriteResult> write(List<OrderStreamRecord> batch) {
		return this.transaction.execute((status) -> writeInTransaction(batch));
	}

	private List<WriteResult> writeInTransaction(List<OrderStreamRecord> batch) {
		// Every writer, expiry and stock change locks the item rows it touches, so what
		// is read below (remaining units, the users' live slots) cannot change until this
		// commits.
		Map<Long, JdbcOrders.ItemRow> items = this.orders
			.lockItems(batch.stream().map(OrderStreamRecord::itemId).toList());
		// A redelivered entry (its writer died after the commit, before settling) has its
		// order. Where the insert reports only the rows it made (PostgreSQL), such an
		// entry
		// is simply not inserted and the second pass finds its order; elsewhere it is
		// looked up first.
		Map<String, Long> existing = this.orders.insertReportsOnlyNewRows() ? Map.of()
				: this.orders.findOrderIds(batch.stream().map(OrderStreamRecord::ticket).toList());
		Map<Long, Integer> available = new HashMap<>();
		items.forEach((id, item) -> available.put(id, item.remaining()));
		Map<String, WriteResult> results = new HashMap<>();
		Map<Long, Integer> soldPerItem = new LinkedHashMap<>();

		// First pass: each purchase takes the slot Redis gave it. Redis and the database
		// agree on the buyers' slots unless Redis lost writes or a cancellation freed a
		// lower slot, so this pass reads none of the buyers' orders: the unique index on
		// live slots refuses a slot that is taken, and that purchase goes to the second.
		List<OrderStreamRecord> unsettled = new ArrayList<>();
		List<JdbcOrders.NewOrder> candidates = new ArrayList<>();
		Map<Long, Integer> reserved = new HashMap<>(available);
		Set<String> slotsInBatch = new HashSet<>();
		Map<String, Integer> position = new HashMap<>();
		for (OrderStreamRecord request : batch) {
			if (results.containsKey(request.ticket())) {
				continue;
			}
			position.put(request.ticket(), position.size());
			Long orderId = existing.get(request.ticket());
			JdbcOrders.ItemRow item = items.get(request.itemId());
			if (orderId != null) {
				results.put(request.ticket(), WriteResult.written(request, orderId));
				continue;
			}
			if (item == null || item.activityId() != request.activityId()) {
				results.put(request.ticket(), WriteResult.refused(request, NOT_FOUND, WriteResult.GiveBack.BOTH));
				continue;
			}
			results.put(request.ticket(), null);
			boolean slotFree = request.slot() >= 1 && request.slot() <= item.purchaseLimit()
					&& slotsInBatch.add(JdbcOrders.slotKey(request.itemId(), request.userId()) + ":" + request.slot());
			if (slotFree && reserved.get(request.itemId()) > 0) {
				reserved.merge(request.itemId(), -1, Integer::sum);
				candidates.add(new JdbcOrders.NewOrder(request, request.slot(), item.price()));
			}
			else {
				unsettled.add(request);
			}
		}
		// Which rows went in is read from the database, never taken from JDBC update
		// counts: drivers that rewrite batches report no per-row counts.
		Map<String, Long> created = this.orders.insertIgnoringDuplicates(candidates);
		for (JdbcOrders.NewOrder order : candidates) {
			OrderStreamRecord request = order.request();
			Long orderId = created.get(request.ticket());
			if (orderId != null) {
				available.merge(request.itemId(), -1, Integer::sum);
				soldPerItem.merge(request.itemId(), 1, Integer::sum);
				results.put(request.ticket(), WriteResult.written(request, orderId));
			}
			else {
				unsettled.add(request);
			}
		}

		// Second pass, only for purchases the first could not place: in stream order, the
		// lowest slot the buyer does not hold in the database, while its stock lasts.
		if (!unsettled.isEmpty()) {
			unsettled.sort(Comparator.comparingInt((request) -> position.get(request.ticket())));
			settleTheRest(unsettled, items, available, soldPerItem, results);
		}

		soldPerItem.forEach((itemId, sold) -> {
			if (!this.orders.takeStock(itemId, sold)) {
				throw new IllegalStateException("Stock of item " + itemId + " changed under a row lock");
			}
		});
		List<WriteResult> ordered = new ArrayList<>(batch.size());
		for (OrderStreamRecord request : batch) {
			WriteResult result = results.get(request.ticket());
			ordered.add((result.request() == request) ? result
					: new WriteResult(request, result.orderId(), result.failure(), WriteResult.GiveBack.NOTHING));
		}
		return ordered;
	}

	private void settleTheRest(List<OrderStreamRecord> requests, Map<Long, JdbcOrders.ItemRow> items,
			Map<Long, Integer> available, Map<Long, Integer> soldPerItem, Map<String, WriteResult> results) {
		Map<String, Long> existing = this.orders
			.findOrderIds(requests.stream().map(OrderStreamRecord::ticket).toList());
		Map<String, Set<Integer>> liveSlots = this.orders.liveSlots(
				requests.stream().map(OrderStreamRecord::activityId).toList(),
				requests.stream().map(OrderStreamRecord::itemId).toList(),
				requests.stream().map(OrderStreamRecord::userId).toList());
		List<JdbcOrders.NewOrder> candidates = new ArrayList<>();
		for (OrderStreamRecord request : requests) {
			Long orderId = existing.get(request.ticket());
			if (orderId != null) {
				results.put(request.ticket(), WriteResult.written(request, orderId));
				continue;
			}
			JdbcOrders.ItemRow item = items.get(request.itemId());
			Set<Integer> held = liveSlots.computeIfAbsent(JdbcOrders.slotKey(request.itemId(), request.userId()),
					(key) -> new HashSet<>());
			int slot = freeSlot(held, item.purchaseLimit());
			if (slot == 0) {
				// The database says the buyer is at the limit: Redis had forgotten a
				// purchase.
				results.put(request.ticket(), WriteResult.refused(request, LIMIT_REACHED, WriteResult.GiveBack.UNIT));
			}
			else if (available.get(request.itemId()) <= 0) {
				results.put(request.ticket(), WriteResult.refused(request, SOLD_OUT, WriteResult.GiveBack.SLOT));
			}
			else {
				available.merge(request.itemId(), -1, Integer::sum);
				held.add(slot);
				candidates.add(new JdbcOrders.NewOrder(request, slot, item.price()));
			}
		}
		Map<String, Long> created = this.orders.insertIgnoringDuplicates(candidates);
		for (JdbcOrders.NewOrder order : candidates) {
			OrderStreamRecord request = order.request();
			Long orderId = created.get(request.ticket());
			if (orderId != null) {
				soldPerItem.merge(request.itemId(), 1, Integer::sum);
				results.put(request.ticket(), WriteResult.written(request, orderId));
			}
			else {
				results.put(request.ticket(), WriteResult.refused(request, LIMIT_REACHED, WriteResult.GiveBack.UNIT));
			}
		}
	}

	/** The lowest slot in 1..limit the buyer does not hold, or 0 when all are held. */
	private static int freeSlot(Set<Integer> held, int limit) {
		for (int slot = 1; slot <= limit; slot++) {
			if (!held.contains(slot)) {
				return slot;
			}
		}
		return 0;
	}

}
