package io.seckill.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a secret or password must be outside the demo. Every value this project publishes
 * (in its README, docs, scripts and demo: {@code seckill/published-values.txt}, kept
 * complete by a test) is refused, so that copying an example never gives an attacker a
 * working key or password.
 */
public final class SecretPolicy {

	/** HMAC keys: at least this many bytes. */
	public static final int MIN_SECRET_BYTES = 32;

	/**
	 * Estimated bits a secret must carry (see {@link #estimatedBits}). The estimate is
	 * conservative: 32 random hexadecimal digits (128 bits) score 58 or more, so this
	 * refuses repeated and sequential values, not random ones. What is wanted is 32
	 * random bytes.
	 */
	public static final int MIN_SECRET_BITS = 56;

	/**
	 * Passwords an operator sets (the bootstrap admin's): at least this many characters.
	 */
	public static final int MIN_PASSWORD_LENGTH = 12;

	/** As listed. */
	private static final List<String> LISTED = load();

	/** Normalized, for lookups. */
	private static final Set<String> PUBLISHED = LISTED.stream()
		.map(SecretPolicy::normalized)
		.collect(Collectors.toUnmodifiableSet());

	private SecretPolicy() {
	}

	/**
	 * Refuses {@code value} of {@code setting} unless it is a long, random-looking value
	 * that appears nowhere in this project.
	 */
	public static void requireStrongSecret(String setting, String value) {
		String remedy = "Use a random value of at least " + MIN_SECRET_BYTES
				+ " bytes, the same on every node, e.g. the output of `openssl rand -base64 32`; "
				+ "pass it in the environment or a file, never on the command line.";
		if (value == null || value.isEmpty()) {
			throw new RefusedSetting(setting, "is not set", remedy);
		}
		int bytes = value.getBytes(StandardCharsets.UTF_8).length;
		if (bytes < MIN_SECRET_BYTES) {
			throw new RefusedSetting(setting, "is " + bytes + " bytes long, shorter than " + MIN_SECRET_BYTES, remedy);
		}
		if (estimatedBits(value) < MIN_SECRET_BITS) {
			throw new RefusedSetting(setting, "is too predictable (repeated or sequential characters)", remedy);
		}
		if (isPublished(value)) {
			throw new RefusedSetting(setting, "is an example value published in this project's docs", remedy);
		}
	}

	/**
	 * Refuses a password an operator configures when it is short or published (the demo
	 * admin's, the demo shoppers', the docs' examples).
	 */
	public static void requireOwnPassword(String setting, String value) {
		String remedy = "Choose a password of at least " + MIN_PASSWORD_LENGTH
				+ " characters that appears nowhere in the docs; pass it in the environment or a file.";
		if (isPublished(value)) {
			throw new RefusedSetting(setting, "is a password published in this project (the demo's or an example)",
					remedy);
		}
		if (value.length() < MIN_PASSWORD_LENGTH) {
			throw new RefusedSetting(setting, "is shorter than " + MIN_PASSWORD_LENGTH + " characters", remedy);
		}
		if (value.getBytes(StandardCharsets.UTF_8).length > 72) {
			throw new RefusedSetting(setting, "is longer than 72 bytes, all BCrypt reads of a password", remedy);
		}
	}

	/** Every value this project publishes, as listed. */
	public static List<String> publishedValues() {
		return LISTED;
	}

	/** Whether {@code value} is one this project publishes (case and spaces ignored). */
	public static boolean isPublished(String value) {
		return PUBLISHED.contains(normalized(value));
	}

	/**
	 * A conservative estimate of the randomness in {@code value}: the Shannon entropy of
	 * its characters times the number of characters that neither repeat nor continue a
	 * sequence of their predecessor ({@code aaaa}, {@code abcd}, {@code 4321} count one
	 * character each); a value made of one chunk repeated counts as that chunk.
	 */
	static double estimatedBits(String value) {
		String chunk = value.substring(0, period(value));
		Map<Integer, Integer> counts = new HashMap<>();
		chunk.codePoints().forEach((c) -> counts.merge(c, 1, Integer::sum));
		int[] codePoints = chunk.codePoints().toArray();
		double perCharacter = 0;
		for (int count : counts.values()) {
			double p = (double) count / codePoints.length;
			perCharacter -= p * Math.log(p) / Math.log(2);
		}
		int unpredictable = 0;
		for (int i = 0; i < codePoints.length; i++) {
			if (i == 0 || Math.abs(codePoints[i] - codePoints[i - 1]) > 1) {
				unpredictable++;
			}
		}
		return perCharacter * unpredictable;
	}

	/**
	 * The length of the shortest chunk that {@code value} repeats (its own length if
	 * none).
	 */
	private static int period(String value) {
		int n = value.length();
		int[] border = new int[n];
		for (int i = 1; i < n; i++) {
			int k = border[i - 1];
			while (k > 0 && value.charAt(i) != value.charAt(k)) {
				k = border[k - 1];
			}
			if (value.charAt(i) == value.charAt(k)) {
				k++;
			}
			border[i] = k;
		}
		int period = n - ((n > 0) ? border[n - 1] : 0);
		// Repeated at least twice, the last copy possibly cut short.
		return (period <= n / 2) ? period : n;
	}

	private static String normalized(String value) {
		return value.strip().toLowerCase(java.util.Locale.ROOT);
	}

	private static List<String> load() {
		try (InputStream in = SecretPolicy.class.getResourceAsStream("/seckill/published-values.txt")) {
			if (in == null) {
				throw new IllegalStateException("seckill/published-values.txt is missing from the classpath");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
				.map(String::strip)
				.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
