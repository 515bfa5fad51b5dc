package io.seckill.user.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.seckill.platform.DeploymentMode;
import io.seckill.platform.RefusedSetting;
import io.seckill.platform.SecretPolicy;
import io.seckill.user.Role;
import io.seckill.user.SecuritySettings;
import io.seckill.user.Shopper;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

/**
 * Signed short-lived access tokens (JWT, HS256, via Nimbus JOSE+JWT). Verification is
 * pure CPU; a small cache of already-verified tokens spares the HMAC and JSON parsing for
 * a shopper's repeated requests during a sale. A token carries its user's token version
 * ({@code tv}); a password change or a blacklisting moves the version on, and every node
 * refuses the older tokens from memory ({@link UserRulesDirectory}).
 */
@Component
public class AccessTokens {

	private static final Log log = LogFactory.getLog(AccessTokens.class);

	private final MACSigner signer;

	private final MACVerifier verifier;

	private final SecuritySettings settings;

	private final Clock clock;

	static final String SECRET_SETTING = "seckill.security.token-secret";

	private final Cache<String, VerifiedToken> verified = Caffeine.newBuilder().maximumSize(200_000).build();

	private final UserRulesDirectory directory;

	AccessTokens(SecuritySettings settings, DeploymentMode mode, UserRulesDirectory directory, Clock clock)
			throws JOSEException {
		this.settings = settings;
		this.directory = directory;
		this.clock = clock;
		byte[] secret = secret(settings.tokenSecret(), mode);
		this.signer = new MACSigner(secret);
		this.verifier = new MACVerifier(secret);
	}

	private static byte[] secret(String configured, DeploymentMode mode) {
		if (!mode.isDemo()) {
			SecretPolicy.requireStrongSecret(SECRET_SETTING, configured);
		}
		if (configured == null || configured.isBlank()) {
			log.warn(SECRET_SETTING + " is not set: using a random key, so tokens are valid on this process only "
					+ "(the demo).");
			byte[] random = new byte[32];
			new SecureRandom().nextBytes(random);
			return random;
		}
		byte[] bytes = configured.getBytes(StandardCharsets.UTF_8);
		if (bytes.length < SecretPolicy.MIN_SECRET_BYTES) {
			throw new RefusedSetting(SECRET_SETTING, "is shorter than " + SecretPolicy.MIN_SECRET_BYTES + " bytes",
					"Use a random value of at least " + SecretPolicy.MIN_SECRET_BYTES + " bytes.");
		}
		return bytes;
	}

	/**
	 * A token for {@code shopper} under its user's current {@code tokenVersion}, valid
	 * for the configured time (shorter for admins).
	 */
	public IssuedToken issue(Shopper shopper, int tokenVersion) {
		Instant now = this.clock.instant();
		Instant expiresAt = now.plus(shopper.isAdmin() ? this.settings.adminTokenTtl() : this.settings.tokenTtl());
		JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(Long.toString(shopper.id()))
			.claim("name", shopper.username())
			.claim("role", shopper.role().name())
			.claim("lvl", shopper.level())
			.claim("tv", tokenVersion)
			.issueTime(Date.from(now))
			.expirationTime(Date.from(expiresAt))
			.build();
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
		try {
			jwt.sign(this.signer);
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Could not sign an access token", ex);
		}
		return new IssuedToken(jwt.serialize(), expiresAt);
	}

	/**
	 * The shopper a valid token names, or {@code null} for a forged, malformed, expired
	 * or revoked one.
	 */
	public Shopper verify(String token) {
		long now = this.clock.millis();
		VerifiedToken known = this.verified.getIfPresent(token);
		if (known != null) {
			return (known.expiresAtMillis() > now
					&& this.directory.isCurrent(known.shopper().id(), known.tokenVersion())) ? known.shopper() : null;
		}
		if (token.length() > 2048) {
			return null;
		}
		try {
			SignedJWT jwt = SignedJWT.parse(token);
			if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(this.verifier)) {
				return null;
			}
			JWTClaimsSet claims = jwt.getJWTClaimsSet();
			Date expiry = claims.getExpirationTime();
			if (expiry == null || expiry.getTime() <= now) {
				return null;
			}
			Shopper shopper = new Shopper(Long.parseLong(claims.getSubject()), claims.getStringClaim("name"),
					Role.valueOf(claims.getStringClaim("role")), claims.getIntegerClaim("lvl"));
			Integer version = claims.getIntegerClaim("tv");
			int tokenVersion = (version != null) ? version : 0;
			this.verified.put(token, new VerifiedToken(shopper, expiry.getTime(), tokenVersion));
			return this.directory.isCurrent(shopper.id(), tokenVersion) ? shopper : null;
		}
		catch (ParseException | JOSEException | RuntimeException ex) {
			return null;
		}
	}

	/** A token and when it stops being accepted. */
	public record IssuedToken(String token, Instant expiresAt) {
	}

	private record VerifiedToken(Shopper shopper, long expiresAtMillis, int tokenVersion) {
	}

}
