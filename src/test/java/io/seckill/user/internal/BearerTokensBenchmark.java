package io.seckill.user.internal;

import java.util.concurrent.TimeUnit;

import io.seckill.user.Role;
import io.seckill.user.Shopper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.core.Authentication;

/**
 * {@link BearerTokens#convert}, the first check of every authenticated API request: read
 * the {@code Authorization: Bearer} header and verify its access token (here a shopper's
 * repeated request, so the cache of verified tokens answers; the first request of a token
 * costs {@code AccessTokensBenchmark.verifyUncached} more). The exchange is Spring's
 * mock, whose headers are a plain map: Reactor Netty's header adapter costs a little
 * more. Run with bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class BearerTokensBenchmark {

	private BearerTokens bearerTokens;

	private MockServerWebExchange exchange;

	@Setup
	public void setUp() {
		AccessTokens tokens = AccessTokensBenchmark.accessTokens();
		this.bearerTokens = new BearerTokens(tokens);
		Shopper alice = new Shopper(7, "alice", Role.SHOPPER, 3);
		this.exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/activities/1/items/2/purchase")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + tokens.issue(alice, 0).token()));
		if (!alice.equals(authenticate().getPrincipal())) {
			throw new IllegalStateException("the caller is not authenticated");
		}
	}

	@Benchmark
	public Authentication authenticate() {
		return this.bearerTokens.convert(this.exchange).block();
	}

}
