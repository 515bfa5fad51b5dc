package io.seckill.purchase.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.seckill.activity.SaleRules;
import io.seckill.platform.DeploymentMode;
import io.seckill.platform.RefusedSetting;
import io.seckill.platform.SecretPolicy;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.user.SecuritySettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

/**
 * One-time purchase tokens:
 * {@code keyId.user.activity.item.expiresAtMillis.id.signature}, the signature an
 * HMAC-SHA256 (truncated to 128 bits) over everything before it. Checked in memory, so a
 * request without a valid token costs no Redis call; single use is enforced by the
 * admission script, which records the token's id.
 */
@Component
class PurchaseTokens {

	private static final Log log = LogFactory.getLog(PurchaseTokens.class);

	private static final String ALGORITHM = "HmacSHA256";

	private static final int SIGNATURE_BYTES = 16;

	private static final int MAX_LENGTH = 200;

	private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder BASE64_DECODER = Base64.getUrlDecoder();

	/** A verified token's claims. */
	record Claims(long userId, long activityId, long itemId, long expiresAtMillis, String id) {
	}

	/** A newly issued token. */
	record Issued(String token, long expiresAtMillis, String id) {
	}

	private final Map<String, ThreadLocal<Mac>> macs = new LinkedHashMap<>();

	private final String signingKeyId;

	private final PurchaseTokenSettings settings;

	private final Clock clock;

	PurchaseTokens(PurchaseTokenSettings settings, SecuritySettings security, DeploymentMode mode, Clock clock) {
		this.settings = settings;
		this.clock = clock;
		if (settings.keys().isEmpty()) {
			if (!mode.isDemo()) {
				SecretPolicy.requireStrongSecret("seckill.security.token-secret", security.tokenSecret());
			}
			this.macs.put("s0", macs(derivedKey(security.tokenSecret())));
		}
		for (int i = 0; i < settings.keys().size(); i++) {
			PurchaseTokenSettings.Key key = settings.keys().get(i);
			String setting = "seckill.purchase-token.keys[" + i + "]";
			if (key.id() == null || !key.id().matches("[A-Za-z0-9_-]{1,16}")) {
				throw new RefusedSetting(setting + ".id", "must be 1-16 of [A-Za-z0-9_-], got " + key.id(),
						"Give each key a short id of letters, digits, '_' or '-'.");
			}
			if (!mode.isDemo()) {
				SecretPolicy.requireStrongSecret(setting + ".secret", key.secret());
			}
			byte[] secret = (key.secret() != null) ? key.secret().getBytes(StandardCharsets.UTF_8) : new byte[0];
			if (secret.length < SecretPolicy.MIN_SECRET_BYTES) {
				throw new RefusedSetting(setting + ".secret",
						"is shorter than " + SecretPolicy.MIN_SECRET_BYTES + " bytes",
						"Use a random value of at least " + SecretPolicy.MIN_SECRET_BYTES + " bytes.");
			}
			if (this.macs.put(key.id(), macs(secret)) != null) {
				throw new RefusedSetting(setting + ".id", "repeats the id " + key.id(), "Give each key its own id.");
			}
		}
		this.signingKeyId = this.macs.keySet().iterator().next();
	}

	private static byte[] derivedKey(String accessTokenSecret) {
		if (accessTokenSecret == null || accessTokenSecret.isBlank()) {
			log.warn("Neither seckill.purchase-token.keys nor seckill.security.token-secret is set: purchase tokens "
					+ "use a random key and are valid on this process only. Set one (same on every node) for a cluster.");
			byte[] random = new byte[32];
			new SecureRandom().nextBytes(random);
			return random;
		}
		// A separate key per purpose: a purchase token must never pass as anything else.
		return hmac(accessTokenSecret.getBytes(StandardCharsets.UTF_8), "seckill purchase-token key v1");
	}

