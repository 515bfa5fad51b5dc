package io.seckill.purchase.internal;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The admission script writes the TTLs as PX expiries after it took the unit, so a node
 * must refuse to start with one Redis would refuse.
 */
class PurchaseSettingsTest {

	private static PurchaseSettings settings(Duration rateWindow, Duration idempotencyTtl, Duration ticketTtl) {
		return new PurchaseSettings(10, rateWindow, idempotencyTtl, ticketTtl, Duration.ofSeconds(1), 0, 64, 2, 10_000,
				Duration.ofSeconds(3), 0, Duration.ofMillis(500));
	}

	@Test
	void theDefaultsAreAccepted() {
		assertThatNoException()
			.isThrownBy(() -> settings(Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ofHours(24)));
	}

	@Test
	void aTtlOrWindowUnderOneMillisecondIsRefusedWithItsKey() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> settings(Duration.ofSeconds(1), Duration.ZERO, Duration.ofHours(24)))
			.withMessageContaining("seckill.purchase.idempotency-ttl");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> settings(Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ofNanos(999_999)))
			.withMessageContaining("seckill.purchase.ticket-ttl");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> settings(Duration.ZERO, Duration.ofMinutes(10), Duration.ofHours(24)))
			.withMessageContaining("seckill.purchase.rate-window");
	}

}
