package io.seckill.order.internal;

import io.seckill.platform.web.Blocking;
import io.seckill.user.Shopper;
import io.swagger.v3.oas.annotations.Operation;
import reactor.core.publisher.Mono;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Paying one's order, and an admin cancelling any order. */
@RestController
class PaymentController {

	private final OrderPayments payments;

	private final OrderLifecycle lifecycle;

	PaymentController(OrderPayments payments, OrderLifecycle lifecycle) {
		this.payments = payments;
		this.lifecycle = lifecycle;
	}

	@Operation(operationId = "payOrder", summary = "Pay an order: charged once however many payments race")
	@PostMapping("/api/v1/orders/{id}/payment")
	Mono<OrderStatus> pay(@AuthenticationPrincipal Shopper caller, @PathVariable long id) {
		return Blocking.call(() -> new OrderStatus(id, this.payments.pay(id, caller.id())));
	}

	@Operation(operationId = "cancelOrder",
			summary = "Cancel an order (a paid one is refunded); the unit goes back on sale")
	@PostMapping("/api/v1/admin/orders/{id}/cancel")
	Mono<OrderStatus> cancel(@PathVariable long id) {
		return Blocking.call(() -> new OrderStatus(id, this.lifecycle.cancel(id)));
	}

	record OrderStatus(long orderId, String status) {
	}

}
