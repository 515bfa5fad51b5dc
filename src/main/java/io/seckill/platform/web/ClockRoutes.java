package io.seckill.platform.web;

import java.time.Clock;
import java.time.Instant;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
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
					operation = @Operation(operationId = "time", summary = "The server clock that countdowns follow",
							responses = @ApiResponse(responseCode = "200", description = "OK",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = ServerTime.class))))),
			@RouterOperation(path = "/api/v1/ping", method = RequestMethod.GET,
					operation = @Operation(operationId = "ping",
							summary = "The cheapest request (the benchmarks' baseline)",
							responses = @ApiResponse(responseCode = "200", description = "OK",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = Pong.class))))) })
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

	record ServerTime(@Schema(description = "Epoch milliseconds", requiredMode = Schema.RequiredMode.REQUIRED) long now,
			@Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant iso) {
	}

	/** The body of a ping, for the OpenAPI document (written as constant bytes). */
	record Pong(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = "ok") String status) {
	}

	@Bean
	ApiOperations clockOperations() {
		return new ApiOperations().anyone("time").anyone("ping");
	}

}
