package io.seckill.order.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.seckill.order.internal.JdbcDeadLetterActions.DeadLetterAction;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.OrderStreamRecord;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

/**
 * What an admin does with a dead-lettered purchase: replay it (back into the order
 * stream, taking its unit and its buyer's slot in Redis again, see
 * {@code replay-dead-letter.lua}) once the cause is fixed, or discard it with a reason.
 * Every action on an existing entry is audited in {@code dead_letter_actions}: the row is
 * written before Redis is touched and completed with the outcome after, so an action
 * whose completion was lost (the node died, the database went away) still shows as asked
 * for ({@code PENDING}, or {@code UNKNOWN} when Redis failed mid-call). Blocking.
 */
@Service
class DeadLetterRecovery {

	static final String REPLAY = "REPLAY";

	static final String DISCARD = "DISCARD";

	static final String REPLAYED = "REPLAYED";

	static final String DISCARDED = "DISCARDED";

	static final String UNKNOWN = "UNKNOWN";

	private static final Pattern ENTRY_ID = Pattern.compile("\\d{1,19}-\\d{1,19}");

	private static final Log log = LogFactory.getLog(DeadLetterRecovery.class);

	private final StringRedisTemplate redis;

	private final RedisKeys keys;

	private final JdbcDeadLetterActions actions;

	private final String ticketTtl;

	private final RedisScript<String> replay = RedisScript.of(LuaScripts.text("replay-dead-letter.lua"), String.class);

	DeadLetterRecovery(StringRedisTemplate redis, RedisKeys keys, JdbcDeadLetterActions actions,
			WriterSettings settings) {
		this.redis = redis;
		this.keys = keys;
		this.actions = actions;
		this.ticketTtl = Long.toString(settings.ticketTtl().toMillis());
	}

	DeadLetterAction replay(long activityId, String entryId, String reason, String admin) {
		Map<String, String> fields = entry(activityId, entryId);
		String ticket = fields.get(OrderStreamRecord.TICKET);
		long id = this.actions.begin(activityId, entryId, REPLAY, ticket, reason, admin);
		OrderStreamRecord request;
		try {
			request = OrderStreamRecord.from(fields);
		}
		catch (IllegalArgumentException ex) {
			return refuse(id, ErrorCode.DEAD_LETTER_NOT_REPLAYABLE);
		}
		if (request.activityId() != activityId) {
			return refuse(id, ErrorCode.DEAD_LETTER_NOT_REPLAYABLE);
		}
		// Written already (another entry of the same ticket was replayed, and its ticket
		// state has expired since): a replay would take a unit and a slot the writer then
		// gives no order for.
		if (this.actions.orderExists(request.ticket())) {
			return refuse(id, ErrorCode.DEAD_LETTER_NOT_REPLAYABLE);
		}
		String orders = this.keys.orders(activityId);
		// In the workers' set before the entry is in the stream (and again after): a sale
		// that ended a while ago may have left it, and the workers read only its streams.
		this.redis.opsForSet().add(this.keys.orderStreams(), orders);
		String outcome = carryOut(id,
				() -> this.redis.execute(this.replay,
						List.of(this.keys.deadLetters(activityId), orders, this.keys.stock(activityId),
								this.keys.limits(activityId), this.keys.buyers(activityId, request.itemId()),
								this.keys.ticket(activityId, request.ticket())),
						entryId, request.ticket(), Long.toString(activityId), Long.toString(request.itemId()),
						Long.toString(request.userId()), this.ticketTtl));
		ErrorCode refused = refusal(outcome);
		this.actions.finish(id,
				(refused == null) ? outcome : (refused == ErrorCode.INTERNAL_ERROR) ? UNKNOWN : refused.name());
		if (refused != null) {
			throw new ApiException(refused);
		}
		this.redis.opsForSet().add(this.keys.orderStreams(), orders);
		log.info("Admin " + admin + " replayed dead letter " + entryId + " (ticket " + ticket + ") of activity "
				+ activityId + ": " + reason);
		return this.actions.find(id);
	}

	DeadLetterAction discard(long activityId, String entryId, String reason, String admin) {
		Map<String, String> fields = entry(activityId, entryId);
		long id = this.actions.begin(activityId, entryId, DISCARD, fields.get(OrderStreamRecord.TICKET), reason, admin);
		String outcome = carryOut(id, () -> {
			Long deleted = this.redis.opsForStream().delete(this.keys.deadLetters(activityId), entryId);
			return (deleted != null && deleted > 0) ? DISCARDED : ErrorCode.NOT_FOUND.name();
		});
		if (!DISCARDED.equals(outcome)) {
			return refuse(id, ErrorCode.NOT_FOUND);
		}
		this.actions.finish(id, DISCARDED);
		log.info("Admin " + admin + " discarded dead letter " + entryId + " of activity " + activityId + ": " + reason);
		return this.actions.find(id);
	}

	List<DeadLetterAction> recent(long activityId) {
		return this.actions.recent(activityId, DeadLetterController.SHOWN);
	}

	/**
	 * The entry's fields; NOT_FOUND (nothing recorded: there is nothing to act on) when
	 * the sale has no such dead letter.
	 */
	private Map<String, String> entry(long activityId, String entryId) {
		if (!ENTRY_ID.matcher(entryId).matches()) {
			throw new ApiException(ErrorCode.NOT_FOUND);
		}
		List<MapRecord<String, Object, Object>> found = this.redis.opsForStream()
			.range(this.keys.deadLetters(activityId), Range.closed(entryId, entryId), Limit.limit().count(1));
		if (found == null || found.isEmpty()) {
			throw new ApiException(ErrorCode.NOT_FOUND);
		}
		Map<String, String> fields = new HashMap<>();
		found.get(0).getValue().forEach((key, value) -> fields.put((String) key, (String) value));
		return fields;
	}

	/**
	 * Runs the Redis side; when it fails the outcome is not known, and the row says so.
	 */
	private String carryOut(long id, Supplier<String> call) {
		try {
			return call.get();
		}
		catch (RuntimeException ex) {
			this.actions.finish(id, UNKNOWN);
			throw ex;
		}
	}

	private DeadLetterAction refuse(long id, ErrorCode code) {
		this.actions.finish(id, code.name());
		throw new ApiException(code);
	}

	/** The refusal a script answer stands for; {@code null} for REPLAYED. */
	private static ErrorCode refusal(String outcome) {
		return switch (String.valueOf(outcome)) {
			case REPLAYED -> null;
			case "NOT_FOUND" -> ErrorCode.NOT_FOUND;
			case "NOT_REPLAYABLE" -> ErrorCode.DEAD_LETTER_NOT_REPLAYABLE;
			case "ENDED" -> ErrorCode.ENDED;
			case "SOLD_OUT" -> ErrorCode.SOLD_OUT;
			case "LIMIT_REACHED" -> ErrorCode.LIMIT_REACHED;
			// Not one of the script's answers: whether it acted is not known.
			default -> ErrorCode.INTERNAL_ERROR;
		};
	}

}
