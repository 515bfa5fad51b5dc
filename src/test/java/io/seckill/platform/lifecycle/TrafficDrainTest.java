package io.seckill.platform.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.seckill.platform.Roles;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationEventPublisher;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficDrainTest {

	private final List<Object> events = new ArrayList<>();

	private final ApplicationEventPublisher publisher = this.events::add;

	@Test
	void apiNodeRefusesTrafficAndKeepsServingForTheDelayBeforeStopping() {
		TrafficDrain drain = new TrafficDrain(new ShutdownSettings(Duration.ofMillis(300)), new Roles(List.of("api")),
				this.publisher);
		drain.start();
		long started = System.nanoTime();
		drain.stop();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		assertThat(this.events).singleElement()
			.isInstanceOfSatisfying(AvailabilityChangeEvent.class,
					(event) -> assertThat(event.getState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC));
		assertThat(drain.isRunning()).isFalse();
	}

	@Test
	void workerNodeStopsWithoutDelay() {
		TrafficDrain drain = new TrafficDrain(new ShutdownSettings(Duration.ofSeconds(30)),
				new Roles(List.of("worker")), this.publisher);
		drain.start();
		long started = System.nanoTime();
		drain.stop();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		assertThat(this.events).isEmpty();
	}

	@Test
	void stopsBeforeTheWebServerClosesItsSocket() {
		// Lifecycle beans stop from the highest phase down.
		assertThat(TrafficDrain.PHASE).isGreaterThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE);
	}

}
