package io.seckill.platform.web;

import io.seckill.platform.web.internal.ErrorTranslation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
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

	private final ErrorBodies bodies;

	public ApiErrorHandler(ObjectMapper json) {
		this.bodies = new ErrorBodies(json);
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
		return write(exchange.getRequest(), exchange.getResponse(), rejection);
	}

	/**
	 * Writes {@code rejection} as the response to {@code request}, where there is no
	 * exchange yet (an HTTP handler decorator).
	 */
	public Mono<Void> write(ServerHttpRequest request, ServerHttpResponse response, ApiException rejection) {
		response.setStatusCode(rejection.code().status());
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		String retryAfter = retryAfter(rejection);
		if (retryAfter != null) {
			headers.set(HttpHeaders.RETRY_AFTER, retryAfter);
		}
		DataBuffer buffer = response.bufferFactory().wrap(this.bodies.render(rejection, request.getId()));
		return response.writeWith(Mono.just(buffer));
	}

	/**
	 * {@code rejection} as a functional route's response, without raising it: the hot
	 * path's refusals skip the error-handling chain.
	 */
	public Mono<ServerResponse> respond(ServerRequest request, ApiException rejection) {
		ServerResponse.BodyBuilder response = ServerResponse.status(rejection.code().status())
			.contentType(MediaType.APPLICATION_JSON);
		String retryAfter = retryAfter(rejection);
		if (retryAfter != null) {
			response.header(HttpHeaders.RETRY_AFTER, retryAfter);
		}
		return response.bodyValue(this.bodies.render(rejection, request.exchange().getRequest().getId()));
	}

	private static String retryAfter(ApiException rejection) {
		if (rejection.retryAfterSeconds() > 0) {
			return Long.toString(rejection.retryAfterSeconds());
		}
		if (rejection.code().sendsRetryAfter()) {
			return "1";
		}
		return null;
	}

}
