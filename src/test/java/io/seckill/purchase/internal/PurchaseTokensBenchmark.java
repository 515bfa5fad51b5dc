package io.seckill.purchase.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.platform.DeploymentMode;
import io.seckill.support.Settings;
import io.seckill.user.SecuritySettings;
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
 * The purchase token check: every purchase verifies its {@code Purchase-Token} in memory
 * (split, HMAC-SHA256, compare, parse the claims) before anything touches Redis, and a
 * bot's forged token is refused at this cost alone. Issuing is what each
 * {@code POST .../purchase-token} pays after its challenge. Run with bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class PurchaseTokensBenchmark {

	private static final long USER = 7;

	private static final long ACTIVITY = 1;

	private static final long ITEM = 2;

	private PurchaseTokens tokens;

	private String valid;

	private String forged;

	@Setup
	public void setUp() {
		PurchaseTokenSettings settings = new PurchaseTokenSettings(true, Duration.ofHours(1),
				List.of(new PurchaseTokenSettings.Key("k1", "a-benchmark-purchase-token-key-of-32-bytes+")), 5, 0,
				Duration.ofSeconds(1), 5, Duration.ofMinutes(1), Duration.ofMinutes(2));
		SecuritySettings security = Settings.security("");
		this.tokens = new PurchaseTokens(settings, security, DeploymentMode.DEMO, Clock.systemUTC());
		this.valid = this.tokens.issue(USER, ACTIVITY, ITEM).token();
		// Same claims, another signature: the first character of the signature changed.
		int signature = this.valid.lastIndexOf('.') + 1;
		char first = this.valid.charAt(signature);
		this.forged = this.valid.substring(0, signature) + ((first == 'A') ? 'B' : 'A')
				+ this.valid.substring(signature + 1);
		if (this.tokens.verify(this.valid, USER, ACTIVITY, ITEM).userId() != USER) {
			throw new IllegalStateException("the valid token does not verify");
		}
		if (forged(this.tokens, this.forged).code() != ErrorCode.PURCHASE_TOKEN_INVALID) {
			throw new IllegalStateException("the forged token is not refused as invalid");
		}
	}

	private static ApiException forged(PurchaseTokens tokens, String token) {
		try {
			tokens.verify(token, USER, ACTIVITY, ITEM);
		}
		catch (ApiException ex) {
			return ex;
		}
		throw new IllegalStateException("a forged token verified");
	}

	@Benchmark
	public PurchaseTokens.Claims verifyValid() {
		return this.tokens.verify(this.valid, USER, ACTIVITY, ITEM);
	}

	@Benchmark
	public void verifyForged(Blackhole blackhole) {
		blackhole.consume(forged(this.tokens, this.forged));
	}

	@Benchmark
	public PurchaseTokens.Issued issue() {
		return this.tokens.issue(USER, ACTIVITY, ITEM);
	}

}
