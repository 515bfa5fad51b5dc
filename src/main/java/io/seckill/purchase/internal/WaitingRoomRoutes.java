package io.seckill.purchase.internal;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The waiting room's routes, beside the purchase's: a crowd polls them, so they are
 * functional endpoints on the hot path's access rules too. Only on nodes with the api
 * role.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${seckill.roles:api,worker,admin}'.contains('api')")
class WaitingRoomRoutes {

	private static final String PATH = "/api/v1/activities/{id}/waiting-room";

	@Bean
	@RouterOperations({ @RouterOperation(path = PATH, method = RequestMethod.POST, beanClass = WaitingRoomHandler.class,
			beanMethod = "join",
			operation = @Operation(operationId = "joinWaitingRoom",
					summary = "Join the sale's waiting room (from waitingRoom.opensAt to the end; once: again returns the same place); body {challengeId, answer} when the sale asks for a challenge",
					parameters = @Parameter(name = "id", in = ParameterIn.PATH, required = true, schema = @Schema(
							type = "integer", format = "int64", minimum = "1")),
					requestBody = @RequestBody(required = false,
							content = @Content(
									mediaType = "application/json",
									schema = @Schema(implementation = PurchaseTokenHandler.ChallengeAnswer.class))),
					responses = {
							@ApiResponse(responseCode = "201", description = "Joined: the place",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = WaitingRoomHandler.PlaceView.class))),
							@ApiResponse(responseCode = "200", description = "In line already: the same place",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = WaitingRoomHandler.PlaceView.class))) })),
			@RouterOperation(path = PATH, method = RequestMethod.GET, beanClass = WaitingRoomHandler.class,
					beanMethod = "status",
					operation = @Operation(operationId = "waitingRoomPlace",
							summary = "Where the shopper stands: PREQUEUE, WAITING (position, wait), ADMITTED (the pass), SOLD_OUT or EXPIRED; ask again after pollAfterSeconds",
							parameters = @Parameter(name = "id", in = ParameterIn.PATH, required = true,
									schema = @Schema(type = "integer", format = "int64", minimum = "1")),
							responses = @ApiResponse(responseCode = "200", description = "OK",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = WaitingRoomHandler.PlaceView.class))))) })
	RouterFunction<ServerResponse> waitingRoomRouter(WaitingRoomHandler handler) {
		return RouterFunctions.route()
			.POST(PATH, handler::join)
			.GET(PATH, handler::status)
			.route(RequestPredicates.path(PATH),
					(request) -> Mono.error(new ApiException(ErrorCode.METHOD_NOT_ALLOWED)))
			.build();
	}

}
