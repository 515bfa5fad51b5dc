package io.seckill.order.internal;

import java.util.List;

import io.seckill.platform.web.Blocking;
import io.seckill.user.Shopper;
import io.swagger.v3.oas.annotations.Operation;
import reactor.core.publisher.Mono;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own orders, newest first. */
@RestController
class OrderController {

	private final JdbcOrders orders;

	OrderController(JdbcOrders orders) {
		this.orders = orders;
	}

	@Operation(operationId = "myOrders", summary = "The caller's orders, newest first (200 at most)")
	@GetMapping("/api/v1/orders")
	Mono<List<OrderView>> mine(@AuthenticationPrincipal Shopper caller) {
		return Blocking.call(() -> this.orders.findByUser(caller.id(), 200));
	}

}
