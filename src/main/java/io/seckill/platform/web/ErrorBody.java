package io.seckill.platform.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON body of every rejection: {code, message, messageZh, requestId}, plus
 * {@code ticket} on a purchase whose outcome is unknown (poll it, or retry with the same
 * Idempotency-Key).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String code, String message, String messageZh, String requestId, String ticket) {

	public static ErrorBody of(ApiException ex, String requestId) {
		return new ErrorBody(ex.code().name(), ex.englishMessage(), ex.code().messageZh(), requestId, ex.ticket());
	}

}
