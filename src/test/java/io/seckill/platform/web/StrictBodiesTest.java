package io.seckill.platform.web;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;

/** Every API body is one well-formed JSON document, or the request stops here. */
class StrictBodiesTest {

	private final JsonMapper json = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

	private final StrictBodies filter = new StrictBodies(this.json, new ApiErrorHandler(this.json),
			DataSize.ofKilobytes(1));

	/** What the handler read, or null when it was never called. */
	private final AtomicReference<String> handled = new AtomicReference<>();

	private final WebFilterChain handler = (exchange) -> DataBufferUtils.join(exchange.getRequest().getBody())
		.map((buffer) -> buffer.toString(StandardCharsets.UTF_8))
		.defaultIfEmpty("")
		.doOnNext(this.handled::set)
		.then();

	@Test
	void aRequestWithoutABodyGoesOnUnread() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/x"));
		this.filter.check(exchange, this.handler).block();
		assertThat(this.handled.get()).isEmpty();
	}

	@Test
	void aChunkedBodyThatIsEmptyGoesOnWhateverItsType() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/x")
			.header(HttpHeaders.TRANSFER_ENCODING, "chunked")
			.body(Flux.empty()));
		this.filter.check(exchange, this.handler).block();
		assertThat(this.handled.get()).isEmpty();
	}

	@Test
	void aJsonBodyReachesTheHandlerWhole() {
		MockServerWebExchange exchange = MockServerWebExchange
			.from(post("/api/v1/x", MediaType.APPLICATION_JSON, "{\"answer\":\"7\"}"));
		this.filter.check(exchange, this.handler).block();
		assertThat(this.handled.get()).isEqualTo("{\"answer\":\"7\"}");
	}

	@Test
	void malformedJsonTrailingGarbageAndRepeatedKeysStopHere() {
		for (String body : new String[] { "{\"answer\":", "{} {}", "{\"a\":1,\"a\":2}" }) {
			MockServerWebExchange exchange = MockServerWebExchange
				.from(post("/api/v1/x", MediaType.APPLICATION_JSON, body));
			this.filter.check(exchange, this.handler).block();
			assertThat(exchange.getResponse().getStatusCode()).as(body).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(this.handled.get()).isNull();
		}
	}

	@Test
	void aBodyNotSentAsJsonIsUnsupported() {
		MockServerWebExchange exchange = MockServerWebExchange.from(post("/api/v1/x", MediaType.TEXT_PLAIN, "a=1"));
		this.filter.check(exchange, this.handler).block();
		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
		assertThat(this.handled.get()).isNull();
	}

	@Test
	void aBodyOverTheLimitIsTooLarge() {
		MockServerWebExchange exchange = MockServerWebExchange
			.from(post("/api/v1/x", MediaType.APPLICATION_JSON, "{\"x\":\"" + "a".repeat(2000) + "\"}"));
		this.filter.check(exchange, this.handler).block();
		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
		assertThat(this.handled.get()).isNull();
	}

	/** A POST with {@code body} and its Content-Length, as a client sends it. */
	private static MockServerHttpRequest post(String path, MediaType type, String body) {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		return MockServerHttpRequest.post(path)
			.contentType(type)
			.contentLength(bytes.length)
			.body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)));
	}

	@Test
	void aPathThatRoutingDecodesIsCheckedAsWell() {
		MockServerWebExchange exchange = MockServerWebExchange
			.from(post("/%61pi/v1/activities/1/items/1/purchases", MediaType.APPLICATION_JSON, "{bad"));
		this.filter.check(exchange, this.handler).block();
		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(this.handled.get()).isNull();
	}

}
