package io.seckill.platform.web;

import org.springframework.http.HttpStatus;

/**
 * Every answer other than success, with the HTTP status it maps to and a message in
 * English and Chinese. The enum name is the stable machine-readable code that clients
 * switch on.
 */
public enum ErrorCode {

	BAD_REQUEST(HttpStatus.BAD_REQUEST, "The request is malformed or has invalid values.", "请求格式错误或参数无效。"),
	UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "Log in first: a valid access token is required.", "请先登录：需要有效的访问令牌。"),
	INVALID_CREDENTIALS(HttpStatus.UNAUTHORIZED, "Wrong username or password.", "用户名或密码错误。"),
	FORBIDDEN(HttpStatus.FORBIDDEN, "Your account may not do this.", "您的账户无权执行此操作。"),
	WRONG_PASSWORD(HttpStatus.FORBIDDEN, "The current password is wrong.", "当前密码错误。"),
	NOT_ELIGIBLE(HttpStatus.FORBIDDEN, "You are not eligible for this sale.", "您不具备本次秒杀的资格。"),
	NOT_FOUND(HttpStatus.NOT_FOUND, "No such resource.", "资源不存在。"),
	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "This method is not allowed here.", "不支持该请求方法。"),
	USERNAME_TAKEN(HttpStatus.CONFLICT, "This username is already taken.", "该用户名已被占用。"),
	NOT_STARTED(HttpStatus.CONFLICT, "The sale has not started yet.", "秒杀尚未开始。"),
	ALREADY_STARTED(HttpStatus.CONFLICT, "The sale has already started; it can no longer be changed.", "秒杀已开始，无法再修改。"),
	ENDED(HttpStatus.GONE, "The sale has ended.", "秒杀已结束。"), SOLD_OUT(HttpStatus.CONFLICT, "Sold out.", "已售罄。"),
	LIMIT_REACHED(HttpStatus.CONFLICT, "You have reached the purchase limit for this item.", "您已达到该商品的限购数量。"),
	DEAD_LETTER_NOT_REPLAYABLE(HttpStatus.CONFLICT,
			"This purchase cannot be replayed: its ticket is queued or written already, or its entry cannot be read. "
					+ "Discard it instead.",
			"该购买无法重放：其票据已在排队或已写入，或其条目无法读取。请改为丢弃。"),
	ORDER_CANCELLED(HttpStatus.CONFLICT,
			"The order was cancelled (unpaid in time, or by an admin); any charge was refunded.",
			"订单已取消（超时未支付或被管理员取消），已退款。"),
	PAYMENT_FAILED(HttpStatus.PAYMENT_REQUIRED, "The payment was declined; the order is still waiting for payment.",
			"支付失败，订单仍待支付。"),
	PAYMENT_IN_PROGRESS(HttpStatus.CONFLICT,
			"A payment of this order is running; ask again in a moment to learn its outcome (it is never charged twice).",
			"该订单正在支付中，请稍后再查询结果（不会重复扣款）。"),
	PAYMENT_PENDING(HttpStatus.SERVICE_UNAVAILABLE,
			"The payment provider has not answered yet; the payment will be settled once, never charged twice: check the order shortly.",
			"支付机构尚未答复；该笔支付只会结算一次，不会重复扣款，请稍后查看订单。"),
	PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "The request body is too large.", "请求体过大。"),
	UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.",
			"请求体须为 application/json。"),
	PURCHASE_TOKEN_MISSING(HttpStatus.FORBIDDEN,
			"A purchase token is required: ask for one at .../purchase-tokens once the sale has started.",
			"缺少购买令牌：秒杀开始后请先申请购买令牌。"),
	PURCHASE_TOKEN_INVALID(HttpStatus.FORBIDDEN, "The purchase token is malformed or its signature is wrong.",
			"购买令牌格式错误或签名无效。"),
	PURCHASE_TOKEN_EXPIRED(HttpStatus.FORBIDDEN, "The purchase token has expired; ask for a new one.",
			"购买令牌已过期，请重新申请。"),
	PURCHASE_TOKEN_FOREIGN(HttpStatus.FORBIDDEN, "The purchase token was issued for another shopper, activity or item.",
			"该购买令牌属于其他用户、活动或商品。"),
	PURCHASE_TOKEN_USED(HttpStatus.CONFLICT,
			"The purchase token was already used; ask for a new one (a retry with the same Idempotency-Key gets its first answer).",
			"购买令牌已被使用，请重新申请（使用相同 Idempotency-Key 重试可获得首次结果）。"),
	CHALLENGE_REQUIRED(HttpStatus.FORBIDDEN, "This sale asks for a challenge answer with the purchase token request.",
			"本次秒杀需要先回答验证码才能申请购买令牌。"),
	CHALLENGE_FAILED(HttpStatus.FORBIDDEN, "Wrong, expired or unknown challenge; fetch a new one.",
			"验证码错误、已过期或不存在，请重新获取。"),
	WAITING_ROOM_NOT_OPEN(HttpStatus.CONFLICT,
			"The sale's waiting room has not opened yet: it opens at the sale's waitingRoom.opensAt.",
			"本次秒杀的排队尚未开放，开放时间见 waitingRoom.opensAt。"),
	WAITING_ROOM_NOT_JOINED(HttpStatus.NOT_FOUND, "You are not in this sale's waiting room: join it first.",
			"您不在本次秒杀的排队中，请先加入排队。"),
	WAITING_ROOM_PASS_REQUIRED(HttpStatus.FORBIDDEN,
			"This sale has a waiting room: send the pass you got when your turn came (Waiting-Room-Pass).",
			"本次秒杀需要排队：请在 Waiting-Room-Pass 中提交轮到您时获得的通行证。"),
	WAITING_ROOM_PASS_INVALID(HttpStatus.FORBIDDEN, "The waiting-room pass is malformed or its signature is wrong.",
			"排队通行证格式错误或签名无效。"),
	WAITING_ROOM_PASS_FOREIGN(HttpStatus.FORBIDDEN, "The waiting-room pass was issued for another shopper or sale.",
			"该排队通行证属于其他用户或其他秒杀。"),
	WAITING_ROOM_PASS_EXPIRED(HttpStatus.FORBIDDEN,
			"Your waiting-room pass has expired: your turn went to the next in line.", "您的排队通行证已过期，名额已让给后面的人。"),
	RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "Too many requests; slow down and retry shortly.", "请求过于频繁，请稍后重试。"),
	UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "The service is temporarily unavailable; retry shortly.",
			"服务暂时不可用，请稍后重试。"),
	INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred.", "发生了意外错误。");

	private final HttpStatus status;

	private final String message;

	private final String messageZh;

	ErrorCode(HttpStatus status, String message, String messageZh) {
		this.status = status;
		this.message = message;
		this.messageZh = messageZh;
	}

	public HttpStatus status() {
		return this.status;
	}

	public String message() {
		return this.message;
	}

	public String messageZh() {
		return this.messageZh;
	}

	/**
	 * Whether the answer carries {@code Retry-After}: the codes that say "ask again
	 * later" (1 s unless the refusal names its own wait).
	 */
	public boolean sendsRetryAfter() {
		return this == RATE_LIMITED || this == UNAVAILABLE || this == PAYMENT_IN_PROGRESS || this == PAYMENT_PENDING;
	}

}
