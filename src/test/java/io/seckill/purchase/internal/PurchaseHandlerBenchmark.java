package io.seckill.purchase.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The input checks of every purchase in {@link PurchaseHandler}: the two path ids
 * ({@code id}) and the {@code Idempotency-Key} header ({@code idempotencyKey}, a UUID
 * here). {@code idempotencyKey} is private, so it is called through a constant
 * {@link MethodHandle}, which the JIT inlines like a direct call; renaming the method
 * fails this benchmark at its start, not the build. Run with bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class PurchaseHandlerBenchmark {

	private static final MethodHandle IDEMPOTENCY_KEY;

	static {
		try {
			IDEMPOTENCY_KEY = MethodHandles.privateLookupIn(PurchaseHandler.class, MethodHandles.lookup())
				.findStatic(PurchaseHandler.class, "idempotencyKey", MethodType.methodType(String.class, String.class));
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private String activityId;

	private String itemId;

	private String idempotencyKey;

	@Setup
	public void setUp() {
		this.activityId = "1024";
		this.itemId = "3";
		this.idempotencyKey = "3f1c2b9e-7d4a-4e0b-9a6c-2d8e5f7a1b3c";
	}

	@Benchmark
	public void ids(Blackhole blackhole) {
		blackhole.consume(PurchaseHandler.id(this.activityId));
		blackhole.consume(PurchaseHandler.id(this.itemId));
	}

	@Benchmark
	public String idempotencyKey() throws Throwable {
		return (String) IDEMPOTENCY_KEY.invokeExact(this.idempotencyKey);
	}

}
