package io.seckill.purchase.internal;

import io.seckill.platform.web.ErrorCode;

/** What the admission script decided for one request. */
sealed interface Outcome {

	/** Admitted and queued for the order writer. */
	record Queued(String ticket) implements Outcome {
	}

	/** A retry of a request admitted earlier (same Idempotency-Key): its first ticket. */
	record Replayed(String ticket) implements Outcome {
	}

	/**
	 * Admitted (or a replay of an admission) but not acknowledged by the replicas in
	 * time: it may be lost with the primary, so the client is told UNAVAILABLE with the
	 * ticket.
	 */
	record Unacknowledged(String ticket) implements Outcome {
	}

	/** Over a rate limit whose window ends in {@code retryAfterMillis}. */
	record Throttled(long retryAfterMillis) implements Outcome {
	}

	/** Not admitted, for the given reason. */
	record Rejected(ErrorCode code) implements Outcome {
	}

	static Outcome parse(String code, String ticket, long n) {
		return switch (code) {
			case "QUEUED" -> new Queued(ticket);
			case "DUPLICATE" -> new Replayed(ticket);
			case "SOLD_OUT" -> SOLD_OUT;
			case "LIMIT_REACHED" -> LIMIT_REACHED;
			case "RATE_LIMITED" -> new Throttled(n);
			case "TOKEN_USED" -> TOKEN_USED;
			case "ERROR" -> new Rejected(ErrorCode.INTERNAL_ERROR);
			case "NOT_STARTED" -> NOT_STARTED;
			case "ENDED" -> ENDED;
			case "NOT_FOUND" -> NOT_FOUND;
			default -> throw new IllegalStateException("Unknown admission code " + code);
		};
	}

	Rejected SOLD_OUT = new Rejected(ErrorCode.SOLD_OUT);

	Rejected LIMIT_REACHED = new Rejected(ErrorCode.LIMIT_REACHED);

	Rejected TOKEN_USED = new Rejected(ErrorCode.PURCHASE_TOKEN_USED);

	Rejected TOKEN_EXPIRED = new Rejected(ErrorCode.PURCHASE_TOKEN_EXPIRED);

	Rejected NOT_STARTED = new Rejected(ErrorCode.NOT_STARTED);

	Rejected ENDED = new Rejected(ErrorCode.ENDED);

	Rejected NOT_FOUND = new Rejected(ErrorCode.NOT_FOUND);

	Rejected NOT_ELIGIBLE = new Rejected(ErrorCode.NOT_ELIGIBLE);

}
