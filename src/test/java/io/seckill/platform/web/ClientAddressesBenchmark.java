package io.seckill.platform.web;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/**
 * {@link ClientAddresses#of}, the client IP that every purchase (for the admission's
 * per-IP limit) and every purchase-token request computes. {@code directPeer}: the
 * default, no trusted proxy configured, the peer is the client.
 * {@code behindTrustedProxy}: the peer is a trusted balancer and the client comes from
 * {@code X-Forwarded-For}. The request is Spring's mock (Reactor Netty's header adapter
 * costs a little more). Run with bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class ClientAddressesBenchmark {

	private ClientAddresses noProxies;

	private ClientAddresses behindProxies;

	private ServerHttpRequest direct;

	private ServerHttpRequest forwarded;

	@Setup
	public void setUp() {
		this.noProxies = new ClientAddresses(new ClientAddresses.Settings(List.of()));
		this.behindProxies = new ClientAddresses(new ClientAddresses.Settings(List.of("10.0.0.0/8")));
		this.direct = MockServerHttpRequest.post("/api/v1/activities/1/items/2/purchase")
			.remoteAddress(new InetSocketAddress("198.51.100.9", 40000))
			.build();
		this.forwarded = MockServerHttpRequest.post("/api/v1/activities/1/items/2/purchase")
			.remoteAddress(new InetSocketAddress("10.1.2.3", 40000))
			.header(ClientAddresses.FORWARDED_FOR, "203.0.113.5")
			.build();
		if (!directPeer().equals("198.51.100.9") || !behindTrustedProxy().equals("203.0.113.5")) {
			throw new IllegalStateException("unexpected client addresses");
		}
	}

	@Benchmark
	public String directPeer() {
		return this.noProxies.of(this.direct);
	}

	@Benchmark
	public String behindTrustedProxy() {
		return this.behindProxies.of(this.forwarded);
	}

}
