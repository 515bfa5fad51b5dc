package io.seckill.purchase.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Runs {@code lua/admission.lua}: one Redis round trip per batch of purchases. The script
 * text is read once and called by SHA (EVALSHA); after a Redis restart or failover forgot
 * it, the first NOSCRIPT reloads it.
 */
@Component
class RedisAdmission {

	private static final int SHARED_KEYS = 5;

	private static final int KEYS_PER_REQUEST = 6;

	private static final int SHARED_ARGS = 7;

	private static final int ARGS_PER_REQUEST = 6;

	static final String SCRIPT_CALLS = "seckill.admission.scripts";

	static final String ADMISSIONS_IN_SCRIPTS = "seckill.admission.requests";

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

	private final Counter admissions;

	private final Map<Long, CoalescedCalls<Attempt, Outcome>> batches = new ConcurrentHashMap<>();

	private final Map<Long, CoalescedCalls<String, Replay>> replays = new ConcurrentHashMap<>();

	private final ReplicaAcks acks;

	private final Counter unacknowledged;

	private final Clock clock;

	RedisAdmission(ReactiveStringRedisTemplate redis, RedisKeys keys, PurchaseSettings settings, MeterRegistry meters,
			Clock clock, ReplicaAcks acks) {
		this.clock = clock;
		this.acks = acks;
		this.unacknowledged = Counter.builder("seckill.admission.unacknowledged")
			.description("Admission batches whose replica acknowledgements did not come in time "
					+ "(their purchases were answered UNAVAILABLE with their tickets)")
			.register(meters);
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
			.description("Admission script calls sent to Redis (each admits a batch of purchases)")
			.register(meters);
		this.admissions = Counter.builder(ADMISSIONS_IN_SCRIPTS)
			.description("Purchases judged by the admission script (those that passed the in-memory checks)")
			.register(meters);
	}

	/** Who asks for what: the inputs of one admission. */
	record Attempt(long activityId, long itemId, long userId, String idempotencyKey, String newTicket,
			PurchaseTokens.Claims token, String clientAddress) {
	}

	/**
	 * Admits one unit of the attempt's item for its user, or says why not.
	 * {@code idempotencyKey} is the client's key, or {@code null}; {@code token} the
	 * verified purchase token, or {@code null} when tokens are not required. Requests of
	 * one activity that arrive while its earlier calls are in flight share one script
	 * call ({@link CoalescedCalls}).
	 */
	Mono<Outcome> admit(Attempt attempt) {
		return this.batches.computeIfAbsent(attempt.activityId(), (activity) -> coalesced(this::admitAll))
			.call(attempt);
	}

	private <I, O> CoalescedCalls<I, O> coalesced(Function<List<I>, Mono<List<O>>> call) {
		return new CoalescedCalls<>(this.settings.batchSize(), this.settings.batchesInFlight(),
				this.settings.batchQueueLimit(), this.settings.batchWaitLimit(), call);
	}

