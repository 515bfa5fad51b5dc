package io.seckill.user.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.support.Settings;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The hashing pool's bound, and logins that take as long whether the name exists or not.
 */
class PasswordHashingTest {

	private static PasswordHashing hashing(int strength, int threads, int queue) {
		return new PasswordHashing(Settings.security("", strength, threads, queue), new SimpleMeterRegistry());
	}

	@Test
	void workBeyondTheThreadsAndTheQueueIsRefusedAtOnce() throws Exception {
		PasswordHashing hashing = hashing(4, 1, 1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(1);
		try {
			hashing.run(() -> {
				running.countDown();
				return release.await(10, TimeUnit.SECONDS);
			}).subscribe();
			assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
			Mono<Boolean> queued = hashing.run(() -> true);
			queued.subscribe();

			long started = System.nanoTime();
			assertThatExceptionOfType(ApiException.class).isThrownBy(() -> hashing.run(() -> true).block())
				.satisfies((refused) -> assertThat(refused.code()).isEqualTo(ErrorCode.UNAVAILABLE));
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
		}
		finally {
			release.countDown();
			hashing.destroy();
		}
	}

	@Test
	void anUnknownUserCostsTheSameHashAsAWrongPassword() {
		PasswordHashing hashing = hashing(8, 1, 8);
		try {
			String stored = hashing.hash("the-right-password");
			long[] wrong = new long[9];
			long[] unknown = new long[9];
			for (int i = 0; i < wrong.length; i++) {
				long started = System.nanoTime();
				assertThat(hashing.matches("a-wrong-password", stored)).isFalse();
				wrong[i] = System.nanoTime() - started;
				started = System.nanoTime();
				assertThat(hashing.matches("a-wrong-password", null)).isFalse();
				unknown[i] = System.nanoTime() - started;
			}
			double ratio = (double) median(unknown) / median(wrong);
			assertThat(ratio).isBetween(0.5, 2.0);
			assertThat(hashing.matches("the-right-password", stored)).isTrue();
		}
		finally {
			hashing.destroy();
		}
	}

	private static long median(long[] values) {
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

}
