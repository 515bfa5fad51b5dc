package io.seckill.purchase.internal;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
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
	@RouterOperations({
			@RouterOperation(path = "/api/v1/activities/{id}/items/{itemId}/purchases", method = RequestMethod.POST,
					beanClass = PurchaseHandler.class, beanMethod = "purchase",
					operation = @Operation(operationId = "purchase",
							summary = "Buy one unit: 202 QUEUED with a ticket (the unit is reserved, the order queued)",
							parameters = {
									@Parameter(name = "id", in = ParameterIn.PATH, required = true,
											schema = @Schema(type = "integer", format = "int64", minimum = "1")),
									@Parameter(
											name = "itemId", in = ParameterIn.PATH, required = true,
											schema = @Schema(type = "integer", format = "int64", minimum = "1")),
									@Parameter(name = "Purchase-Token", in = ParameterIn.HEADER,
											schema = @Schema(type = "string"),
											description = "The one-time token from .../purchase-tokens (required unless seckill.purchase-token.required=false)"),
									@Parameter(name = "Idempotency-Key", in = ParameterIn.HEADER,
											schema = @Schema(type = "string",
													pattern = PurchaseHandler.IDEMPOTENCY_KEY_PATTERN),
											description = "A retry with the same token and key gets the first answer") },
							responses = @ApiResponse(responseCode = "202", description = "Accepted: poll the ticket",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = PurchaseHandler.Queued.class),
											examples = @ExampleObject(value = "{\"status\":\"QUEUED\",\"ticket\":\""
													+ Tickets.EXAMPLE + "\"}"))))),
			@RouterOperation(path = "/api/v1/purchases/{ticket}", method = RequestMethod.GET,
					beanClass = PurchaseHandler.class, beanMethod = "ticket",
					operation = @Operation(operationId = "ticket",
							summary = "A purchase's state: QUEUED, SUCCESS (with orderId) or FAILED (with reason)",
							parameters = @Parameter(name = "ticket", in = ParameterIn.PATH, required = true,
									schema = @Schema(type = "string")),
							responses = @ApiResponse(responseCode = "200", description = "OK",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = PurchaseHandler.PurchaseView.class),
											examples = @ExampleObject(value = "{\"status\":\"SUCCESS\",\"ticket\":\""
													+ Tickets.EXAMPLE + "\",\"orderId\":1001}"))))),
			@RouterOperation(path = "/api/v1/activities/{id}/items/{itemId}/purchase-tokens",
					method = RequestMethod.POST, beanClass = PurchaseTokenHandler.class, beanMethod = "issue",
					operation = @Operation(operationId = "purchaseToken",
							summary = "A one-time purchase token, from the sale's start on; body {challengeId, answer} when the sale asks for a challenge",
							parameters = {
									@Parameter(name = "id", in = ParameterIn.PATH, required = true,
											schema = @Schema(type = "integer", format = "int64", minimum = "1")),
									@Parameter(name = "itemId", in = ParameterIn.PATH, required = true,
											schema = @Schema(type = "integer", format = "int64", minimum = "1")) },
							requestBody = @RequestBody(required = false,
									content = @Content(mediaType = "application/json",
											schema = @Schema(
													implementation = PurchaseTokenHandler.ChallengeAnswer.class))),
							responses = @ApiResponse(responseCode = "201",
									description = "Created: send the token in Purchase-Token to purchasePath",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = PurchaseTokenHandler.TokenView.class))))),
			@RouterOperation(path = "/api/v1/activities/{id}/challenges", method = RequestMethod.POST,
					beanClass = PurchaseTokenHandler.class, beanMethod = "challenge",
					operation = @Operation(operationId = "challenge",
							summary = "A picture challenge, for a sale that asks for one, from its start on",
							parameters = @Parameter(name = "id", in = ParameterIn.PATH, required = true,
									schema = @Schema(type = "integer", format = "int64", minimum = "1")),
							responses = @ApiResponse(responseCode = "201",
									description = "Created: answer it with the purchase-token request",
									content = @Content(mediaType = "application/json", schema = @Schema(
											implementation = PurchaseTokenHandler.ChallengeView.class))))) })
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
