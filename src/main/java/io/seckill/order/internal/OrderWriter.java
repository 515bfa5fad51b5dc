package io.seckill.order.internal;

import java.util.ArrayList;
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
		// is read
		// below (remaining units, the users' live slots) cannot change until this
		// commits.
		Map<Long, JdbcOrders.ItemRow> items = this.orders
			.lockItems(batch.stream().map(OrderStreamRecord::itemId).toList());
		// A redelivered entry (its writer died after the commit, before settling) has its
		// order.
		Map<String, Long> existing = this.orders.findOrderIds(batch.stream().map(OrderStreamRecord::ticket).toList());
		Map<String, Set<Integer>> liveSlots = this.orders.liveSlots(items.keySet(),
				batch.stream().map(OrderStreamRecord::userId).toList());

		Map<String, WriteResult> results = new HashMap<>();
		Map<Long, Integer> available = new HashMap<>();
		items.forEach((id, item) -> available.put(id, item.remaining()));
		List<JdbcOrders.NewOrder> candidates = new ArrayList<>();
		for (OrderStreamRecord request : batch) {
			if (results.containsKey(request.ticket())) {
				continue;
			}
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
				results.put(request.ticket(), null);
			}
		}

		this.orders.insertIgnoringDuplicates(candidates);
		// Which rows went in is read back by ticket, never taken from JDBC update counts:
		// drivers that rewrite batches report no per-row counts.
		Map<String, Long> created = this.orders
			.findOrderIds(candidates.stream().map((order) -> order.request().ticket()).toList());
		Map<Long, Integer> soldPerItem = new LinkedHashMap<>();
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
