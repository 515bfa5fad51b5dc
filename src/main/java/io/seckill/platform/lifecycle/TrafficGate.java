package io.seckill.platform.lifecycle;

import java.time.Duration;

import io.seckill.platform.web.ApiErrorHandler;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.platform.web.RequestLoops;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * Traffic at the two ends of a node's life, decided around the whole HTTP handler (once
 * per request, ahead of the web filters: a filter costs every request a step of the
 * chain, which the hot path feels):
 * <ul>
 * <li><b>Starting</b>: until the node is ready, an API request is held, and answered 503
 * UNAVAILABLE (with Retry-After) if the node is still not ready after
 * {@code seckill.startup.request-hold}, rather than half an answer. The port opens before
 * the start-up work is done (the bootstrap admin, the user rules, the blacklist): a login
 * then would say INVALID_CREDENTIALS for an admin who exists a moment later, and a
 * purchase could pass a blacklisted shopper. Held rather than refused because nginx, with
 * no active health checks, sends a re-added node requests as soon as its port accepts,
 * and a refused purchase there is a client-visible error (0.2-0.5 % of a drill's requests
 * in the two seconds between port and ready) where a held one is a late answer. Ready is
 * Spring Boot's {@link ApplicationReadyEvent}, sent after every start-up runner, the
 * moment readiness turns {@code ACCEPTING_TRAFFIC}.</li>
 * <li><b>Draining</b>: once the node is on its way out ({@link TrafficDrain}), every
 * answer carries {@code Connection: close}: the balancer's pooled keep-alive connection
 * to this node ends with that answer instead of carrying a request into the moment the
 * node stops (nginx would get a 503 from a node whose Redis client is already closing, or
 * a reset).</li>
 * </ul>
 * Two volatile reads per request once ready.
 */
@Component
class TrafficGate implements WebHttpHandlerBuilderCustomizer {

	private final TrafficDrain drain;

	private final ApiErrorHandler errors;

	private final Duration requestHold;

	private final Sinks.Empty<Void> opened = Sinks.empty();

	private volatile boolean ready;

	TrafficGate(TrafficDrain drain, ApiErrorHandler errors, StartupSettings settings) {
		this.drain = drain;
		this.errors = errors;
		this.requestHold = settings.requestHold();
	}

	@EventListener(ApplicationReadyEvent.class)
	void open() {
		this.ready = true;
		this.opened.tryEmitEmpty();
	}

	@Override
	public void customize(WebHttpHandlerBuilder builder) {
		builder.httpHandlerDecorator(this::around);
	}

	/**
	 * Whether {@code path} is the API's, as routing sees it: its first segment decoded
	 * and without parameters ({@code /%61pi;x/v1/...} is routed as {@code /api/v1/...}).
	 */
	static boolean isApi(RequestPath path) {
		for (PathContainer.Element element : path.pathWithinApplication().elements()) {
			if (element instanceof PathContainer.PathSegment segment) {
				return segment.valueToMatch().equals("api");
			}
		}
		return false;
	}

	/** {@code handler}, behind this gate. */
	HttpHandler around(HttpHandler handler) {
		return (request, response) -> {
			if (!this.ready && isApi(request.getPath())) {
				// Resumed on the request's own loop, not on the thread that opened the
				// gate (or the timer's): the held requests would all start there.
				return this.opened.asMono()
					.thenReturn(true)
					.timeout(this.requestHold, Mono.just(false))
					.publishOn(RequestLoops.of(request))
					.flatMap((opened) -> opened ? serve(handler, request, response) : this.errors.write(request,
							response,
							new ApiException(ErrorCode.UNAVAILABLE, "The node is starting; retry in a moment.")));
			}
			return serve(handler, request, response);
		};
	}

	private Mono<Void> serve(HttpHandler handler, ServerHttpRequest request, ServerHttpResponse response) {
		if (this.drain.draining()) {
			response.getHeaders().set(HttpHeaders.CONNECTION, "close");
		}
		return handler.handle(request, response);
	}

}
