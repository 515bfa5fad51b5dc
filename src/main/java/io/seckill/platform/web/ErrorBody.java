package io.seckill.platform.web;

/** The JSON body of every rejection: {code, message, messageZh, requestId}. */
public record ErrorBody(String code, String message, String messageZh, String requestId) {

	public static ErrorBody of(ApiException ex, String requestId) {
		return new ErrorBody(ex.code().name(), ex.englishMessage(), ex.code().messageZh(), requestId);
	}

}
