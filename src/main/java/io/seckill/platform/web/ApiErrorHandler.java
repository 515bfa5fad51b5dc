package io.seckill.platform.web;

import java.nio.charset.StandardCharsets;

import io.seckill.platform.web.internal.ErrorTranslation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Turns every failure, from controllers, functional routes, codecs or the framework
 * (unknown path, wrong method, oversize body), into the JSON error body. Runs before
 * Spring Boot's default handler so no stack trace or HTML page ever reaches a client.
 */
@Component
@Order(-2)
public class ApiErrorHandler implements WebExceptionHandler {

	private static final Log log = LogFactory.getLog(ApiErrorHandler.class);

	private final ObjectMapper json;

	ApiErrorHandler(ObjectMapper json) {
		this.json = json;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.error(failure);
		}
		ApiException rejection = ErrorTranslation.toApiException(failure);
		if (rejection.code() == ErrorCode.INTERNAL_ERROR || rejection.code() == ErrorCode.UNAVAILABLE) {
			log.error("Request " + exchange.getRequest().getId() + " " + exchange.getRequest().getPath() + " failed",
					failure);
		}
		return write(exchange, rejection);
	}

	/**
	 * Writes {@code rejection} as the response; used by the functional routes as well.
	 */
	public Mono<Void> write(ServerWebExchange exchange, ApiException rejection) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(rejection.code().status());
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		if (rejection.retryAfterSeconds() > 0) {
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(rejection.retryAfterSeconds()));
		}
		else if (rejection.code() == ErrorCode.RATE_LIMITED || rejection.code() == ErrorCode.UNAVAILABLE) {
			headers.set(HttpHeaders.RETRY_AFTER, "1");
		}
		byte[] body = this.json.writeValueAsString(ErrorBody.of(rejection, exchange.getRequest().getId()))
			.getBytes(StandardCharsets.UTF_8);
		DataBuffer buffer = response.bufferFactory().wrap(body);
		return response.writeWith(Mono.just(buffer));
	}

}
