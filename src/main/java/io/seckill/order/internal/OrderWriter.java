package io.seckill.order.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.seckill.platform.redis.OrderStreamRecord;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes one batch of admitted purchases in ONE transaction: locks the batch's item rows,
 * accepts purchases in stream order while the database's own stock and per-user limit
 * allow, inserts the orders (a duplicate ticket or user slot is ignored, not an error),
 * and applies ONE merged conditional stock update per item. The database is the final
 * truth: even if Redis admitted too many (lost writes after a failover), no item goes
 * below zero and no user above the limit; the excess ends FAILED.
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
		Map<Long, JdbcOrders.ItemRow> items = this.orders
			.lockItems(batch.stream().map(OrderStreamRecord::itemId).toList());
		List<String> tickets = batch.stream().map(OrderStreamRecord::ticket).toList();
		// A redelivered entry (the writer died after commit, before XACK) already has its
		// order.
		Map<String, Long> existing = this.orders.findOrderIds(tickets);

		Map<String, WriteResult> results = new HashMap<>();
		Map<Long, Integer> available = new HashMap<>();
		items.forEach((id, item) -> available.put(id, item.remaining()));
		List<OrderStreamRecord> candidates = new ArrayList<>();
		for (OrderStreamRecord request : batch) {
			if (results.containsKey(request.ticket())) {
				continue;
			}
			Long orderId = existing.get(request.ticket());
			JdbcOrders.ItemRow item = items.get(request.itemId());
			if (orderId != null) {
				results.put(request.ticket(), WriteResult.written(request, orderId));
			}
			else if (item == null || item.activityId() != request.activityId()) {
				results.put(request.ticket(), WriteResult.refused(request, NOT_FOUND, WriteResult.GiveBack.BOTH));
			}
			else if (request.slot() < 1 || request.slot() > item.purchaseLimit()) {
				results.put(request.ticket(), WriteResult.refused(request, LIMIT_REACHED, WriteResult.GiveBack.UNIT));
			}
			else if (available.get(request.itemId()) <= 0) {
				results.put(request.ticket(), WriteResult.refused(request, SOLD_OUT, WriteResult.GiveBack.SLOT));
			}
			else {
				available.merge(request.itemId(), -1, Integer::sum);
				candidates.add(request);
				results.put(request.ticket(), null);
			}
		}

		this.orders.insertIgnoringDuplicates(candidates, items);
		// Which rows went in is read back by ticket, not taken from JDBC update counts:
		// drivers that
		// rewrite batches (reWriteBatchedInserts, rewriteBatchedStatements) report no
		// per-row counts.
		Map<String, Long> created = this.orders
			.findOrderIds(candidates.stream().map(OrderStreamRecord::ticket).toList());
		Map<Long, Integer> soldPerItem = new LinkedHashMap<>();
		for (OrderStreamRecord request : candidates) {
			Long orderId = created.get(request.ticket());
			if (orderId != null) {
				soldPerItem.merge(request.itemId(), 1, Integer::sum);
				results.put(request.ticket(), WriteResult.written(request, orderId));
			}
			else {
				// The user already holds this slot: Redis forgot a purchase (e.g. after a
				// failover).
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

}
