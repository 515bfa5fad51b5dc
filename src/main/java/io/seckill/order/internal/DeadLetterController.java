package io.seckill.order.internal;

import java.util.List;

import io.seckill.user.Shopper;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.seckill.order.internal.JdbcDeadLetterActions.DeadLetterAction;
import io.seckill.platform.redis.OrderStreamRecord;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.web.Blocking;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import reactor.core.publisher.Mono;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The purchases of a sale the order writer moved to its dead-letter stream (the database
 * refused them for a reason of their own, or they could not be read), for an admin to
 * inspect (what was asked and why it was refused), then replay once the cause is fixed or
 * discard with a reason ({@link DeadLetterRecovery}; audited). When an entry was moved
 * the shopper was told FAILED with INTERNAL_ERROR and the unit went back on sale; a
 * replay takes it again.
 */
@RestController
class DeadLetterController {

	static final int SHOWN = 100;

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final DeadLetterRecovery recovery;

	DeadLetterController(ReactiveStringRedisTemplate redis, RedisKeys keys, DeadLetterRecovery recovery) {
		this.redis = redis;
		this.keys = keys;
		this.recovery = recovery;
	}

	@Operation(operationId = "replayDeadLetter",
			summary = "Replay a dead-lettered purchase: back to the order writer, taking its unit again (audited)")
	@PostMapping("/api/v1/admin/activities/{id}/dead-letters/{entryId}/replay")
	Mono<DeadLetterAction> replay(@AuthenticationPrincipal Shopper admin, @PathVariable long id,
			@PathVariable String entryId, @Valid @RequestBody Why why) {
		return Blocking.call(() -> this.recovery.replay(id, entryId, why.reason(), admin.username()));
	}

	@Operation(operationId = "discardDeadLetter",
			summary = "Discard a dead-lettered purchase with a reason (audited); its shopper keeps the FAILED answer")
	@PostMapping("/api/v1/admin/activities/{id}/dead-letters/{entryId}/discard")
	Mono<DeadLetterAction> discard(@AuthenticationPrincipal Shopper admin, @PathVariable long id,
			@PathVariable String entryId, @Valid @RequestBody Why why) {
		return Blocking.call(() -> this.recovery.discard(id, entryId, why.reason(), admin.username()));
	}

	@Operation(operationId = "deadLetterActions",
			summary = "The replays and discards of a sale's dead letters, newest first (" + SHOWN + " at most)")
	@GetMapping("/api/v1/admin/activities/{id}/dead-letters/actions")
	Mono<List<DeadLetterAction>> actions(@PathVariable long id) {
		return Blocking.call(() -> this.recovery.recent(id));
	}

	/** Why an admin replays or discards a dead letter, kept in the audit. */
	record Why(@NotBlank @Size(max = 500) @Pattern(regexp = "[^\\p{Cntrl}]*",
			message = "must not hold control characters") String reason) {
	}

	@Operation(operationId = "deadLetters",
			summary = "A sale's dead-lettered purchases, oldest first (" + SHOWN + " at most) and how many there are")
	@GetMapping("/api/v1/admin/activities/{id}/dead-letters")
	Mono<DeadLetters> list(@PathVariable long id) {
		String stream = this.keys.deadLetters(id);
		Mono<Long> count = this.redis.opsForStream().size(stream).defaultIfEmpty(0L);
		Mono<List<DeadLetter>> entries = this.redis.opsForStream()
			.range(stream, Range.unbounded(), Limit.limit().count(SHOWN))
			.map(DeadLetter::of)
			.collectList();
		return Mono.zip(count, entries).map((both) -> new DeadLetters(id, both.getT1(), both.getT2()));
	}

	/** A sale's dead letters: how many, and the oldest of them. */
	record DeadLetters(long activityId, long count, List<DeadLetter> entries) {
	}

	/**
	 * One dead-lettered purchase: the stream entry's id, what it asked for, why it
	 * failed.
	 */
	record DeadLetter(String id, @Schema(nullable = true) String ticket, @Schema(nullable = true) String itemId,
			@Schema(nullable = true) String userId, @Schema(nullable = true) String slot,
			@Schema(nullable = true, description = "The database's or the reader's reason") String error) {

		static DeadLetter of(MapRecord<String, Object, Object> entry) {
			var fields = entry.getValue();
			return new DeadLetter(entry.getId().getValue(), text(fields.get(OrderStreamRecord.TICKET)),
					text(fields.get(OrderStreamRecord.ITEM)), text(fields.get(OrderStreamRecord.USER)),
					text(fields.get(OrderStreamRecord.SLOT)), text(fields.get(OrderStreamConsumer.DEAD_LETTER_REASON)));
		}

		private static String text(Object value) {
			return (value != null) ? value.toString() : null;
		}

	}

}
