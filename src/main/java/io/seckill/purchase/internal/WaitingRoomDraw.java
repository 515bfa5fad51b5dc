package io.seckill.purchase.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The draw of a waiting room's early arrivals: each shopper who joined before the start
 * is placed by {@code HMAC-SHA256(seed, shopper id)}, its first 52 bits as an integer
 * (exact in a Redis score), so the order depends on the seed alone and not on when anyone
 * joined. The seed is the sale's, secret until the start; its SHA-256 (the commitment) is
 * shown before, the seed itself to admins after, so anyone can recompute the order and
 * check that the line followed it.
 */
final class WaitingRoomDraw {

	/** Each sale's commitment, asked for in every place answer. */
	private static final Map<String, String> COMMITMENTS = new ConcurrentHashMap<>();

	private WaitingRoomDraw() {
	}

	/** The shopper's place in the draw: lower is earlier, below 2^52. */
	static long score(String seedHex, long userId) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(HexFormat.of().parseHex(seedHex), "HmacSHA256"));
			byte[] digest = mac.doFinal(Long.toString(userId).getBytes(StandardCharsets.US_ASCII));
			long first = 0;
			for (int i = 0; i < 8; i++) {
				first = (first << 8) | (digest[i] & 0xff);
			}
			return first >>> 12;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** SHA-256 of the seed's bytes, hex: what the seed must hash to once shown. */
	static String commitment(String seedHex) {
		String known = COMMITMENTS.get(seedHex);
		if (known != null) {
			return known;
		}
		if (COMMITMENTS.size() > 10_000) {
			COMMITMENTS.clear();
		}
		String computed = sha256(seedHex);
		COMMITMENTS.put(seedHex, computed);
		return computed;
	}

	private static String sha256(String seedHex) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(HexFormat.of().parseHex(seedHex)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
