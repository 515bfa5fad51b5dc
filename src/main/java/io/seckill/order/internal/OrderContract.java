package io.seckill.order.internal;

import io.seckill.platform.web.ApiOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.seckill.platform.web.ErrorCode.*;

/**
 * The order endpoints: who may call them and what they may refuse with, for the OpenAPI
 * document (the tests compare every real answer with it).
 */
@Configuration(proxyBeanMethods = false)
class OrderContract {

	@Bean
	ApiOperations orderOperations() {
		return new ApiOperations().account("myOrders")
			.account("payOrder", NOT_FOUND, ORDER_CANCELLED, PAYMENT_FAILED, PAYMENT_IN_PROGRESS, PAYMENT_PENDING)
			.admin("cancelOrder", NOT_FOUND, PAYMENT_IN_PROGRESS)
			.admin("deadLetters")
			.admin("replayDeadLetter", NOT_FOUND, DEAD_LETTER_NOT_REPLAYABLE, ENDED, SOLD_OUT, LIMIT_REACHED)
			.admin("discardDeadLetter", NOT_FOUND)
			.admin("deadLetterActions");
	}

}
