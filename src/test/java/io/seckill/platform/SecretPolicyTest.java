package io.seckill.platform;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** What a secret or password must be outside the demo. */
class SecretPolicyTest {

	private static final String SETTING = "seckill.security.token-secret";

	@Test
	void aRandomValueOfThirtyTwoBytesPasses() {
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		assertThatNoException()
			.isThrownBy(() -> SecretPolicy.requireStrongSecret(SETTING, Base64.getEncoder().encodeToString(random)));
		assertThatNoException()
			.isThrownBy(() -> SecretPolicy.requireStrongSecret(SETTING, HexFormat.of().formatHex(random)));
		byte[] sixteen = new byte[16];
		new SecureRandom().nextBytes(sixteen);
		assertThatNoException()
			.isThrownBy(() -> SecretPolicy.requireStrongSecret(SETTING, HexFormat.of().formatHex(sixteen)));
	}

	@ParameterizedTest
	@ValueSource(strings = { "the-same-secret-on-every-node-32+bytes", "THE-SAME-SECRET-ON-EVERY-NODE-32+BYTES ",
			"integration-tests-secret-at-least-32-bytes" })
	void aSecretPublishedInTheDocsIsRefused(String published) {
		assertThatExceptionOfType(RefusedSetting.class)
			.isThrownBy(() -> SecretPolicy.requireStrongSecret(SETTING, published))
			.withMessage("Refused setting seckill.security.token-secret (SECKILL_SECURITY_TOKEN_SECRET): "
					+ "is an example value published in this project's docs");
	}

	@Test
	void aShortSecretIsRefused() {
		assertThatExceptionOfType(RefusedSetting.class)
			.isThrownBy(() -> SecretPolicy.requireStrongSecret(SETTING, "Zq8#vL2!pW9x"))
			.withMessageContaining("is 12 bytes long, shorter than 32");
	}

	@ParameterizedTest
	@ValueSource(strings = { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",
			"changeme-changeme-changeme-changeme-changeme", "passwordpasswordpasswordpassword",
			"98765432109876543210987654321098765" })
	void aPredictableSecretIsRefused(String predictable) {
		assertThatExceptionOfType(RefusedSetting.class)
			.isThrownBy(() -> SecretPolicy.requireStrongSecret(SETTING, predictable))
			.withMessageContaining("too predictable");
	}

	@Test
	void aMissingSecretIsRefused() {
		assertThatExceptionOfType(RefusedSetting.class).isThrownBy(() -> SecretPolicy.requireStrongSecret(SETTING, ""))
			.withMessageContaining("is not set");
	}

	@Test
	void theDemoPasswordsAreRefusedAsAnAdminPassword() {
		for (String published : new String[] { "admin-demo-password", "password123" }) {
			assertThatExceptionOfType(RefusedSetting.class)
				.isThrownBy(
						() -> SecretPolicy.requireOwnPassword("seckill.security.bootstrap-admin.password", published))
				.withMessageContaining("published");
		}
		String own = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(9));
		assertThatExceptionOfType(RefusedSetting.class)
			.isThrownBy(() -> SecretPolicy.requireOwnPassword("seckill.security.bootstrap-admin.password",
					own.substring(0, 11)))
			.withMessageContaining("shorter than 12");
		assertThatNoException()
			.isThrownBy(() -> SecretPolicy.requireOwnPassword("seckill.security.bootstrap-admin.password", own));
	}

	@Test
	void anEnvironmentNameIsGivenForEverySetting() {
		assertThat(RefusedSetting.environmentName("seckill.purchase-token.keys[0].secret"))
			.isEqualTo("SECKILL_PURCHASE_TOKEN_KEYS_0_SECRET");
	}

}
