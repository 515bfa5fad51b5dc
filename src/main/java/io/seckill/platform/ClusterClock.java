package io.seckill.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The clock every feature reads: this machine's, corrected by its measured offset to
 * Redis's clock. The admission script decides a sale's window by Redis's {@code TIME}, so
 * a node whose own clock runs ahead would show shoppers a countdown that ends early and
 * hand out purchase tokens the script then refuses ({@code NOT_STARTED}); reading this
 * clock, every node counts down to the moment Redis opens the sale. The offset is
 * measured by the Redis module ({@code seckill.clock.sync-interval}); until then, and
 * while Redis does not answer, the last one stands (0 at first).
 */
public final class ClusterClock extends Clock {

	private final Clock local;

	private volatile long offsetMillis;

	public ClusterClock(Clock local) {
		this.local = local;
	}

	/** Sets how far the cluster's clock is ahead of this machine's. */
	public void correctBy(Duration offset) {
		this.offsetMillis = offset.toMillis();
	}

	/** This machine's own time, uncorrected (epoch milliseconds). */
	public long localMillis() {
		return this.local.millis();
	}

	/** How far the cluster's clock is ahead of this machine's. */
	public Duration offset() {
		return Duration.ofMillis(this.offsetMillis);
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("The cluster clock is UTC");
	}

	@Override
	public long millis() {
		return this.local.millis() + this.offsetMillis;
	}

	@Override
	public Instant instant() {
		return this.local.instant().plusMillis(this.offsetMillis);
	}

}
