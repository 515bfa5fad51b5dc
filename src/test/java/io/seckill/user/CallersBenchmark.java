package io.seckill.user;

import java.util.concurrent.TimeUnit;

import io.seckill.user.internal.AccessTokens;
import io.seckill.user.internal.AccessTokensBenchmark;
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
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/**
 * {@link Callers#authenticate}, the first check of every authenticated API request: read
 * the {@code Authorization: Bearer} header and verify its access token (here a shopper's
 * repeated request, so the cache of verified tokens answers; the first request of a token
 * costs {@code AccessTokensBenchmark.verifyUncached} more). The request is Spring's mock,
 * whose headers are a plain map: Reactor Netty's header adapter costs a little more. Run
 * with bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class CallersBenchmark {

	private Callers callers;

	private ServerHttpRequest request;

	@Setup
	public void setUp() {
		AccessTokens tokens = AccessTokensBenchmark.accessTokens();
		this.callers = new Callers(tokens);
		Shopper alice = new Shopper(7, "alice", Role.SHOPPER, 3);
		this.request = MockServerHttpRequest.post("/api/v1/activities/1/items/2/purchase")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + tokens.issue(alice).token())
			.build();
		if (!alice.equals(this.callers.authenticate(this.request))) {
			throw new IllegalStateException("the caller is not authenticated");
		}
	}

	@Benchmark
	public Shopper authenticate() {
		return this.callers.authenticate(this.request);
	}

}
