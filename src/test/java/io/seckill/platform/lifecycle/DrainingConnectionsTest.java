package io.seckill.platform.lifecycle;

import java.time.Duration;
import java.util.List;

import io.seckill.platform.Roles;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

class DrainingConnectionsTest {

	private final TrafficDrain drain = new TrafficDrain(new ShutdownSettings(Duration.ZERO), new Roles(List.of("api")),
			(event) -> {
			});

	private final DrainingConnections filter = new DrainingConnections(this.drain);

	@Test
	void keepsConnectionsOpenWhileServing() {
		this.drain.start();
		assertThat(connectionHeaderOfAnswer()).isNull();
	}

	@Test
	void closesEachConnectionAfterItsAnswerOnceDraining() {
		this.drain.start();
		this.drain.stop();
		assertThat(connectionHeaderOfAnswer()).isEqualTo("close");
	}

	private String connectionHeaderOfAnswer() {
		MockServerWebExchange exchange = MockServerWebExchange
			.from(MockServerHttpRequest.post("/api/v1/activities/1/items/1/purchases"));
		this.filter.filter(exchange, (served) -> Mono.empty()).block();
		return exchange.getResponse().getHeaders().getFirst(HttpHeaders.CONNECTION);
	}

}
