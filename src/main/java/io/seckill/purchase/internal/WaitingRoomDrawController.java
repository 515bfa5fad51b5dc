package io.seckill.purchase.internal;

import java.time.Instant;
import java.util.List;

import io.seckill.activity.SaleCatalog;
import io.seckill.activity.SaleRules;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A waiting room seen by an admin: the line's figures and its head in order. While the
 * draw is open, counts and the draw's commitment (the seed's SHA-256) only; once it is
 * closed (the first admission round from the start on) the seed and the order too, so the
 * order of those drawn can be recomputed from the seed alone
 * ({@code HMAC-SHA256(seed, shopper id)}, first 52 bits, ascending) and checked against
 * the line.
 */
@RestController
@Validated
class WaitingRoomDrawController {

	private final SaleCatalog catalog;

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final WaitingRoomLine line;

	WaitingRoomDrawController(SaleCatalog catalog, ReactiveStringRedisTemplate redis, RedisKeys keys,
			WaitingRoomLine line) {
		this.catalog = catalog;
		this.redis = redis;
		this.keys = keys;
		this.line = line;
	}

	@Operation(operationId = "waitingRoomDraw",
			summary = "A sale's waiting room: its figures, the draw's commitment, and once the draw is closed its seed and the first places of the line in order")
	@GetMapping("/api/v1/admin/activities/{id}/waiting-room")
	Mono<Draw> draw(@PathVariable long id, @RequestParam(defaultValue = "100") @Min(0) @Max(10_000) int places) {
		return this.catalog.find(id).flatMap((found) -> {
			if (found.isEmpty() || found.get().waitingRoom() == null) {
				return Mono.error(new ApiException(ErrorCode.NOT_FOUND, "This sale has no waiting room"));
			}
			SaleRules rules = found.get();
			return this.line.freshState(id).flatMap((state) -> {
				// While the draw is open its order is as secret as the seed: counts only.
				Mono<List<Place>> head = (places == 0 || !state.closed()) ? Mono.just(List.of())
						: head(this.keys.lineDrawn(id), places, true)
							.concatWith(head(this.keys.lineLate(id), places, false))
							.take(places)
							.collectList();
				return head.map((line) -> new Draw(id, Instant.ofEpochMilli(rules.startsAtMillis()),
						WaitingRoomDraw.commitment(rules.waitingRoom().seed()),
						state.closed() ? rules.waitingRoom().seed() : null, state.closed(), state.drawn(), state.late(),
						state.cursor(), state.outstanding(), state.free(), state.admittedPerSecond(),
						rules.waitingRoom().admitPerSecond(), line));
			});
		});
	}

	private Flux<Place> head(String key, int places, boolean drawn) {
		return this.redis.opsForZSet()
			.rangeWithScores(key, Range.closed(0L, places - 1L))
			.map((TypedTuple<String> entry) -> new Place(Long.parseLong(entry.getValue()), drawn,
					entry.getScore().longValue()));
	}

	/**
	 * A waiting room's figures: the places admitted so far ({@code admitted}), the passes
	 * still outstanding, the units the line can still be served, and the head of the
	 * line.
	 */
	record Draw(long activityId, Instant startsAt, String commitment, @Schema(nullable = true,
			description = "The draw's seed (hex) once the draw is closed (the first admission round from the start on); null before") String seed,
			boolean closed, long drawn, long late, long admitted, long outstanding, long free, double admittedPerSecond,
			int admitPerSecond, List<Place> head) {
	}

	/**
	 * One place: the shopper; {@code drawn} with its draw score, else a late arrival with
	 * its arrival number.
	 */
	record Place(long userId, boolean drawn, long score) {
	}

}