	/**
	 * One script call for {@code attempts} (all of one activity), answers in order. What
	 * the requests share (the activity's keys and the node's settings) is sent once; see
	 * the layout in {@code lua/admission.lua}.
	 */
	Mono<List<Outcome>> admitAll(List<Attempt> attempts) {
		long activityId = attempts.get(0).activityId();
		int n = attempts.size();
		ByteBuffer[] keysAndArgs = new ByteBuffer[SHARED_KEYS + KEYS_PER_REQUEST * n + SHARED_ARGS
				+ ARGS_PER_REQUEST * n];
		int keyCount = SHARED_KEYS + KEYS_PER_REQUEST * n;
		keysAndArgs[0] = key(this.keys.meta(activityId));
		keysAndArgs[1] = key(this.keys.stock(activityId));
		keysAndArgs[2] = key(this.keys.limits(activityId));
		keysAndArgs[3] = key(this.keys.orders(activityId));
		keysAndArgs[4] = key(this.keys.lineOutstanding(activityId));
		int a = keyCount;
		keysAndArgs[a] = key(Integer.toString(n));
		keysAndArgs[a + 1] = key(Long.toString(activityId));
		keysAndArgs[a + 2] = ByteBuffer.wrap(this.rateLimit);
		keysAndArgs[a + 3] = ByteBuffer.wrap(this.rateWindow);
		keysAndArgs[a + 4] = ByteBuffer.wrap(this.idempotencyTtl);
		keysAndArgs[a + 5] = ByteBuffer.wrap(this.ticketTtl);
		keysAndArgs[a + 6] = ByteBuffer.wrap(this.ipRateLimit);
		for (int r = 0; r < n; r++) {
			addAttempt(attempts.get(r), keysAndArgs, SHARED_KEYS + r * KEYS_PER_REQUEST,
					keyCount + SHARED_ARGS + r * ARGS_PER_REQUEST);
		}
		this.scriptCalls.increment();
		this.admissions.increment(n);
		if (this.acks.enabled()) {
			return runAcknowledged(keysAndArgs, keyCount, this.keys.ackProbe(activityId))
				.map((acked) -> acknowledged(toOutcomes(acked.result()), acked.acknowledged()));
		}
		return this.redis
			.execute(
					(connection) -> connection.scriptingCommands()
						.<Object>evalSha(this.sha, ReturnType.MULTI, keyCount, duplicates(keysAndArgs))
						.onErrorResume(RedisAdmission::isNoScript, (ex) -> connection.scriptingCommands()
							.eval(ByteBuffer.wrap(this.script), ReturnType.MULTI, keyCount, duplicates(keysAndArgs))))
			.collectList()
			.map(RedisAdmission::toOutcomes);
	}

	/**
	 * The script on Lettuce's own commands (the acknowledged connection), by SHA or text.
	 * A NOSCRIPT fails the whole pipeline, which is sent again with the text, so the
	 * probe and WAIT always follow the script that ran.
	 */
	private Mono<ReplicaAcks.Acked<List<Object>>> runAcknowledged(ByteBuffer[] keysAndArgs, int keyCount,
			String probeKey) {
		return this.acks.run((commands) -> script(commands, keysAndArgs, keyCount, false), probeKey)
			.onErrorResume(RedisAdmission::isNoScript,
					(ex) -> this.acks.run((commands) -> script(commands, keysAndArgs, keyCount, true), probeKey));
	}

	private Mono<List<Object>> script(RedisReactiveCommands<ByteBuffer, ByteBuffer> commands, ByteBuffer[] keysAndArgs,
			int keyCount, boolean byText) {
		ByteBuffer[] all = duplicates(keysAndArgs);
		ByteBuffer[] scriptKeys = java.util.Arrays.copyOfRange(all, 0, keyCount);
		ByteBuffer[] scriptArgs = java.util.Arrays.copyOfRange(all, keyCount, all.length);
		return (byText ? commands.<Object>eval(this.script, ScriptOutputType.MULTI, scriptKeys, scriptArgs)
				: commands.<Object>evalsha(this.sha, ScriptOutputType.MULTI, scriptKeys, scriptArgs))
			.collectList();
	}

	/**
	 * Outcomes as they may be told: without the replicas' acknowledgement an admission
	 * (or a replay of one) could still be lost, so it is not told QUEUED.
	 */
	private List<Outcome> acknowledged(List<Outcome> outcomes, boolean acknowledged) {
		if (acknowledged) {
			return outcomes;
		}
		this.unacknowledged.increment();
		List<Outcome> told = new ArrayList<>(outcomes.size());
		for (Outcome outcome : outcomes) {
			if (outcome instanceof Outcome.Queued queued) {
				told.add(new Outcome.Unacknowledged(queued.ticket()));
			}
			else if (outcome instanceof Outcome.Replayed replayed) {
				told.add(new Outcome.Unacknowledged(replayed.ticket()));
			}
			else {
				told.add(outcome);
			}
		}
		return told;
	}

