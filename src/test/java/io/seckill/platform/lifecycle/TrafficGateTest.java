package io.seckill.platform.lifecycle;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.seckill.platform.Roles;
import io.seckill.platform.web.ApiErrorHandler;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficGateTest {

	private final TrafficDrain drain = new TrafficDrain(new ShutdownSettings(Duration.ZERO), new Roles(List.of("api")),
			(event) -> {
			});

	private final TrafficGate gate = new TrafficGate(this.drain, new ApiErrorHandler(JsonMapper.builder().build()),
			new StartupSettings(Duration.ofMillis(200)));

	private final AtomicBoolean served = new AtomicBoolean();

	private final HttpHandler handler = this.gate
		.around((request, response) -> Mono.fromRunnable(() -> this.served.set(true)));

	@Test
	void aNodeStillNotReadyAfterTheHoldAnswersUnavailableWithoutServing() {
		MockServerHttpResponse response = new MockServerHttpResponse();

		long started = System.nanoTime();
		this.handler.handle(MockServerHttpRequest.post("/api/v1/sessions").build(), response).block();

		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
		assertThat(this.served).isFalse();
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
		assertThat(response.getBodyAsString().block()).contains("\"code\":\"UNAVAILABLE\"");
	}

	@Test
	void aRequestThatArrivesWhileStartingIsHeldAndServedOnceTheNodeIsReady() {
		MockServerHttpResponse response = new MockServerHttpResponse();
		Mono<Void> answer = this.handler.handle(MockServerHttpRequest.post("/api/v1/sessions").build(), response)
			.cache();
		answer.subscribe();
		assertThat(this.served).isFalse();

		this.gate.open();

		answer.block(Duration.ofSeconds(1));
		assertThat(this.served).isTrue();
		assertThat(response.getStatusCode()).isNotEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
	}

	@Test
	void beforeTheNodeIsReadyAnEncodedOrParameterizedApiPathIsRefusedToo() {
		for (String path : new String[] { "/%61pi/v1/sessions", "/api;x=1/v1/sessions" }) {
			MockServerHttpResponse response = new MockServerHttpResponse();
			this.handler.handle(MockServerHttpRequest.method(HttpMethod.POST, URI.create(path)).build(), response)
				.block();
			assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		}
		assertThat(this.served).isFalse();
	}

	@Test
	void beforeTheNodeIsReadyThePagesAreServed() {
		this.handler.handle(MockServerHttpRequest.get("/index.html").build(), new MockServerHttpResponse()).block();
		assertThat(this.served).isTrue();
	}

	@Test
	void keepsConnectionsOpenWhileServing() {
		this.gate.open();
		this.drain.start();
		assertThat(connectionHeaderOfAnswer()).isNull();
		assertThat(this.served).isTrue();
	}

	@Test
	void closesEachConnectionAfterItsAnswerOnceDraining() {
		this.gate.open();
		this.drain.start();
		this.drain.stop();
		assertThat(connectionHeaderOfAnswer()).isEqualTo("close");
	}

	private String connectionHeaderOfAnswer() {
		MockServerHttpResponse response = new MockServerHttpResponse();
		this.handler.handle(MockServerHttpRequest.post("/api/v1/activities/1/items/1/purchases").build(), response)
			.block();
		return response.getHeaders().getFirst(HttpHeaders.CONNECTION);
	}

}
