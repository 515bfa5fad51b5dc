package io.seckill.purchase.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.seckill.activity.SaleRules;
import io.seckill.platform.redis.LuaScripts;
import io.seckill.platform.redis.RedisKeys;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * A sale's waiting room in Redis, as API nodes read it. A status answer needs two things:
 * the shopper's index in the line, fixed once the draw is closed (a node keeps it), and
 * the line's shared state (how far admission has got, the units left), which one read per
 * sale and node serves for half a second to every shopper polling that node (so the
 * figures are at most a second old; the admitter writes them once a second). A poll costs
 * no Redis call in the steady state: only a shopper's first poll on a node once the draw
 * has closed reads their place.
 */
@Component
class WaitingRoomLine {

	/** Where a shopper stands in the line. */
	record Place(boolean drawn, long rank) {

		/**
		 * Places before this one in the whole line (the drawn, then the late ones), given
		 * how many were drawn.
		 */
		long index(long drawnCount) {
			return this.drawn ? this.rank : drawnCount + this.rank;
		}

	}

	/**
	 * The line's shared figures: places admitted so far ({@code cursor}), units the line
	 * can still be served ({@code free}), passes not used yet ({@code outstanding}), its
	 * two parts' lengths, the measured admissions per second, and how many were drawn
	 * once the draw closed ({@code closedDrawn}; -1 while it is open: before the
	 * admitter's first round from the start on).
	 */
	record State(long cursor, long free, long outstanding, long drawn, long late, double admittedPerSecond,
			long closedDrawn) {

		long length() {
			return this.drawn + this.late;
		}

		/**
		 * The draw is over: ranks in it no longer move, and the figures are the
		 * admitter's.
		 */
		boolean closed() {
			return this.closedDrawn >= 0;
		}

	}

	/** A join's answer: whether the shopper is new in line, and whether drawn. */
	record Joined(boolean added, boolean drawn) {
	}

	private record Shopper(long activityId, long userId) {
	}

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final RedisScript<List<Object>> join = LuaScripts.returningList("join-line.lua");

	private final Cache<Shopper, Place> places = Caffeine.newBuilder()
		.maximumSize(500_000)
		.expireAfterAccess(Duration.ofMinutes(30))
		.build();

	/**
	 * Shoppers found not in line, for a second: polling a line one is not in costs one
	 * read a second per node, not two per poll.
	 */
	private final Cache<Shopper, Boolean> absent = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterWrite(Duration.ofSeconds(1))
		.build();

	private final Cache<Shopper, Long> passes = Caffeine.newBuilder()
		.maximumSize(200_000)
		.expireAfterWrite(Duration.ofMinutes(30))
		.build();

	private final AsyncLoadingCache<Long, State> states;

	WaitingRoomLine(ReactiveStringRedisTemplate redis, RedisKeys keys) {
		this.redis = redis;
		this.keys = keys;
		this.states = Caffeine.newBuilder()
			.maximumSize(1_000)
			.refreshAfterWrite(Duration.ofMillis(500))
			.expireAfterWrite(Duration.ofSeconds(1))
			.buildAsync((activityId, executor) -> freshState(activityId).toFuture());
	}

	/**
	 * Joins the shopper, once (again: the same place); empty when Redis no longer holds
	 * the sale.
	 */
	Mono<Optional<Joined>> join(SaleRules rules, long userId) {
		long activityId = rules.activityId();
		String score = Long.toString(WaitingRoomDraw.score(rules.waitingRoom().seed(), userId));
		return this.redis
			.execute(this.join, List.of(this.keys.lineDrawn(activityId), this.keys.lineLate(activityId),
					this.keys.lineArrivals(activityId), this.keys.meta(activityId), this.keys.lineState(activityId)),
					List.of(Long.toString(userId), score))
			.next()
			.map((reply) -> {
				long joined = ((Number) reply.get(0)).longValue();
				if (joined < 0) {
					return Optional.<Joined>empty();
				}
				boolean drawn = "D".equals(reply.get(1));
				this.absent.invalidate(new Shopper(activityId, userId));
				if (drawn) {
					this.places.asMap().putIfAbsent(new Shopper(activityId, userId), new Place(true, -1));
				}
				return Optional.of(new Joined(joined == 1, drawn));
			});
	}

	/**
	 * The shopper's place, empty when they are not in line. While the draw is open a
	 * drawn place has no rank ({@code -1}), and a node that saw the shopper in line
	 * answers from memory; once it is closed, each rank is read once and kept (a drawn
	 * rank never moves again, a late one never moved).
	 */
	Mono<Optional<Place>> place(long activityId, long userId, State state) {
		Shopper shopper = new Shopper(activityId, userId);
		Place known = this.places.getIfPresent(shopper);
		if (known != null && (!known.drawn() || known.rank() >= 0 || !state.closed())) {
			return Mono.just(Optional.of(known));
		}
		if (known == null && this.absent.getIfPresent(shopper) != null) {
			return Mono.just(Optional.empty());
		}
		String member = Long.toString(userId);
		Mono<Optional<Place>> drawn = this.redis.opsForZSet()
			.rank(this.keys.lineDrawn(activityId), member)
			.map((rank) -> Optional.of(new Place(true, rank)));
		Mono<Optional<Place>> late = this.redis.opsForZSet()
			.rank(this.keys.lineLate(activityId), member)
			.map((rank) -> Optional.of(new Place(false, rank)));
		return drawn.switchIfEmpty(late).defaultIfEmpty(Optional.empty()).map((found) -> {
			if (found.isEmpty()) {
				this.absent.put(shopper, Boolean.TRUE);
				return found;
			}
			Place place = found.get();
			if (!place.drawn() || state.closed()) {
				this.places.put(shopper, place);
				return found;
			}
			Place open = new Place(true, -1);
			this.places.put(shopper, open);
			return Optional.of(open);
		});
	}

	/** The line's shared figures, read at most twice a second per sale on this node. */
	Mono<State> state(long activityId) {
		return Mono.fromFuture(this.states.get(activityId), true);
	}

	/** When the admitted shopper's pass expires (epoch ms); empty when not admitted. */
	Mono<Long> passExpiry(long activityId, long userId) {
		Shopper shopper = new Shopper(activityId, userId);
		Long known = this.passes.getIfPresent(shopper);
		if (known != null) {
			return Mono.just(known);
		}
		return this.redis.<String, String>opsForHash()
			.get(this.keys.linePasses(activityId), Long.toString(userId))
			.map(Long::parseLong)
			.doOnNext((expiry) -> this.passes.put(shopper, expiry));
	}

	/** The line's figures read now, not from the node's copy (for an admin's look). */
	Mono<State> freshState(long activityId) {
		Mono<Map<String, String>> written = this.redis.<String, String>opsForHash()
			.entries(this.keys.lineState(activityId))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
		// The drawn count from the set itself: exact whether or not the admitter has run.
		Mono<Long> drawn = this.redis.opsForZSet().size(this.keys.lineDrawn(activityId));
		Mono<Long> late = this.redis.opsForZSet().size(this.keys.lineLate(activityId));
		return Mono.zip(written, drawn, late)
			.map((all) -> new State(number(all.getT1(), "cursor"), number(all.getT1(), "free"),
					number(all.getT1(), "outstanding"), all.getT2(), all.getT3(),
					Double.parseDouble(all.getT1().getOrDefault("rate", "0")),
					all.getT1().containsKey("closed") ? number(all.getT1(), "closed") : -1));
	}

	private static long number(Map<String, String> fields, String name) {
		String value = fields.get(name);
		return (value != null) ? Long.parseLong(value) : 0;
	}

}
