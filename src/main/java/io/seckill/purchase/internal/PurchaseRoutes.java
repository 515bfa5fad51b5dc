package io.seckill.purchase.internal;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The hot path's routes, as functional endpoints: measurably leaner than annotated
 * controllers (docs/benchmarks.md) on the one path that must scale. Only on nodes with
 * the api role.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${seckill.roles:api,worker,admin}'.contains('api')")
class PurchaseRoutes {

	@Bean
	@RouterOperations({ @RouterOperation(path = "/api/v1/activities/{id}/items/{itemId}/purchases",
			method = RequestMethod.POST, beanClass = PurchaseHandler.class, beanMethod = "purchase",
			operation = @Operation(operationId = "purchase", summary = "Buy one unit (202 QUEUED with a ticket)",
					parameters = { @Parameter(name = "id", in = ParameterIn.PATH, required = true),
							@Parameter(name = "itemId", in = ParameterIn.PATH, required = true),
							@Parameter(name = "Purchase-Token", in = ParameterIn.HEADER,
									description = "A one-time token from .../purchase-tokens (required unless seckill.purchase-token.required=false)"),
							@Parameter(name = "Idempotency-Key", in = ParameterIn.HEADER,
									description = "1-64 of [A-Za-z0-9-_.:]; a retry with the same key gets the first answer") },
					security = @SecurityRequirement(name = "bearer"))),
			@RouterOperation(path = "/api/v1/purchases/{ticket}", method = RequestMethod.GET,
					beanClass = PurchaseHandler.class, beanMethod = "ticket",
					operation = @Operation(operationId = "ticket",
							summary = "A purchase's state: QUEUED, SUCCESS (orderId) or FAILED (reason)",
							parameters = @Parameter(name = "ticket", in = ParameterIn.PATH, required = true),
							security = @SecurityRequirement(name = "bearer"))),
			@RouterOperation(path = "/api/v1/activities/{id}/items/{itemId}/purchase-tokens",
					method = RequestMethod.POST, beanClass = PurchaseTokenHandler.class, beanMethod = "issue",
					operation = @Operation(operationId = "purchaseToken",
							summary = "A one-time purchase token (201), from the sale's start on; body {challengeId, answer} when the sale asks for a challenge",
							parameters = { @Parameter(name = "id", in = ParameterIn.PATH, required = true),
									@Parameter(name = "itemId", in = ParameterIn.PATH, required = true) },
							security = @SecurityRequirement(name = "bearer"))),
			@RouterOperation(path = "/api/v1/activities/{id}/challenges", method = RequestMethod.POST,
					beanClass = PurchaseTokenHandler.class, beanMethod = "challenge",
					operation = @Operation(operationId = "challenge",
							summary = "An image challenge (201 {challengeId, image, expiresAt}) for a sale that asks for one",
							parameters = @Parameter(name = "id", in = ParameterIn.PATH, required = true),
							security = @SecurityRequirement(name = "bearer"))) })
	RouterFunction<ServerResponse> purchaseRouter(PurchaseHandler handler, PurchaseTokenHandler tokens) {
		return RouterFunctions.route()
			.POST("/api/v1/activities/{id}/items/{itemId}/purchases", handler::purchase)
			.GET("/api/v1/purchases/{ticket}", handler::ticket)
			.POST("/api/v1/activities/{id}/items/{itemId}/purchase-tokens", tokens::issue)
			.POST("/api/v1/activities/{id}/challenges", tokens::challenge)
			// Any other method on these paths: 405, as on the annotated endpoints, not
			// 404.
			.route(RequestPredicates.path("/api/v1/activities/{id}/items/{itemId}/purchases")
				.or(RequestPredicates.path("/api/v1/purchases/{ticket}"))
				.or(RequestPredicates.path("/api/v1/activities/{id}/items/{itemId}/purchase-tokens"))
				.or(RequestPredicates.path("/api/v1/activities/{id}/challenges")),
					(request) -> Mono.error(new ApiException(ErrorCode.METHOD_NOT_ALLOWED)))
			.build();
	}

}
