package io.seckill.user;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param tokenSecret HMAC key shared by all API nodes (at least 32 random bytes; refused
 * outside the demo when short, predictable or published); in the demo a random one per
 * process when empty
 * @param tokenTtl lifetime of a shopper's access token
 * @param adminTokenTtl lifetime of an admin's access token (shorter: an admin token does
 * more harm when it leaks)
 * @param passwordStrength BCrypt log rounds (10 in production; tests lower it to stay
 * fast)
 * @param bootstrapAdmin the admin account created at start when missing
 * @param login limits on logins
 * @param registration limits on sign-ups
 * @param hashing the bounded pool that runs password hashing
 */
@ConfigurationProperties("seckill.security")
public record SecuritySettings(@DefaultValue("") String tokenSecret, @DefaultValue("30m") Duration tokenTtl,
		@DefaultValue("10m") Duration adminTokenTtl, @DefaultValue("10") int passwordStrength,
		@DefaultValue BootstrapAdmin bootstrapAdmin, @DefaultValue Login login, @DefaultValue Registration registration,
		@DefaultValue Hashing hashing) {

	/**
	 * @param username the admin's name
	 * @param password its password at first start (never a published one outside the
	 * demo); changing it later does nothing: use {@code PUT /api/v1/users/me/password}
	 */
	public record BootstrapAdmin(@DefaultValue("admin") String username, @DefaultValue("") String password) {
	}

	/**
	 * @param rateLimit login attempts per username per window, counted on every node
	 * (right ones are taken back, so this bounds wrong guesses); 0 = off
	 * @param ipRateLimit login attempts per client IP per window; 0 (the default) = off:
	 * behind a balancer set {@code seckill.web.trusted-proxies} first, or every shopper
	 * shares the balancer's address
	 * @param rateWindow the window of both
	 */
	public record Login(@DefaultValue("10") int rateLimit, @DefaultValue("0") int ipRateLimit,
			@DefaultValue("1m") Duration rateWindow) {
	}

	/**
	 * @param ipRateLimit sign-ups per client IP per window; 0 (the default) = off, for
	 * the same reason as the login's
	 * @param rateWindow its window
	 * @param challengeIpRateLimit sign-up challenges a client IP may ask for per
	 * {@code rateWindow} (drawing one costs milliseconds of CPU); 0 = off
	 * @param challengeFailures wrong sign-up challenge answers allowed per client IP per
	 * {@code challengeWindow}; 0 (the default) = off, for the same reason as the per-IP
	 * limits (a challenge is answered once, right or wrong, anyway)
	 * @param challengeWindow the window of that limit
	 * @param challengeTtl how long a sign-up challenge can be answered
	 * @param challenge when a sign-up must answer a picture challenge
	 */
	public record Registration(@DefaultValue("0") int ipRateLimit, @DefaultValue("1h") Duration rateWindow,
			@DefaultValue("0") int challengeIpRateLimit, @DefaultValue("0") int challengeFailures,
			@DefaultValue("1m") Duration challengeWindow, @DefaultValue("2m") Duration challengeTtl,
			@DefaultValue("when-a-sale-asks") SignUpChallenge challenge) {
	}

	/** When a sign-up answers a picture challenge. */
	public enum SignUpChallenge {

		/**
		 * While a published sale that is not over asks its shoppers for one
		 * ({@link SignUpPolicy}).
		 */
		WHEN_A_SALE_ASKS,
		/** Always. */
		ALWAYS,
		/** Never (a gateway in front checks sign-ups). */
		NEVER

	}

	/**
	 * @param threads threads that hash passwords (BCrypt at strength 10 costs tens of
	 * milliseconds of CPU); 0 = a quarter of the cores, at least one: a login flood never
	 * takes more than that from the sale (on 2 cores: one, half the machine)
	 * @param queue hashes that may wait, per thread (Reactor's bounded elastic scheduler
	 * counts its queue per worker); beyond it a login, sign-up or password change is
	 * answered 503 at once instead of queueing
	 */
	public record Hashing(@DefaultValue("0") int threads, @DefaultValue("32") int queue) {

		public int threadCount() {
			return (this.threads > 0) ? this.threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 4);
		}

	}

}
