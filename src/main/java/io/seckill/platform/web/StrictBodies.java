package io.seckill.platform.web;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Every request body is one well-formed JSON document, or the request is refused before
 * any handler sees it: 415 when it is not sent as JSON, 413 over
 * {@code spring.http.codecs.max-in-memory-size}, 400 when it does not parse (trailing
 * garbage and repeated keys included). This holds also where the endpoint ignores its
 * body (a purchase, a purchase-token request for a sale without a challenge): bad input
 * is refused, never silently dropped. A request without a body (the hot path's purchases)
 * costs two header lookups.
 * <p>
 * Not a web filter of its own: the access rules run it once they let a request through
 * (so an unauthorized caller's body is never read), inside Spring Security's chain and on
 * the hot path alike, which spares every request a step of the filter chain.
 */
@Component
public class StrictBodies {

	private static final byte[] NO_BODY = new byte[0];

	private final ObjectReader json;

	private final int maxBytes;

	private final ApiErrorHandler errors;

	StrictBodies(ObjectMapper mapper, ApiErrorHandler errors,
			@Value("${spring.http.codecs.max-in-memory-size:256KB}") DataSize maxSize) {
		this.json = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
		this.errors = errors;
		this.maxBytes = (int) maxSize.toBytes();
	}

	/** Checks the body of {@code exchange}, then hands it to {@code chain}. */
	public Mono<Void> check(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		// Every path: routing decodes what a prefix check would not (/%61pi/...).
		if (!hasBody(headers)) {
			return chain.filter(exchange);
		}
		// join() of a body that turns out empty (chunked, no chunk) completes without a
		// buffer.
		return DataBufferUtils.join(request.getBody(), this.maxBytes)
			.map(StrictBodies::bytes)
			.defaultIfEmpty(NO_BODY)
			.flatMap((body) -> {
				ApiException refusal = refusal(headers.getContentType(), body);
				if (refusal != null) {
					return this.errors.write(exchange, refusal);
				}
				return chain.filter(exchange.mutate().request(new ReadBody(request, body)).build());
			})
			.onErrorResume(DataBufferLimitException.class,
					(ex) -> this.errors.write(exchange, new ApiException(ErrorCode.PAYLOAD_TOO_LARGE)));
	}

	private static boolean hasBody(HttpHeaders headers) {
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

	/**
	 * Why {@code body} is refused, or null; an empty body is no body, whatever its type.
	 */
	private ApiException refusal(MediaType type, byte[] body) {
		if (body.length == 0) {
			return null;
		}
		if (type == null || !MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
			return new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
		}
		try {
			this.json.readTree(body);
			return null;
		}
		catch (JacksonException ex) {
			return new ApiException(ErrorCode.BAD_REQUEST,
					"The request body is not one well-formed JSON document: " + ex.getOriginalMessage());
		}
	}

	/** Copied out and released at once: a handler that ignores its body leaks nothing. */
	private static byte[] bytes(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	/** The request with its body already read: handlers read the same bytes again. */
	private static final class ReadBody extends ServerHttpRequestDecorator {

		private final byte[] body;

		ReadBody(ServerHttpRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(this.body)));
		}

	}

}
