package io.seckill.user.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.web.ApiErrorHandler;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * How the access rules refuse, wherever they are decided: the API's error body (401
 * UNAUTHENTICATED, 403 FORBIDDEN), counted by code.
 */
@Component
class AccessRefusals {

	private final ApiErrorHandler errors;

	private final Counter unauthenticated;

	private final Counter forbidden;

	AccessRefusals(ApiErrorHandler errors, MeterRegistry meters) {
		this.errors = errors;
		this.unauthenticated = counter(meters, ErrorCode.UNAUTHENTICATED);
		this.forbidden = counter(meters, ErrorCode.FORBIDDEN);
	}

	Mono<Void> unauthenticated(ServerWebExchange exchange) {
		this.unauthenticated.increment();
		return this.errors.write(exchange, new ApiException(ErrorCode.UNAUTHENTICATED));
	}

	Mono<Void> forbidden(ServerWebExchange exchange) {
		this.forbidden.increment();
		return this.errors.write(exchange, new ApiException(ErrorCode.FORBIDDEN));
	}

	private static Counter counter(MeterRegistry meters, ErrorCode code) {
		return Counter.builder("seckill.access.refused")
			.description("Requests refused by the access rules, before any handler ran")
			.tag("code", code.name())
			.register(meters);
	}

}
