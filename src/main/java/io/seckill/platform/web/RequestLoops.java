package io.seckill.platform.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * The scheduler of the event loop that serves a request's connection. A Redis reply
 * arrives on the Redis client's single I/O thread; answering each request there (building
 * and writing its response) makes that one thread the bottleneck of the whole node, and
 * the response is handed to the connection's own loop to be written anyway. Publishing
 * the reply on the request's loop leaves the Redis thread to decode replies only, and
 * spreads the responses over all loops.
 */
public final class RequestLoops {

	private static final Map<EventLoop, Scheduler> SCHEDULERS = new ConcurrentHashMap<>();

	private RequestLoops() {
	}

	/**
	 * The scheduler of {@code request}'s event loop, or the immediate scheduler when the
	 * request is not served by Reactor Netty (as in tests with mock requests).
	 */
	public static Scheduler of(ServerHttpRequest request) {
		if (nativeRequest(request) instanceof Connection connection) {
			// A plain Executor, not the loop itself: Reactor wraps an ExecutorService
			// in a scheduler that allocates a future per task and shuts the service
			// down on dispose(), which must never happen to a server loop.
			return SCHEDULERS.computeIfAbsent(connection.channel().eventLoop(),
					(loop) -> Schedulers.fromExecutor(loop::execute));
		}
		return Schedulers.immediate();
	}

	private static Object nativeRequest(ServerHttpRequest request) {
		try {
			return ServerHttpRequestDecorator.getNativeRequest(request);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// A request type of its own, or a mock: no loop to return to.
			return null;
		}
	}

}
