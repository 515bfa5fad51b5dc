package io.seckill.platform.redis;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.support.TwoNodeTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gauges of what the workers share are reported by one worker at a time: two worker
 * nodes on one Redis, never both reporting; when the reporter stops the other takes over
 * within a beat, and when it dies (no lease given back) once its lease has run out.
 */
class ClusterDutiesIT extends TwoNodeTest {

	private static final Duration TTL = Duration.ofSeconds(5);

	@Autowired
	private ClusterDuties duties;

	@Autowired
	private MeterRegistry meters;

	@Override
	protected Map<String, String> secondNodeSettings() {
		// Its own name in the consumer group: both nodes listen on port 0.
		return Map.of("seckill.roles", "api,worker", "seckill.worker.node-name", "cluster-duties-second-node");
	}

	@Test
	void oneWorkerAtATimeReportsTheQueueAndAnotherTakesOverWhenItStopsOrDies() throws InterruptedException {
		Node a = new Node(this.duties, this.meters);
		Node b = new Node(secondNode().bean(ClusterDuties.class), secondNode().bean(MeterRegistry.class));
		await().atMost(Duration.ofSeconds(15)).until(() -> a.reports() != b.reports());
		assertOneReportsFor(a, b, Duration.ofSeconds(3));

		Node holder = a.reports() ? a : b;
		Node other = (holder == a) ? b : a;
		try {
			// A stop gives the lease back: the other takes over at its next beat.
			holder.duties.stop();
			assertThat(holder.hasGauges()).as("a stopped worker reports nothing").isFalse();
			await().atMost(Duration.ofSeconds(3)).until(other::reports);
			holder.duties.start();
			assertOneReportsFor(other, holder, Duration.ofSeconds(2));

			// A death leaves the lease to run out: the survivor waits for it, no longer.
			long died = System.nanoTime();
			other.duties.halt();
			assertThat(other.hasGauges()).isFalse();
			await().atMost(TTL.plusSeconds(3)).until(holder::reports);
			Duration takeover = Duration.ofNanos(System.nanoTime() - died);
			assertThat(takeover).as("the lease of the dead one ran out first").isGreaterThan(TTL.minusSeconds(2));
			other.duties.start();
			assertOneReportsFor(holder, other, Duration.ofSeconds(2));
		}
		finally {
			a.duties.start();
			b.duties.start();
		}
	}

	/**
	 * For {@code period}: {@code reporter} reports the shared gauges, {@code silent} not.
	 */
	private static void assertOneReportsFor(Node reporter, Node silent, Duration period) throws InterruptedException {
		long until = System.nanoTime() + period.toNanos();
		while (System.nanoTime() < until) {
			assertThat(reporter.reports()).isTrue();
			assertThat(silent.duties.held()).isFalse();
			assertThat(silent.hasGauges()).isFalse();
			Thread.sleep(100);
		}
	}

	private record Node(ClusterDuties duties, MeterRegistry meters) {

		/** Holds the duties and has the three shared gauges. */
		boolean reports() {
			return this.duties.held() && hasGauges();
		}

		/** Has any of the shared gauges. */
		boolean hasGauges() {
			return this.meters.find("seckill.queue.length").gauge() != null
					|| this.meters.find("seckill.queue.lag").gauge() != null
					|| this.meters.find("seckill.dead.letters").gauge() != null;
		}

	}

}
