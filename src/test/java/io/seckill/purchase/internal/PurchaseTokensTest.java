package io.seckill.purchase.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.platform.DeploymentMode;
import io.seckill.support.Settings;
import io.seckill.user.SecuritySettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Key rotation without downtime: the first key signs, every listed key verifies. */
class PurchaseTokensTest {

	private static final PurchaseTokenSettings.Key OLD = new PurchaseTokenSettings.Key("k1",
			"the-old-purchase-token-key-at-least-32-bytes");

	private static final PurchaseTokenSettings.Key NEW = new PurchaseTokenSettings.Key("k2",
			"the-new-purchase-token-key-at-least-32-bytes");

	private static PurchaseTokens withKeys(PurchaseTokenSettings.Key... keys) {
		PurchaseTokenSettings settings = new PurchaseTokenSettings(true, Duration.ofSeconds(30), List.of(keys), 5, 0,
				Duration.ofSeconds(1), 5, Duration.ofMinutes(1), Duration.ofMinutes(2));
		SecuritySettings security = Settings.security("");
		return new PurchaseTokens(settings, security, DeploymentMode.DEMO, Clock.systemUTC());
	}

	@Test
	void tokensOfTheOldKeyStayValidWhileTheNewOneSigns() {
		String issuedBeforeRotation = withKeys(OLD).issue(7, 1, 2).token();
		PurchaseTokens rotating = withKeys(NEW, OLD);

		assertThat(rotating.verify(issuedBeforeRotation, 7, 1, 2).userId()).isEqualTo(7);
		String issuedAfter = rotating.issue(7, 1, 2).token();
		assertThat(issuedAfter).startsWith("k2.");
		assertThat(withKeys(NEW).verify(issuedAfter, 7, 1, 2).itemId()).isEqualTo(2);
	}

	@Test
	void aTokenOfAKeyThatWasDroppedIsInvalid() {
		String old = withKeys(OLD).issue(7, 1, 2).token();

		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> withKeys(NEW).verify(old, 7, 1, 2))
			.satisfies((rejection) -> assertThat(rejection.code()).isEqualTo(ErrorCode.PURCHASE_TOKEN_INVALID));
	}

}
