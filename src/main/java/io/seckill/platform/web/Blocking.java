package io.seckill.platform.web;

import java.util.concurrent.Callable;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Work that blocks (JDBC, a bounded wait), run on Reactor's bounded elastic threads,
 * never on the event loop that serves the request: the admin and shop endpoints that read
 * the database go through here.
 */
public final class Blocking {

	private Blocking() {
	}

	/** {@code work}'s result, computed off the event loop when subscribed. */
	public static <T> Mono<T> call(Callable<T> work) {
		return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
	}

}
