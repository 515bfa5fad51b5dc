package io.seckill.purchase.internal;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.web.ErrorCode;

/**
 * One counter per outcome of a kind of request ({@code name{outcome=...}}) on this node,
 * registered up front so every outcome shows from zero, and the same outcome counted for
 * its sale over the whole cluster ({@link SaleCounts}, field {@code kind:outcome}).
 * Rejections are looked up by code on the hot path (an EnumMap, no string building).
 */
final class OutcomeCounters {

	private final MeterRegistry meters;

	private final SaleCounts sales;

	private final String name;

	private final String kind;

	private final String description;

	private final Map<ErrorCode, Tally> rejections = new EnumMap<>(ErrorCode.class);

	OutcomeCounters(MeterRegistry meters, SaleCounts sales, String name, String kind, String description,
			ErrorCode... rejections) {
		this.meters = meters;
		this.sales = sales;
		this.name = name;
		this.kind = kind;
		this.description = description;
		for (ErrorCode code : rejections) {
			this.rejections.put(code, outcome(code.name()));
		}
	}

	/** The tally of an outcome that is not a rejection (QUEUED, ISSUED, ...). */
	Tally outcome(String outcome) {
		Counter counter = Counter.builder(this.name)
			.description(this.description)
			.tag("outcome", outcome)
			.register(this.meters);
		return new Tally(counter, this.kind + ":" + outcome);
	}

	/**
	 * Counts a rejection for sale {@code activityId} (0 or less: no sale); codes this
	 * kind of request cannot meet are not counted. NOT_FOUND counts on this node only:
	 * there is no such sale to count it for.
	 */
	void rejected(ErrorCode code, long activityId) {
		Tally tally = this.rejections.get(code);
		if (tally != null) {
			tally.count((code == ErrorCode.NOT_FOUND) ? 0 : activityId);
		}
	}

	/** One outcome: this node's counter and the field of the sale's shared counts. */
	final class Tally {

		private final Counter counter;

		private final String field;

		private Tally(Counter counter, String field) {
			this.counter = counter;
			this.field = field;
		}

		void count(long activityId) {
			this.counter.increment();
			OutcomeCounters.this.sales.add(activityId, this.field);
		}

	}

}
