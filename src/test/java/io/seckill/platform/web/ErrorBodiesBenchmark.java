package io.seckill.platform.web;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of a plain rejection (here SOLD_OUT, what a sold-out storm answers to every
 * request): {@link ErrorBodies#render} copies the pre-rendered template around the
 * request id; {@code jackson} serialises the {@link ErrorBody} record each time, as
 * {@code ApiErrorHandler} did before the templates (and as {@code render} still does for
 * rejections with a detail or a ticket). Run with bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class ErrorBodiesBenchmark {

	private ObjectMapper json;

	private ErrorBodies bodies;

	private ApiException rejection;

	/** Reactor Netty's request ids: the connection's hex id, a dash, a counter. */
	private String requestId;

	@Setup
	public void setUp() {
		this.json = JsonMapper.builder().build();
		this.bodies = new ErrorBodies(this.json);
		this.rejection = new ApiException(ErrorCode.SOLD_OUT);
		this.requestId = "5f2c9a1e-1042";
		if (!Arrays.equals(template(), jackson())) {
			throw new IllegalStateException("the template and Jackson render different bodies");
		}
	}

	@Benchmark
	public byte[] template() {
		return this.bodies.render(this.rejection, this.requestId);
	}

	@Benchmark
	public byte[] jackson() {
		return this.json.writeValueAsString(ErrorBody.of(this.rejection, this.requestId))
			.getBytes(StandardCharsets.UTF_8);
	}

}