	/** The request's own keys at {@code k} and arguments at {@code a}. */
	private void addAttempt(Attempt attempt, ByteBuffer[] keysAndArgs, int k, int a) {
		long activityId = attempt.activityId();
		long userId = attempt.userId();
		String idempotencyKey = attempt.idempotencyKey();
		boolean keyed = idempotencyKey != null;
		String tokenId = (attempt.token() != null) ? attempt.token().id() : "";
		// The record must outlive the token on every node, so a late reuse still finds it
		// (the margin covers clock differences between nodes).
		long tokenRecordTtl = (attempt.token() != null)
				? Math.max(0, attempt.token().expiresAtMillis() - this.clock.millis()) + 5 * 60_000 : 1;
		keysAndArgs[k] = key(this.keys.buyers(activityId, attempt.itemId()));
		keysAndArgs[k + 1] = keyed ? key(this.keys.requestKey(activityId, userId, idempotencyKey))
				: keysAndArgs[0].duplicate();
		keysAndArgs[k + 2] = key(this.keys.ticket(activityId, attempt.newTicket()));
		keysAndArgs[k + 3] = key(this.keys.rate(activityId, userId));
		keysAndArgs[k + 4] = key(this.keys.purchaseToken(activityId, tokenId));
		keysAndArgs[k + 5] = key(this.keys.ipRate(activityId, attempt.clientAddress()));
		keysAndArgs[a] = key(Long.toString(userId));
		keysAndArgs[a + 1] = key(Long.toString(attempt.itemId()));
		keysAndArgs[a + 2] = key(attempt.newTicket());
		keysAndArgs[a + 3] = key(tokenId);
		keysAndArgs[a + 4] = key(Long.toString(tokenRecordTtl));
		keysAndArgs[a + 5] = key(keyed ? idempotencyKey : "");
	}

	/**
	 * The ticket a client's key was first answered with, if the key is known (a replay).
	 * After a sell-out most requests end here: the lookups of one activity that arrive
	 * together share one MGET (the keys share the activity's hash tag).
	 */
	Mono<Replay> ticketFor(long activityId, long userId, String idempotencyKey) {
		return this.replays
			.computeIfAbsent(activityId, (activity) -> coalesced((requestKeys) -> firstTickets(activity, requestKeys)))
			.call(this.keys.requestKey(activityId, userId, idempotencyKey));
	}

	/**
	 * A known key's first ticket, and whether it may be told (an unknown key has none).
	 */
	record Replay(String ticket, boolean acknowledged) {
	}

	private Mono<List<Replay>> firstTickets(long activityId, List<String> requestKeys) {
		return this.redis.opsForValue().multiGet(requestKeys).flatMap((tickets) -> {
			if (!this.acks.enabled() || tickets.stream().allMatch(java.util.Objects::isNull)) {
				return Mono.just(replays(tickets, true));
			}
			// Found keys are told only once the replicas have everything up to a probe
			// written
			// after this read, which covers their first admission, whichever node made
			// it.
			return this.acks.run((commands) -> Mono.just(Boolean.TRUE), this.keys.ackProbe(activityId))
				.map(ReplicaAcks.Acked::acknowledged)
				.onErrorReturn(false)
				.map((acknowledged) -> replays(tickets, acknowledged));
		});
	}

	/** One replay per found ticket, {@code null} (an empty answer) for an unknown key. */
	private static List<Replay> replays(List<String> tickets, boolean acknowledged) {
		return tickets.stream().map((ticket) -> (ticket != null) ? new Replay(ticket, acknowledged) : null).toList();
	}

	private static List<Outcome> toOutcomes(List<Object> reply) {
		List<?> values = (reply.size() == 1 && reply.get(0) instanceof List<?> nested) ? nested : reply;
		List<Outcome> outcomes = new ArrayList<>(values.size() / 3);
		for (int i = 0; i + 2 < values.size(); i += 3) {
			outcomes.add(Outcome.parse(text(values.get(i)), text(values.get(i + 1)), number(values.get(i + 2))));
		}
		return outcomes;
	}

	private static long number(Object value) {
		return (value instanceof Number n) ? n.longValue() : Long.parseLong(text(value));
	}

	private static String text(Object value) {
		if (value instanceof ByteBuffer buffer) {
			// String's own decoder: no CharsetDecoder and CharBuffer per value.
			byte[] bytes = new byte[buffer.remaining()];
			buffer.duplicate().get(bytes);
			return new String(bytes, StandardCharsets.UTF_8);
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
