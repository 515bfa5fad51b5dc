package io.seckill.platform.lifecycle;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Once the node is draining, answers every request with {@code Connection: close}: the
 * balancer's pooled keep-alive connection to this node ends with that answer instead of
 * carrying a request into the moment the node stops (nginx would get a 503 from a node
 * whose Redis client is already closing, or a reset). Costs one volatile read per request
 * otherwise.
 */
@Component
class DrainingConnections implements WebFilter {

	private final TrafficDrain drain;

	DrainingConnections(TrafficDrain drain) {
		this.drain = drain;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (this.drain.draining()) {
			exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
		}
		return chain.filter(exchange);
	}

}
