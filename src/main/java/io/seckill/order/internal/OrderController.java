package io.seckill.order.internal;

import java.util.List;

import io.seckill.user.Callers;
import io.seckill.user.Shopper;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own orders, newest first. */
@RestController
class OrderController {

	private final JdbcOrders orders;

	private final Callers callers;

	OrderController(JdbcOrders orders, Callers callers) {
		this.orders = orders;
		this.callers = callers;
	}

	@GetMapping("/api/v1/orders")
	Mono<List<OrderView>> mine(ServerHttpRequest request) {
		Shopper caller = this.callers.authenticate(request);
		return Mono.fromCallable(() -> this.orders.findByUser(caller.id(), 200))
			.subscribeOn(Schedulers.boundedElastic());
	}

}
