package io.seckill.activity.internal;

import io.seckill.platform.web.Blocking;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin set-up of activities: create, change before the start, publish (preload), stats.
 * Only admins get here: the access rules refuse everyone else before a body is read.
 */
@RestController
class AdminActivityController {

	private final ActivityService activities;

	private final Clock clock;

	AdminActivityController(ActivityService activities, Clock clock) {
		this.activities = activities;
		this.clock = clock;
	}

	@Operation(operationId = "createActivity", summary = "Create an activity (a draft until published) with its items")
	@PostMapping("/api/v1/admin/activities")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<ActivityView> create(@Valid @RequestBody ActivityDraft draft) {
		return Blocking.call(() -> view(this.activities.create(draft)));
	}

	@Operation(operationId = "listAllActivities", summary = "Every activity, drafts included")
	@GetMapping("/api/v1/admin/activities")
	Mono<List<ActivityView>> list() {
		return Blocking.call(() -> this.activities.list(false).stream().map(this::view).toList());
	}

	@Operation(operationId = "updateActivity",
			summary = "Change an activity until 5 s before its start while it has no order")
	@PutMapping("/api/v1/admin/activities/{id}")
	Mono<ActivityView> update(@PathVariable long id, @Valid @RequestBody ActivityDraft draft) {
		return Blocking.call(() -> view(this.activities.update(id, draft)));
	}

	@Operation(operationId = "publishActivity", summary = "Publish: preload rules and stock into Redis")
	@PostMapping("/api/v1/admin/activities/{id}/publish")
	Mono<ActivityView> publish(@PathVariable long id) {
		return Blocking.call(() -> view(this.activities.publish(id)));
	}

	@Operation(operationId = "raiseStock",
			summary = "Add units to an item (database and Redis together), until the end")
	@PostMapping("/api/v1/admin/activities/{id}/items/{itemId}/stock")
	Mono<ActivityView> raiseStock(@PathVariable long id, @PathVariable long itemId,
			@Valid @RequestBody StockRaise raise) {
		return Blocking.call(() -> view(this.activities.raiseStock(id, itemId, raise.add())));
	}

	/** Units to add to an item's stock. */
	record StockRaise(
			@jakarta.validation.constraints.NotNull @jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(10_000_000) Integer add) {
	}

	@Operation(operationId = "activityStats",
			summary = "Per-item stock in Redis and in the database, live orders, drift, queue length")
	@GetMapping("/api/v1/admin/activities/{id}/stats")
	Mono<ActivityService.ActivityStats> stats(@PathVariable long id) {
		return Blocking.call(() -> this.activities.stats(id));
	}

	private ActivityView view(Activity activity) {
		Map<Long, Long> remaining = activity.published() ? this.activities.redisRemaining(activity.id()) : Map.of();
		return ActivityView.of(activity, remaining, this.clock.instant());
	}

}
