package io.seckill.purchase.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Runs {@code lua/admission.lua}: one Redis round trip per purchase. The script text is
 * read once and called by SHA (EVALSHA); after a Redis restart or failover forgot it, the
 * first NOSCRIPT reloads it.
 */
@Component
class RedisAdmission {

	private static final int KEY_COUNT = 10;

	static final String SCRIPT_CALLS = "seckill.admission.scripts";

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final PurchaseSettings settings;

	private final byte[] script;

	private final String sha;

	private final byte[] rateLimit;

	private final byte[] rateWindow;

	private final byte[] idempotencyTtl;

	private final byte[] ticketTtl;

	private final byte[] ipRateLimit;

	private final Counter scriptCalls;

	RedisAdmission(ReactiveStringRedisTemplate redis, RedisKeys keys, PurchaseSettings settings, MeterRegistry meters) {
		this.redis = redis;
		this.keys = keys;
		this.settings = settings;
		this.script = LuaScripts.text("admission.lua").getBytes(StandardCharsets.UTF_8);
		this.sha = sha1Hex(this.script);
		this.rateLimit = ascii(Integer.toString(settings.rateLimit()));
		this.rateWindow = ascii(Long.toString(settings.rateWindow().toMillis()));
		this.idempotencyTtl = ascii(Long.toString(settings.idempotencyTtl().toMillis()));
		this.ticketTtl = ascii(Long.toString(settings.ticketTtl().toMillis()));
		this.ipRateLimit = ascii(Integer.toString(settings.ipRateLimit()));
		this.scriptCalls = Counter.builder(SCRIPT_CALLS)
			.description("Admission scripts run in Redis (every purchase that passed the in-memory checks)")
			.register(meters);
	}

	/** Who asks for what: the inputs of one admission. */
	record Attempt(long activityId, long itemId, long userId, String idempotencyKey, String newTicket,
			PurchaseTokens.Claims token, String clientAddress) {
	}

	/**
	 * Admits one unit of the attempt's item for its user, or says why not.
	 * {@code idempotencyKey} is the client's key, or {@code null}; {@code token} the
	 * verified purchase token, or {@code null} when tokens are not required.
	 */
	Mono<Outcome> admit(Attempt attempt) {
		long activityId = attempt.activityId();
		long itemId = attempt.itemId();
		long userId = attempt.userId();
		String idempotencyKey = attempt.idempotencyKey();
		String newTicket = attempt.newTicket();
		boolean keyed = idempotencyKey != null;
		String tokenId = (attempt.token() != null) ? attempt.token().id() : "";
		// The record must outlive the token, so a late reuse still finds it.
		long tokenRecordTtl = (attempt.token() != null)
				? Math.max(0, attempt.token().expiresAtMillis() - System.currentTimeMillis()) + 60_000 : 1;
		ByteBuffer[] keysAndArgs = { key(this.keys.meta(activityId)), key(this.keys.stock(activityId)),
				key(this.keys.limits(activityId)), key(this.keys.buyers(activityId, itemId)),
				key(keyed ? this.keys.requestKey(activityId, userId, idempotencyKey) : this.keys.meta(activityId)),
				key(this.keys.ticket(activityId, newTicket)), key(this.keys.orders(activityId)),
				key(this.keys.rate(activityId, userId)), key(this.keys.purchaseToken(activityId, tokenId)),
				key(this.keys.ipRate(activityId, attempt.clientAddress())), key(Long.toString(userId)),
				key(Long.toString(itemId)), key(newTicket), key(Long.toString(activityId)),
				ByteBuffer.wrap(keyed ? ONE : ZERO), ByteBuffer.wrap(this.rateLimit), ByteBuffer.wrap(this.rateWindow),
				ByteBuffer.wrap(this.idempotencyTtl), ByteBuffer.wrap(this.ticketTtl), key(tokenId),
				key(Long.toString(tokenRecordTtl)), ByteBuffer.wrap(this.ipRateLimit),
				key(keyed ? idempotencyKey : "") };
		this.scriptCalls.increment();
		return this.redis
			.execute(
					(connection) -> connection.scriptingCommands()
						.<Object>evalSha(this.sha, ReturnType.MULTI, KEY_COUNT, duplicates(keysAndArgs))
						.onErrorResume(RedisAdmission::isNoScript, (ex) -> connection.scriptingCommands()
							.eval(ByteBuffer.wrap(this.script), ReturnType.MULTI, KEY_COUNT, duplicates(keysAndArgs))))
			.collectList()
			.map(RedisAdmission::toOutcome);
	}

	/**
	 * The ticket a client's key was first answered with, if the key is known (a replay).
	 */
	Mono<String> ticketFor(long activityId, long userId, String idempotencyKey) {
		return this.redis.opsForValue().get(this.keys.requestKey(activityId, userId, idempotencyKey));
	}

	private static Outcome toOutcome(List<Object> reply) {
		List<?> values = (reply.size() == 1 && reply.get(0) instanceof List<?> nested) ? nested : reply;
		return Outcome.parse(text(values.get(0)), text(values.get(1)), number(values.get(2)));
	}

	private static long number(Object value) {
		return (value instanceof Number n) ? n.longValue() : Long.parseLong(text(value));
	}

	private static String text(Object value) {
		if (value instanceof ByteBuffer buffer) {
			return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
		}
		if (value instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		return String.valueOf(value);
	}

	private static boolean isNoScript(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause.getMessage() != null && cause.getMessage().contains("NOSCRIPT")) {
				return true;
			}
		}
		return false;
	}

	// Buffers are consumed when written; a NOSCRIPT retry needs fresh views of the same
	// bytes.
	private static ByteBuffer[] duplicates(ByteBuffer[] buffers) {
		ByteBuffer[] copy = new ByteBuffer[buffers.length];
		for (int i = 0; i < buffers.length; i++) {
			copy[i] = buffers[i].duplicate();
		}
		return copy;
	}

	private static final byte[] ONE = ascii("1");

	private static final byte[] ZERO = ascii("0");

	private static ByteBuffer key(String value) {
		return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
	}

	private static byte[] ascii(String value) {
		return value.getBytes(StandardCharsets.US_ASCII);
	}

	private static String sha1Hex(byte[] bytes) {
		try {
			byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(bytes);
			StringBuilder hex = new StringBuilder(40);
			for (byte b : digest) {
				hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
			}
			return hex.toString();
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