	private static ThreadLocal<Mac> macs(byte[] secret) {
		SecretKeySpec key = new SecretKeySpec(secret, ALGORITHM);
		return ThreadLocal.withInitial(() -> {
			try {
				Mac mac = Mac.getInstance(ALGORITHM);
				mac.init(key);
				return mac;
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	private static byte[] hmac(byte[] secret, String text) {
		Mac mac = macs(secret).get();
		return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
	}

	Issued issue(long userId, long activityId, long itemId) {
		return issue(userId, activityId, itemId, Long.MAX_VALUE);
	}

	/**
	 * A token that expires by {@code notAfterMillis} at the latest (a waiting room's
	 * pass: a turn that ran out must not live on in a token).
	 */
	Issued issue(long userId, long activityId, long itemId, long notAfterMillis) {
		long expiresAt = Math.min(this.clock.millis() + this.settings.ttl().toMillis(), notAfterMillis);
		byte[] random = new byte[12];
		ThreadLocalRandom.current().nextBytes(random);
		String id = BASE64.encodeToString(random);
		String body = this.signingKeyId + '.' + userId + '.' + activityId + '.' + itemId + '.' + expiresAt + '.' + id;
		return new Issued(body + '.' + BASE64.encodeToString(sign(this.macs.get(this.signingKeyId), body)), expiresAt,
				id);
	}

	/**
	 * The token's claims if it is well formed, signed by a known key, unexpired and
	 * issued for exactly this shopper, activity and item; otherwise the rejection, in
	 * that order of checks (a forged token is INVALID even if it also looks expired).
	 */
	Claims verify(String token, long userId, long activityId, long itemId) {
		if (token.length() > MAX_LENGTH) {
			throw new ApiException(ErrorCode.PURCHASE_TOKEN_INVALID);
		}
		String[] parts = token.split("\\.", -1);
		if (parts.length != 7) {
			throw new ApiException(ErrorCode.PURCHASE_TOKEN_INVALID);
		}
		ThreadLocal<Mac> mac = this.macs.get(parts[0]);
		if (mac == null) {
			throw new ApiException(ErrorCode.PURCHASE_TOKEN_INVALID, "The purchase token's key is unknown");
		}
		int lastDot = token.lastIndexOf('.');
		byte[] signature;
		try {
			signature = BASE64_DECODER.decode(parts[6]);
		}
		catch (IllegalArgumentException ex) {
			throw new ApiException(ErrorCode.PURCHASE_TOKEN_INVALID);
		}
		if (!MessageDigest.isEqual(signature, sign(mac, token.substring(0, lastDot)))) {
			throw new ApiException(ErrorCode.PURCHASE_TOKEN_INVALID);
		}
		Claims claims;
		try {
			claims = new Claims(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]),
					Long.parseLong(parts[4]), parts[5]);
		}
		catch (NumberFormatException ex) {
			// Signed by us, so this cannot happen unless a key leaked; still no 500.
			throw new ApiException(ErrorCode.PURCHASE_TOKEN_INVALID);
		}
		if (claims.userId() != userId || claims.activityId() != activityId || claims.itemId() != itemId) {
			throw new ApiException(ErrorCode.PURCHASE_TOKEN_FOREIGN);
		}
		// Last: EXPIRED then means an authentic token of this very purchase, which may
		// still replay its first answer.
		if (this.clock.millis() >= claims.expiresAtMillis()) {
			throw new ApiException(ErrorCode.PURCHASE_TOKEN_EXPIRED);
		}
		return claims;
	}

	/**
	 * A waiting-room pass: {@code keyId.P.user.activity.expiresAtMillis.signature},
	 * signed with the purchase tokens' keys over a text no token has (the {@code P} and
	 * the field count), so neither passes for the other.
	 */
	String issuePass(long userId, long activityId, long expiresAtMillis) {
		String body = this.signingKeyId + ".P." + userId + '.' + activityId + '.' + expiresAtMillis;
		return body + '.' + BASE64.encodeToString(sign(this.macs.get(this.signingKeyId), body));
	}

	/**
	 * The expiry of the pass a request brings in {@code header} (the
	 * {@value PurchaseTokenHandler#PASS_HEADER} header, or null) for a sale with a
	 * waiting room: PASS_REQUIRED without one, else as {@link #verifyPass}; no bound
	 * ({@link Long#MAX_VALUE}) for a sale without a waiting room.
	 */
	long passExpiry(String header, SaleRules rules, long userId) {
		if (rules.waitingRoom() == null) {
			return Long.MAX_VALUE;
		}
		if (header == null || header.isEmpty()) {
			throw new ApiException(ErrorCode.WAITING_ROOM_PASS_REQUIRED);
		}
		return verifyPass(header, userId, rules.activityId());
	}

	/**
	 * Checks a pass for this shopper and sale, in memory: INVALID (malformed, forged),
	 * FOREIGN (another shopper's or sale's), EXPIRED, in that order; the expiry when
	 * good.
	 */
	long verifyPass(String pass, long userId, long activityId) {
		if (pass.length() > MAX_LENGTH) {
			throw new ApiException(ErrorCode.WAITING_ROOM_PASS_INVALID);
		}
		String[] parts = pass.split("\\.", -1);
		ThreadLocal<Mac> mac = (parts.length == 6 && parts[1].equals("P")) ? this.macs.get(parts[0]) : null;
		if (mac == null) {
			throw new ApiException(ErrorCode.WAITING_ROOM_PASS_INVALID);
		}
		byte[] signature;
		try {
			signature = BASE64_DECODER.decode(parts[5]);
		}
		catch (IllegalArgumentException ex) {
			throw new ApiException(ErrorCode.WAITING_ROOM_PASS_INVALID);
		}
		if (!MessageDigest.isEqual(signature, sign(mac, pass.substring(0, pass.lastIndexOf('.'))))) {
			throw new ApiException(ErrorCode.WAITING_ROOM_PASS_INVALID);
		}
		long passUser;
		long passActivity;
		long expiresAt;
		try {
			passUser = Long.parseLong(parts[2]);
			passActivity = Long.parseLong(parts[3]);
			expiresAt = Long.parseLong(parts[4]);
		}
		catch (NumberFormatException ex) {
			throw new ApiException(ErrorCode.WAITING_ROOM_PASS_INVALID);
		}
		if (passUser != userId || passActivity != activityId) {
			throw new ApiException(ErrorCode.WAITING_ROOM_PASS_FOREIGN);
		}
		if (this.clock.millis() >= expiresAt) {
			throw new ApiException(ErrorCode.WAITING_ROOM_PASS_EXPIRED);
		}
		return expiresAt;
	}

	private static byte[] sign(ThreadLocal<Mac> mac, String body) {
		byte[] full = mac.get().doFinal(body.getBytes(StandardCharsets.UTF_8));
		byte[] truncated = new byte[SIGNATURE_BYTES];
		System.arraycopy(full, 0, truncated, 0, SIGNATURE_BYTES);
		return truncated;
	}

}
