package io.seckill.purchase.internal;

import java.util.Map;
import java.util.TreeMap;

import io.swagger.v3.oas.annotations.Operation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * This node's purchase figures for the admin dashboard: cumulative purchase admissions
 * and purchase-token requests by outcome (the page turns successive readings into rates)
 * and the purchase latency percentiles of the last minute or so.
 */
@RestController
class PurchaseMetricsController {

	private final MeterRegistry meters;

	PurchaseMetricsController(MeterRegistry meters) {
		this.meters = meters;
	}

	@Operation(operationId = "nodeMetrics",
			summary = "This node's cumulative purchase and token outcomes and purchase latency")
	@GetMapping("/api/v1/admin/metrics")
	Mono<NodeMetrics> metrics() {
		Map<String, Long> admissions = byOutcome(PurchaseHandler.ADMISSIONS);
		Map<String, Long> tokenRequests = byOutcome(PurchaseTokenHandler.TOKEN_REQUESTS);
		Timer latency = this.meters.find(PurchaseHandler.LATENCY).timer();
		double p50 = 0;
		double p99 = 0;
		long count = 0;
		if (latency != null) {
			count = latency.count();
			for (ValueAtPercentile value : latency.takeSnapshot().percentileValues()) {
				if (value.percentile() == 0.5) {
					p50 = value.value(java.util.concurrent.TimeUnit.MILLISECONDS);
				}
				if (value.percentile() == 0.99) {
					p99 = value.value(java.util.concurrent.TimeUnit.MILLISECONDS);
				}
			}
		}
		return Mono
			.just(new NodeMetrics(System.currentTimeMillis(), admissions, tokenRequests, new Latency(count, p50, p99)));
	}

	private Map<String, Long> byOutcome(String meter) {
		Map<String, Long> counts = new TreeMap<>();
		for (Counter counter : this.meters.find(meter).counters()) {
			counts.merge(counter.getId().getTag("outcome"), (long) counter.count(), Long::sum);
		}
		return counts;
	}

	record NodeMetrics(long at, Map<String, Long> admissions, Map<String, Long> tokenRequests,
			Latency purchaseLatencyMillis) {
	}

	record Latency(long count, double p50, double p99) {
	}

}
