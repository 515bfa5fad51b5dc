package io.seckill.user.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.JOSEException;
import io.seckill.user.Role;
import io.seckill.platform.DeploymentMode;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.support.Settings;
import io.seckill.user.Shopper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The access token (JWT, HS256) that every API request presents. {@code verifyCached} is
 * a shopper's repeated request (the cache of verified tokens answers);
 * {@code verifyUncached} is the first request of a token (parse, HMAC, claims; a fresh
 * {@link AccessTokens} per call, so nothing is cached, built outside the measured time);
 * {@code verifyForged} is a tampered signature, never cached, so every bot request with
 * one pays the parse and the HMAC. Run with bench/jmh.sh.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class AccessTokensBenchmark {

	static final String SECRET = "a-benchmark-access-token-secret-of-32-bytes+";

	static final Shopper ALICE = new Shopper(7, "alice", Role.SHOPPER, 3);

	/**
	 * Access tokens as the application configures them (for the benchmarks of other
	 * packages: the constructor is package-private).
	 */
	public static AccessTokens accessTokens() {
		try {
			return new AccessTokens(Settings.security(SECRET), DeploymentMode.DEMO,
					new UserRulesDirectory(null, new RedisKeys("")), Clock.systemUTC());
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A token that is verified once, so the cache answers. */
	@State(Scope.Thread)
	public static class Cached {

		AccessTokens tokens;

		String token;

		@Setup
		public void setUp() {
			this.tokens = accessTokens();
			this.token = this.tokens.issue(ALICE, 0).token();
			if (!ALICE.equals(this.tokens.verify(this.token))) {
				throw new IllegalStateException("the token does not verify");
			}
		}

	}

	/** A token never seen by the verifying instance: a new one before every call. */
	@State(Scope.Thread)
	public static class Uncached {

		String token;

		AccessTokens tokens;

		@Setup(Level.Trial)
		public void issue() {
			this.token = accessTokens().issue(ALICE, 0).token();
		}

		@Setup(Level.Invocation)
		public void freshVerifier() {
			this.tokens = accessTokens();
		}

	}

	/** A valid token with its signature's first character changed. */
	@State(Scope.Thread)
	public static class Forged {

		AccessTokens tokens;

		String token;

		@Setup
		public void setUp() {
			this.tokens = accessTokens();
			String valid = this.tokens.issue(ALICE, 0).token();
			int signature = valid.lastIndexOf('.') + 1;
			char first = valid.charAt(signature);
			this.token = valid.substring(0, signature) + ((first == 'A') ? 'B' : 'A') + valid.substring(signature + 1);
			if (this.tokens.verify(this.token) != null) {
				throw new IllegalStateException("the forged token verifies");
			}
		}

	}

	@Benchmark
	public Shopper verifyCached(Cached state) {
		return state.tokens.verify(state.token);
	}

	/**
	 * Slower to warm up than the others (a new instance per call): 3 iterations left it
	 * at 19 µs, it settles near 6 µs from the 6th.
	 */
	@Benchmark
	@Warmup(iterations = 10, time = 1)
	public Shopper verifyUncached(Uncached state) {
		return state.tokens.verify(state.token);
	}

	@Benchmark
	public Shopper verifyForged(Forged state) {
		return state.tokens.verify(state.token);
	}

}
