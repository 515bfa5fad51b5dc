package io.seckill.platform.lifecycle;

import io.seckill.platform.web.ApiErrorHandler;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import reactor.core.publisher.Mono;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Until the node is ready, the API answers 503 UNAVAILABLE (with Retry-After) rather than
 * half an answer. The port opens before the start-up work is done (the bootstrap admin,
 * the user rules, the blacklist): a login then would say INVALID_CREDENTIALS for an admin
 * who exists a moment later, and a purchase could pass a blacklisted shopper. Ready is
 * Spring Boot's {@link ApplicationReadyEvent}, sent after every start-up runner, the same
 * moment readiness turns {@code ACCEPTING_TRAFFIC}. One volatile read per request after
 * that.
 */
@Component
@Order(-200)
class StartupGate implements WebFilter {

	private final ApiErrorHandler errors;

	private volatile boolean ready;

	StartupGate(ApiErrorHandler errors) {
		this.errors = errors;
	}

	@EventListener(ApplicationReadyEvent.class)
	void open() {
		this.ready = true;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (this.ready || !exchange.getRequest().getPath().value().startsWith("/api/")) {
			return chain.filter(exchange);
		}
		return this.errors.write(exchange,
				new ApiException(ErrorCode.UNAVAILABLE, "The node is starting; retry in a moment."));
	}

}
