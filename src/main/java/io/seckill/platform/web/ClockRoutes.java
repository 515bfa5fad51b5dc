package io.seckill.platform.web;

import java.time.Clock;
import java.time.Instant;

import io.swagger.v3.oas.annotations.Operation;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestMethod;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /api/v1/time} (the server clock that sale-page countdowns follow) and
 * {@code GET /api/v1/ping} (the cheapest request the API serves: the baseline the
 * benchmarks compare against).
 */
@Configuration(proxyBeanMethods = false)
class ClockRoutes {

	private static final byte[] PONG = "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

	@Bean
	@RouterOperations({
			@RouterOperation(path = "/api/v1/time", method = RequestMethod.GET,
					operation = @Operation(operationId = "time", summary = "Server time {now: epoch ms, iso}")),
			@RouterOperation(path = "/api/v1/ping", method = RequestMethod.GET,
					operation = @Operation(operationId = "ping", summary = "The cheapest request: {status: ok}")) })
	RouterFunction<ServerResponse> clockRouter(Clock clock) {
		return RouterFunctions.route().GET("/api/v1/time", (request) -> {
			Instant now = clock.instant();
			return ServerResponse.ok()
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(new ServerTime(now.toEpochMilli(), now));
		})
			.GET("/api/v1/ping",
					(request) -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(PONG))
			.route(RequestPredicates.path("/api/v1/time").or(RequestPredicates.path("/api/v1/ping")),
					(request) -> Mono.error(new ApiException(ErrorCode.METHOD_NOT_ALLOWED)))
			.build();
	}

	record ServerTime(long now, Instant iso) {
	}

}
