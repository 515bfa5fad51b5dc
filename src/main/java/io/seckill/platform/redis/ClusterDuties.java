package io.seckill.platform.redis;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.seckill.platform.NodeNames;
import io.seckill.platform.Roles;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The duties one worker of the cluster performs at a time: reporting the gauges of what
 * every worker shares (the queue, the dead letters, the stock drift), so that a sum over
 * the workers counts each once. The workers compete for one {@link RedisLease}, renewed
 * every second by its holder; when the holder stops (gives it back) or dies (it runs out
 * after {@code seckill.cluster-duties.lease-ttl}), another worker takes the duties over.
 * A holder that fails to renew (another took over, or Redis is out of reach) gives its
 * duties up at once. API-only nodes do not compete.
 */
@Component
public class ClusterDuties implements SmartLifecycle {

	/** A cluster-wide duty: performed each second while held, given up when lost. */
	public interface Duty {

		/** Runs each second on the holder, on the duties' own thread. */
		default void perform() {
		}

		/** This node no longer holds the duties (lost, or stopping). */
		void relinquish();

	}

	private static final Log log = LogFactory.getLog(ClusterDuties.class);

	private static final Duration BEAT = Duration.ofSeconds(1);

	private final RedisLease lease;

	private final Roles roles;

	private final List<Duty> duties = new CopyOnWriteArrayList<>();

	private volatile boolean held;

	private volatile Thread thread;

	ClusterDuties(StringRedisTemplate redis, RedisKeys keys, Roles roles,
			@Value("${seckill.cluster-duties.lease-ttl:5s}") Duration ttl, @Value("${server.port:8080}") String port) {
		if (ttl.compareTo(BEAT.multipliedBy(2)) < 0) {
			throw new IllegalArgumentException(
					"seckill.cluster-duties.lease-ttl must be at least 2s (the lease is renewed every second): " + ttl);
		}
		this.roles = roles;
		// Unique per process and per context: two nodes on one host, or two test contexts
		// in one JVM, must not take each other for the holder.
		String holder = NodeNames.hostName() + ":" + port + ":" + UUID.randomUUID().toString().substring(0, 8);
		this.lease = new RedisLease(redis, keys.clusterDuties(), holder, ttl);
	}

	/** Adds a duty; performed from the next beat on by whichever node holds the lease. */
	public void add(Duty duty) {
		this.duties.add(duty);
	}

	/** True while this node holds the duties. */
	public boolean held() {
		return this.held;
	}

	@Override
	public void start() {
		if (!this.roles.worker() || this.thread != null) {
			return;
		}
		Thread beat = new Thread(this::beat, "cluster-duties");
		beat.setDaemon(true);
		this.thread = beat;
		beat.start();
	}

	/**
	 * Stops performing and gives the lease back, so another worker takes over at once.
	 */
	@Override
	public void stop() {
		Thread beat = this.thread;
		if (beat == null) {
			return;
		}
		this.thread = null;
		beat.interrupt();
		try {
			beat.join(BEAT.multipliedBy(5).toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		boolean wasHeld = this.held;
		giveUp();
		if (wasHeld) {
			try {
				this.lease.release();
			}
			catch (RuntimeException ex) {
				log.warn("Could not give the cluster duties' lease back (it runs out by itself): " + ex);
			}
		}
	}

	/** Stops abruptly, as a killed process would: the lease is left to run out. */
	public void halt() {
		Thread beat = this.thread;
		this.thread = null;
		if (beat != null) {
			beat.interrupt();
		}
		giveUp();
	}

	@Override
	public boolean isRunning() {
		return this.thread != null;
	}

	/** Stops before the Redis client does, with the web server already stopped. */
	@Override
	public int getPhase() {
		return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 2048;
	}

	private void beat() {
		while (this.thread == Thread.currentThread()) {
			if (hold()) {
				this.duties.forEach(ClusterDuties::perform);
			}
			try {
				Thread.sleep(BEAT.toMillis());
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private boolean hold() {
		boolean now;
		try {
			now = this.lease.hold();
		}
		catch (RuntimeException ex) {
			// Unsure whether another took over: not holding is the safe answer.
			log.warn("Could not renew the cluster duties' lease: " + ex);
			now = false;
		}
		if (now && !this.held) {
			log.info(this.lease.holder() + " took over the cluster duties");
		}
		else if (!now && this.held) {
			log.info(this.lease.holder() + " gave up the cluster duties");
			giveUp();
		}
		this.held = now;
		return now;
	}

	private void giveUp() {
		this.held = false;
		for (Duty duty : this.duties) {
			try {
				duty.relinquish();
			}
			catch (RuntimeException ex) {
				log.warn("A cluster duty failed to give up: " + ex);
			}
		}
	}

	private static void perform(Duty duty) {
		try {
			duty.perform();
		}
		catch (RuntimeException ex) {
			log.warn("A cluster duty failed this round: " + ex);
		}
	}

}
