package io.seckill.activity.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** What an admin sends to create or change an activity. */
record ActivityDraft(@NotBlank @Size(max = 100) String name, @NotNull Instant startsAt, @NotNull Instant endsAt,
		@Min(0) @Max(100) Integer minLevel, @NotEmpty @Size(max = 50) List<@Valid @NotNull ItemDraft> items,
		Boolean challenge, @Valid WaitingRoomDraft waitingRoom) {

	/**
	 * A waiting room in front of the sale: shoppers join from {@code opensBefore} ahead
	 * of the start, those in line at the start are drawn in a random order, later ones
	 * queue behind in arrival order, and the head of the line is admitted at
	 * {@code admitPerSecond} with a pass valid for {@code passTtl}.
	 */
	record WaitingRoomDraft(@NotNull Duration opensBefore, @NotNull @Min(1) @Max(20_000) Integer admitPerSecond,
			@NotNull Duration passTtl) {

		static final Duration MAX_OPENS_BEFORE = Duration.ofDays(1);

		static final Duration MIN_PASS_TTL = Duration.ofSeconds(10);

		static final Duration MAX_PASS_TTL = Duration.ofHours(1);

	}

	int minLevelOrDefault() {
		return (this.minLevel != null) ? this.minLevel : 0;
	}

	/** Off unless asked for: a challenge slows every shopper down. */
	boolean challengeOrDefault() {
		return Boolean.TRUE.equals(this.challenge);
	}

	/**
	 * An item; {@code id} names an existing item to change (on update), absent for a new
	 * one.
	 */
	record ItemDraft(@Min(1) Long id, @NotBlank @Size(max = 100) String name,
			@NotNull @DecimalMin("0.00") @DecimalMax("100000000.00") @Digits(integer = 9,
					fraction = 2) BigDecimal price,
			@NotNull @Min(0) @Max(10_000_000) Integer stock, @Min(1) @Max(100) Integer limit) {

		int limitOrDefault() {
			return (this.limit != null) ? this.limit : 1;
		}

	}

}
