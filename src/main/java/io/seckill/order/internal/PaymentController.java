package io.seckill.order.internal;

import io.seckill.user.Callers;
import io.seckill.user.Shopper;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Paying one's order, and an admin cancelling any order. */
@RestController
class PaymentController {

	private final OrderLifecycle lifecycle;

	private final Callers callers;

	PaymentController(OrderLifecycle lifecycle, Callers callers) {
		this.lifecycle = lifecycle;
		this.callers = callers;
	}

	@PostMapping("/api/v1/orders/{id}/payment")
	Mono<OrderStatus> pay(ServerHttpRequest request, @PathVariable long id) {
		Shopper caller = this.callers.authenticate(request);
		return Mono.fromCallable(() -> new OrderStatus(id, this.lifecycle.pay(id, caller.id())))
			.subscribeOn(Schedulers.boundedElastic());
	}

	@PostMapping("/api/v1/admin/orders/{id}/cancel")
	Mono<OrderStatus> cancel(ServerHttpRequest request, @PathVariable long id) {
		this.callers.requireAdmin(request);
		return Mono.fromCallable(() -> new OrderStatus(id, this.lifecycle.cancel(id)))
			.subscribeOn(Schedulers.boundedElastic());
	}

	record OrderStatus(long orderId, String status) {
	}

}
