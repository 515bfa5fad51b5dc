package io.seckill.activity.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.seckill.platform.web.Blocking;
import io.swagger.v3.oas.annotations.Operation;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * What shoppers see: published activities with remaining stock and the server time for
 * countdowns. The listing is cached for a second so a crowd refreshing the page costs one
 * query per second.
 */
@RestController
class ActivityController {

	private final ActivityService activities;

	private final Clock clock;

	private final Cache<String, List<Activity>> listing = Caffeine.newBuilder()
		.expireAfterWrite(Duration.ofSeconds(1))
		.maximumSize(1)
		.build();

	ActivityController(ActivityService activities, Clock clock) {
		this.activities = activities;
		this.clock = clock;
	}

	@Operation(operationId = "listActivities",
			summary = "Published activities with their items and live remaining stock (cached up to 1 s)")
	@GetMapping("/api/v1/activities")
	Mono<ActivityList> list() {
		return Blocking.call(() -> {
			Instant now = this.clock.instant();
			List<ActivityView> views = this.listing.get("published", (key) -> this.activities.list(true))
				.stream()
				.map((activity) -> ActivityView.of(activity, this.activities.redisRemaining(activity.id()), now))
				.toList();
			return new ActivityList(now.toEpochMilli(), views);
		});
	}

	@Operation(operationId = "activity", summary = "One published activity, with live remaining stock")
	@GetMapping("/api/v1/activities/{id}")
	Mono<ActivityView> find(@PathVariable long id) {
		return Blocking.call(() -> {
			Activity activity = this.activities.find(id, true);
			return ActivityView.of(activity, this.activities.redisRemaining(id), this.clock.instant());
		});
	}

	/** {@code now}: the server clock in epoch milliseconds, as from GET /api/v1/time. */
	record ActivityList(long now, List<ActivityView> activities) {
	}

}
