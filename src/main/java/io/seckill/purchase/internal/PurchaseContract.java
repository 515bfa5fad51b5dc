package io.seckill.purchase.internal;

import io.seckill.platform.web.ApiOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.seckill.platform.web.ErrorCode.*;

/**
 * The sale's hot path and the node's purchase metrics: who may call them and what they
 * may refuse with, for the OpenAPI document (the tests compare every real answer with
 * it).
 */
@Configuration(proxyBeanMethods = false)
class PurchaseContract {

	@Bean
	ApiOperations purchaseOperations() {
		return new ApiOperations()
			.account("purchase", NOT_FOUND, NOT_ELIGIBLE, NOT_STARTED, ENDED, SOLD_OUT, LIMIT_REACHED,
					PURCHASE_TOKEN_MISSING, PURCHASE_TOKEN_INVALID, PURCHASE_TOKEN_EXPIRED, PURCHASE_TOKEN_FOREIGN,
					PURCHASE_TOKEN_USED, WAITING_ROOM_PASS_REQUIRED, WAITING_ROOM_PASS_INVALID,
					WAITING_ROOM_PASS_FOREIGN, WAITING_ROOM_PASS_EXPIRED, RATE_LIMITED)
			.account("ticket", NOT_FOUND)
			.account("purchaseToken", NOT_FOUND, NOT_ELIGIBLE, NOT_STARTED, ENDED, SOLD_OUT, CHALLENGE_REQUIRED,
					CHALLENGE_FAILED, WAITING_ROOM_PASS_REQUIRED, WAITING_ROOM_PASS_INVALID, WAITING_ROOM_PASS_FOREIGN,
					WAITING_ROOM_PASS_EXPIRED, RATE_LIMITED)
			.account("challenge", NOT_FOUND, NOT_ELIGIBLE, NOT_STARTED, WAITING_ROOM_NOT_OPEN, ENDED, SOLD_OUT,
					RATE_LIMITED)
			.account("joinWaitingRoom", NOT_FOUND, NOT_ELIGIBLE, WAITING_ROOM_NOT_OPEN, ENDED, CHALLENGE_REQUIRED,
					CHALLENGE_FAILED, RATE_LIMITED)
			.account("waitingRoomPlace", NOT_FOUND, NOT_ELIGIBLE, WAITING_ROOM_NOT_OPEN, ENDED, WAITING_ROOM_NOT_JOINED)
			.admin("waitingRoomDraw", NOT_FOUND)
			.admin("nodeMetrics");
	}

}
