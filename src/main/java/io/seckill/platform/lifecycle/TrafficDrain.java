package io.seckill.platform.lifecycle;

import io.seckill.platform.Roles;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The pre-stop step of an API node: on SIGTERM, readiness turns to
 * {@code REFUSING_TRAFFIC} and the node goes on serving for
 * {@code seckill.shutdown.pre-stop-delay}; only then does the web server's graceful
 * shutdown close the listening socket and drain in-flight requests.
 * <p>
 * Without the pause, the socket closes at the same moment readiness changes: a balancer
 * with active checks (HAProxy) learns of the stop only from refused connections, and a
 * request already sent on a pooled connection can meet the close. During the pause every
 * response also closes its connection ({@link TrafficGate}), so a balancer without active
 * checks (nginx) holds no idle connection to this node by the time it stops.
 */
@Component
class TrafficDrain implements SmartLifecycle {

	private static final Log log = LogFactory.getLog(TrafficDrain.class);

	/**
	 * Lifecycle beans stop from the highest phase down: this one stops just before the
	 * web server's graceful shutdown.
	 */
	static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;

	private final ShutdownSettings settings;

	private final Roles roles;

	private final ApplicationEventPublisher events;

	private volatile boolean running;

	private volatile boolean draining;

	TrafficDrain(ShutdownSettings settings, Roles roles, ApplicationEventPublisher events) {
		this.settings = settings;
		this.roles = roles;
		this.events = events;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		this.draining = true;
		long delay = this.settings.preStopDelay().toMillis();
		if (!this.roles.api() || delay <= 0) {
			return;
		}
		// Spring Boot announces REFUSING_TRAFFIC when the context starts closing; saying
		// it
		// again here keeps the contract even if that ordering changes.
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		log.info("Readiness is REFUSING_TRAFFIC; serving " + delay + " ms more before the web server stops");
		try {
			Thread.sleep(delay);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Whether this node is on its way out: set when a stop was asked for. */
	boolean draining() {
		return this.draining;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
