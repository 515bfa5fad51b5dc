package io.seckill.purchase.internal;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The hot path's routes, as functional endpoints: measurably leaner than annotated controllers
 * (docs/benchmarks.md) on the one path that must scale. Only on nodes with the api role.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${seckill.roles:api,worker,admin}'.contains('api')")
class PurchaseRoutes {

	@Bean
	RouterFunction<ServerResponse> purchaseRouter(PurchaseHandler handler) {
		return RouterFunctions.route()
			.POST("/api/v1/activities/{id}/items/{itemId}/purchases", handler::purchase)
			.GET("/api/v1/purchases/{ticket}", handler::ticket)
			.build();
	}

}
