package io.seckill.activity.internal;

import io.seckill.activity.ActivityChanged;
import io.seckill.platform.redis.RedisKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReactiveSubscription;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.stereotype.Component;
import reactor.util.retry.Retry;

/**
 * Relays the Redis pub/sub "activity changed" messages into local {@link ActivityChanged}
 * events, so every node drops its cached rules and sold-out flags when an admin publishes
 * or changes stock. Resubscribes after a lost connection; caches also expire on their own
 * as a safety net.
 */
@Component
class ActivityChangeRelay implements SmartLifecycle, DisposableBean {

	private static final Log log = LogFactory.getLog(ActivityChangeRelay.class);

	private final ReactiveRedisConnectionFactory factory;

	private final RedisKeys keys;

	private final ApplicationEventPublisher events;

	private volatile ReactiveRedisMessageListenerContainer container;

	private volatile Disposable subscription;

	ActivityChangeRelay(ReactiveRedisConnectionFactory factory, RedisKeys keys, ApplicationEventPublisher events) {
		this.factory = factory;
		this.keys = keys;
		this.events = events;
	}

	@Override
	public void start() {
		this.subscription = Flux.defer(this::listen)
			.doOnError((ex) -> log.warn("Activity change subscription lost, resubscribing: " + ex.getMessage()))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, java.time.Duration.ofMillis(200))
				.maxBackoff(java.time.Duration.ofSeconds(5)))
			.subscribe((message) -> {
				try {
					this.events.publishEvent(new ActivityChanged(Long.parseLong(message.getMessage())));
				}
				catch (NumberFormatException ex) {
					log.warn("Ignoring malformed activity change message: " + message.getMessage());
				}
			});
	}

	/**
	 * A fresh listener container per (re)subscription: one whose connection was lost, or
	 * whose connection factory was stopped and started again (a paused context), is not
	 * reused.
	 */
	private Flux<ReactiveSubscription.Message<String, String>> listen() {
		closeContainer();
		ReactiveRedisMessageListenerContainer fresh = new ReactiveRedisMessageListenerContainer(this.factory);
		this.container = fresh;
		return fresh.receive(ChannelTopic.of(this.keys.activityChangedChannel()));
	}

	private void closeContainer() {
		ReactiveRedisMessageListenerContainer current = this.container;
		this.container = null;
		if (current != null) {
			// Closing may fail when the connection is already gone; there is nothing left
			// to free then.
			current.destroyLater().subscribe(null, (ex) -> log.debug("Listener container closed uncleanly: " + ex));
		}
	}

	@Override
	public void stop() {
		Disposable current = this.subscription;
		if (current != null) {
			current.dispose();
		}
		closeContainer();
	}

	@Override
	public boolean isRunning() {
		Disposable current = this.subscription;
		return current != null && !current.isDisposed();
	}

	@Override
	public void destroy() {
		closeContainer();
	}

}
