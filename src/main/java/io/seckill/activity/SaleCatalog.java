package io.seckill.activity;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.seckill.platform.redis.RedisKeys;
import reactor.core.publisher.Mono;

import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Published sale rules, cached on this node. Loaded from Redis (never the database) on
 * first use and refreshed every second; unknown ids are cached as absent too, so a bot
 * guessing ids costs one Redis read per id per second at most.
 */
@Component
public class SaleCatalog {

	private static final List<Object> RULE_FIELDS = List.of("start", "end", "minLevel", "items", "challenge", "wrOpens",
			"wrRate", "wrPassTtl", "wrSeed");

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final AsyncLoadingCache<Long, Optional<SaleRules>> rules;

	SaleCatalog(ReactiveStringRedisTemplate redis, RedisKeys keys) {
		this.redis = redis;
		this.keys = keys;
		this.rules = Caffeine.newBuilder()
			.maximumSize(10_000)
			.refreshAfterWrite(Duration.ofSeconds(1))
			.expireAfterWrite(Duration.ofSeconds(30))
			.buildAsync((id, executor) -> load(id).toFuture());
	}

	/** The rules of a published activity, empty when there is none with this id. */
	public Mono<Optional<SaleRules>> find(long activityId) {
		CompletableFuture<Optional<SaleRules>> cached = this.rules.get(activityId);
		Optional<SaleRules> ready = cached.getNow(null);
		return (ready != null) ? Mono.just(ready) : Mono.fromFuture(cached, true);
	}

	/**
	 * The rules of a published activity if this node holds them now (looked up in the
	 * last half minute), without loading anything: empty for an unknown id and for one
	 * not looked up lately.
	 */
	public Optional<SaleRules> cached(long activityId) {
		CompletableFuture<Optional<SaleRules>> cached = this.rules.getIfPresent(activityId);
		if (cached == null || !cached.isDone() || cached.isCompletedExceptionally()) {
			return Optional.empty();
		}
		return cached.join();
	}

	/**
	 * False only when this node knows there is no such published activity (its id is
	 * cached as absent); when it holds nothing for the id it starts loading it (as a
	 * request for it would) and answers true.
	 */
	public boolean mayExist(long activityId) {
		CompletableFuture<Optional<SaleRules>> cached = this.rules.getIfPresent(activityId);
		if (cached == null) {
			this.rules.get(activityId);
			return true;
		}
		return !cached.isDone() || cached.isCompletedExceptionally() || cached.join().isPresent();
	}

	@EventListener
	void onChange(ActivityChanged change) {
		this.rules.synchronous().invalidate(change.activityId());
	}

	private static SaleRules.WaitingRoom waitingRoom(List<Object> values) {
		if (values.get(5) == null || values.get(6) == null || values.get(7) == null || values.get(8) == null) {
			return null;
		}
		return new SaleRules.WaitingRoom(Long.parseLong((String) values.get(5)),
				Integer.parseInt((String) values.get(6)), Long.parseLong((String) values.get(7)),
				(String) values.get(8));
	}

	private Mono<Optional<SaleRules>> load(long activityId) {
		String id = Long.toString(activityId);
		Mono<List<Object>> meta = this.redis.opsForHash().multiGet(this.keys.meta(activityId), RULE_FIELDS);
		Mono<Map<Object, Object>> limits = this.redis.opsForHash()
			.entries(this.keys.limits(activityId))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
		return Mono.zip(meta, limits).map((both) -> {
			List<Object> values = both.getT1();
			if (values.get(0) == null) {
				return Optional.<SaleRules>empty();
			}
			Map<Long, Integer> itemLimits = new HashMap<>();
			both.getT2()
				.forEach((item, limit) -> itemLimits.put(Long.parseLong((String) item),
						Integer.parseInt((String) limit)));
			return Optional.of(new SaleRules(Long.parseLong(id), Long.parseLong((String) values.get(0)),
					Long.parseLong((String) values.get(1)), Integer.parseInt((String) values.get(2)),
					Map.copyOf(itemLimits), "1".equals(values.get(4)), waitingRoom(values)));
		});
	}

}
