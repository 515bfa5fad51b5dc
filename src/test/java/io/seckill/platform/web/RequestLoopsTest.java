package io.seckill.platform.web;

import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests not served by Reactor Netty (mocks, decorated mocks) have no loop to hand back
 * to: they get the immediate scheduler, never an error. The hand-off on a real server is
 * exercised by every purchase in the integration tests.
 */
class RequestLoopsTest {

	@Test
	void aRequestWithoutANettyConnectionStaysOnItsThread() {
		MockServerHttpRequest mock = MockServerHttpRequest.get("/api/v1/ping").build();

		assertThat(RequestLoops.of(mock)).isSameAs(Schedulers.immediate());
		assertThat(RequestLoops.of(new ServerHttpRequestDecorator(mock))).isSameAs(Schedulers.immediate());
	}

}
