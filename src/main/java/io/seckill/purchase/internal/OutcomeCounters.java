package io.seckill.purchase.internal;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.web.ErrorCode;

/**
 * One counter per outcome of a kind of request ({@code name{outcome=...}}), registered up
 * front so the console shows every outcome from zero. Rejections are looked up by code on
 * the hot path (an EnumMap, no string building).
 */
final class OutcomeCounters {

	private final MeterRegistry meters;

	private final String name;

	private final String description;

	private final Map<ErrorCode, Counter> rejections = new EnumMap<>(ErrorCode.class);

	OutcomeCounters(MeterRegistry meters, String name, String description, ErrorCode... rejections) {
		this.meters = meters;
		this.name = name;
		this.description = description;
		for (ErrorCode code : rejections) {
			this.rejections.put(code, outcome(code.name()));
		}
	}

	/** The counter of an outcome that is not a rejection (QUEUED, ISSUED, ...). */
	Counter outcome(String outcome) {
		return Counter.builder(this.name).description(this.description).tag("outcome", outcome).register(this.meters);
	}

	/** Counts a rejection; codes this kind of request cannot meet are not counted. */
	void rejected(ErrorCode code) {
		Counter counter = this.rejections.get(code);
		if (counter != null) {
			counter.increment();
		}
	}

}
