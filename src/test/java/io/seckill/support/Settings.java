package io.seckill.support;

import java.time.Duration;

import io.seckill.user.SecuritySettings;

/** Settings records as the application binds them by default, for unit tests. */
public final class Settings {

	private Settings() {
	}

	/**
	 * The security settings with {@code tokenSecret}, a 5-minute token and fast hashing.
	 */
	public static SecuritySettings security(String tokenSecret) {
		return security(tokenSecret, 4, 0, 32);
	}

	/** The same with BCrypt at {@code strength} and a hashing pool of its own size. */
	public static SecuritySettings security(String tokenSecret, int strength, int hashThreads, int hashQueue) {
		return new SecuritySettings(tokenSecret, Duration.ofMinutes(5), Duration.ofMinutes(2), strength,
				new SecuritySettings.BootstrapAdmin("admin", ""),
				new SecuritySettings.Login(10, 0, Duration.ofMinutes(1)),
				new SecuritySettings.Registration(0, Duration.ofHours(1), 0, 5, Duration.ofMinutes(1),
						Duration.ofMinutes(2), SecuritySettings.SignUpChallenge.WHEN_A_SALE_ASKS),
				new SecuritySettings.Hashing(hashThreads, hashQueue));
	}

}
