package io.seckill.activity.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An activity as shown to shoppers and admins. */
record ActivityView(long id, String name, Instant startsAt, Instant endsAt, int minLevel, boolean published,
		String state, List<ItemView> items, boolean challenge,
		@JsonInclude(JsonInclude.Include.NON_NULL) WaitingRoomView waitingRoom) {

	/**
	 * The sale's waiting room, when it has one: its line opens at {@code opensAt}
	 * ({@code opensBefore} ahead of the start).
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record WaitingRoomView(Duration opensBefore, Instant opensAt, int admitPerSecond, Duration passTtl) {
	}

	record ItemView(long id, String name, BigDecimal price, int stock, long remaining, int limit) {
	}

	/**
	 * {@code remaining} per item from Redis once published (the live figure), else the
	 * database's.
	 */
	static ActivityView of(Activity activity, Map<Long, Long> redisRemaining, Instant now) {
		String state = now.isBefore(activity.startsAt()) ? "UPCOMING"
				: now.isBefore(activity.endsAt()) ? "ACTIVE" : "ENDED";
		List<ItemView> items = activity.items()
			.stream()
			.map((item) -> new ItemView(item.id(), item.name(), item.price(), item.stock(),
					Math.max(0, redisRemaining.getOrDefault(item.id(), (long) item.remaining())), item.purchaseLimit()))
			.toList();
		return new ActivityView(activity.id(), activity.name(), activity.startsAt(), activity.endsAt(),
				activity.minLevel(), activity.published(), state, items, activity.challenge(),
				(activity.waitingRoom() != null) ? new WaitingRoomView(activity.waitingRoom().opensBefore(),
						activity.startsAt().minus(activity.waitingRoom().opensBefore()),
						activity.waitingRoom().admitPerSecond(), activity.waitingRoom().passTtl()) : null);
	}

}
