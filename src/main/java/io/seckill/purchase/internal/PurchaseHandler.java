package io.seckill.purchase.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swagger.v3.oas.annotations.media.Schema;
import io.seckill.activity.SaleCatalog;
import io.seckill.activity.SaleRules;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.redis.TicketState;
import io.seckill.platform.web.ApiErrorHandler;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ClientAddresses;
import io.seckill.platform.web.ErrorCode;
import io.seckill.platform.web.RequestLoops;
import io.seckill.user.Callers;
import io.seckill.user.Shopper;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The purchase hot path. Everything that can be rejected without Redis is rejected here,
 * in memory: the access token, the ids, the idempotency key, the purchase token, unknown
 * activities and items, eligibility, the sale window and sold-out items. What remains
 * costs one Lua call.
 */
@Component
class PurchaseHandler {

	private static final Log log = LogFactory.getLog(PurchaseHandler.class);

	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	static final String PURCHASE_TOKEN = "Purchase-Token";

	static final String ADMISSIONS = "seckill.admissions";

	static final String LATENCY = "seckill.purchase.latency";

	private final SaleCatalog catalog;

	private final SaleGate gate;

	private final SoldOutFlags soldOut;

	private final RedisAdmission admission;

	private final ReactiveStringRedisTemplate redis;

	private final RedisKeys keys;

	private final PurchaseTokens tokens;

	private final boolean tokenRequired;

	private final ClientAddresses clientAddresses;

	private final ApiErrorHandler errors;

	/** The rejections a purchase can meet; each gets its own admissions counter. */
	private static final ErrorCode[] PURCHASE_REJECTIONS = { ErrorCode.BAD_REQUEST, ErrorCode.PURCHASE_TOKEN_MISSING,
			ErrorCode.PURCHASE_TOKEN_INVALID, ErrorCode.PURCHASE_TOKEN_EXPIRED, ErrorCode.PURCHASE_TOKEN_FOREIGN,
			ErrorCode.PURCHASE_TOKEN_USED, ErrorCode.NOT_FOUND, ErrorCode.NOT_ELIGIBLE, ErrorCode.NOT_STARTED,
			ErrorCode.ENDED, ErrorCode.SOLD_OUT, ErrorCode.LIMIT_REACHED, ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE,
			ErrorCode.WAITING_ROOM_PASS_REQUIRED, ErrorCode.WAITING_ROOM_PASS_INVALID,
			ErrorCode.WAITING_ROOM_PASS_FOREIGN, ErrorCode.WAITING_ROOM_PASS_EXPIRED, ErrorCode.INTERNAL_ERROR };

	private final OutcomeCounters outcomes;

	private final OutcomeCounters.Tally queued;

	private final OutcomeCounters.Tally replayed;

	private final Timer latency;

	PurchaseHandler(SaleCatalog catalog, SaleGate gate, SoldOutFlags soldOut, RedisAdmission admission,
			ReactiveStringRedisTemplate redis, RedisKeys keys, MeterRegistry meters, PurchaseTokens tokens,
			PurchaseTokenSettings tokenSettings, ClientAddresses clientAddresses, ApiErrorHandler errors,
			SaleCounts sales) {
		this.catalog = catalog;
		this.gate = gate;
		this.soldOut = soldOut;
		this.admission = admission;
		this.redis = redis;
		this.keys = keys;
		this.tokens = tokens;
		this.tokenRequired = tokenSettings.required();
		this.clientAddresses = clientAddresses;
		this.errors = errors;
		this.outcomes = new OutcomeCounters(meters, sales, ADMISSIONS, "admission", "Purchase requests by outcome",
				PURCHASE_REJECTIONS);
		this.queued = this.outcomes.outcome("QUEUED");
		this.replayed = this.outcomes.outcome("REPLAYED");
		this.latency = Timer.builder(LATENCY)
			.description("Time to answer a purchase request")
			.publishPercentiles(0.5, 0.99)
			.publishPercentileHistogram()
			.register(meters);
	}

	Mono<ServerResponse> purchase(ServerRequest request) {
		long startedAt = System.nanoTime();
		return answer(request).onErrorResume(ApiException.class, (rejection) -> reject(request, rejection))
			.doFinally((signal) -> this.latency.record(System.nanoTime() - startedAt, TimeUnit.NANOSECONDS));
	}

	private Mono<ServerResponse> answer(ServerRequest request) {
		Shopper shopper;
		long activityId;
		long itemId;
		String key;
		PurchaseTokens.Claims token;
		try {
			shopper = Callers.of(request.exchange());
			activityId = id(request.pathVariable("id"));
			itemId = id(request.pathVariable("itemId"));
			key = idempotencyKey(request.headers().firstHeader(IDEMPOTENCY_KEY));
		}
		catch (ApiException ex) {
			return reject(request, ex);
		}
		try {
			token = token(request, shopper, activityId, itemId);
		}
		catch (ApiException ex) {
			if (ex.code() == ErrorCode.PURCHASE_TOKEN_EXPIRED && key != null) {
				// A late retry of a purchase whose answer was lost gets its first answer
				// if it was admitted; a new admission needs a new token.
				return replayOr(Outcome.TOKEN_EXPIRED, activityId, shopper, key)
					.publishOn(RequestLoops.of(request.exchange().getRequest()))
					.flatMap((outcome) -> respond(request, outcome));
			}
			return reject(request, ex);
		}
		String client = this.clientAddresses.of(request.exchange().getRequest());
		RedisAdmission.Attempt attempt = new RedisAdmission.Attempt(activityId, itemId, shopper.id(), key,
				Tickets.newTicket(activityId), token, client);
		Scheduler loop = RequestLoops.of(request.exchange().getRequest());
		return this.catalog.find(activityId)
			.doOnNext((rules) -> passedWithoutToken(request, token, shopper, rules))
			.flatMap((rules) -> decide(attempt, shopper, rules, loop))
			.flatMap((outcome) -> respond(request, outcome));
	}

	/**
	 * The verified purchase token, checked in memory: a request without a valid one never
	 * reaches Redis.
	 */
	private PurchaseTokens.Claims token(ServerRequest request, Shopper shopper, long activityId, long itemId) {
		String token = request.headers().firstHeader(PURCHASE_TOKEN);
		if (token == null) {
			if (this.tokenRequired) {
				throw new ApiException(ErrorCode.PURCHASE_TOKEN_MISSING);
			}
			return null;
		}
		return this.tokens.verify(token, shopper.id(), activityId, itemId);
	}

	/**
	 * Where purchases need no token ({@code seckill.purchase-token.required=false}), a
	 * sale with a waiting room asks for the shopper's pass on the purchase itself: the
	 * line cannot be skipped by leaving the token out.
	 */
	private void passedWithoutToken(ServerRequest request, PurchaseTokens.Claims token, Shopper shopper,
			Optional<SaleRules> rules) {
		if (token == null && rules.isPresent()) {
			this.tokens.passExpiry(request.headers().firstHeader(PurchaseTokenHandler.PASS_HEADER), rules.get(),
					shopper.id());
		}
	}

	/**
	 * The outcome; one that took a Redis call is answered on {@code loop}, the request's
	 * own event loop (see {@link RequestLoops}).
	 */
	private Mono<Outcome> decide(RedisAdmission.Attempt attempt, Shopper shopper, Optional<SaleRules> found,
			Scheduler loop) {
		long activityId = attempt.activityId();
		long itemId = attempt.itemId();
		String key = attempt.idempotencyKey();
		Outcome.Rejected local = this.gate.refusal(found, shopper, itemId);
		if (local == Outcome.NOT_FOUND) {
			return Mono.just(local);
		}
		if (local != null) {
			// A retry of a request that was admitted earlier must get its first answer,
			// not this one.
			if (key == null || local == Outcome.NOT_STARTED) {
				return Mono.just(local);
			}
			return replayOr(local, activityId, shopper, key).publishOn(loop);
		}
		return this.admission.admit(attempt).doOnNext((outcome) -> {
			if (outcome == Outcome.SOLD_OUT) {
				this.soldOut.markSoldOut(activityId, itemId);
			}
		})
			.onErrorMap((ex) -> !(ex instanceof ApiException), (ex) -> unavailable(ex, attempt.newTicket()))
			.publishOn(loop);
	}

	/** The first ticket of the shopper's idempotency key, else {@code rejected}. */
	private Mono<Outcome> replayOr(Outcome.Rejected rejected, long activityId, Shopper shopper, String key) {
		return this.admission.ticketFor(activityId, shopper.id(), key)
			.<Outcome>map((replay) -> replay.acknowledged() ? new Outcome.Replayed(replay.ticket())
					: new Outcome.Unacknowledged(replay.ticket()))
			.defaultIfEmpty(rejected)
			.onErrorMap((ex) -> !(ex instanceof ApiException), (ex) -> unavailable(ex, null));
	}

	/**
	 * Redis failed or timed out. The script may have run anyway (a timeout after
	 * execution), so the answer names the ticket: the client polls it (404 means not
	 * admitted) or retries with its key.
	 */
	private static ApiException unavailable(Throwable failure, String ticket) {
		log.warn("Purchase could not reach Redis: " + failure);
		return new ApiException(
				ErrorCode.UNAVAILABLE, (ticket != null)
						? "The outcome is unknown: poll the ticket, or retry with the same Idempotency-Key." : null,
				ticket);
	}

	private Mono<ServerResponse> respond(ServerRequest request, Outcome outcome) {
		if (outcome instanceof Outcome.Queued queued) {
			this.queued.count(activityOf(request));
			return accepted(queued.ticket());
		}
		if (outcome instanceof Outcome.Replayed replayed) {
			this.replayed.count(activityOf(request));
			return accepted(replayed.ticket());
		}
		if (outcome instanceof Outcome.Unacknowledged unacknowledged) {
			return reject(request, new ApiException(ErrorCode.UNAVAILABLE,
					"Redis replicas did not acknowledge this purchase in time: poll the ticket, or retry with the same Idempotency-Key.",
					unacknowledged.ticket()));
		}
		if (outcome instanceof Outcome.Throttled throttled) {
			return reject(request, ApiException.rateLimited(null, throttled.retryAfterMillis()));
		}
		return reject(request, new ApiException(((Outcome.Rejected) outcome).code()));
	}

	private static final byte[] QUEUED_HEAD = "{\"status\":\"QUEUED\",\"ticket\":\""
		.getBytes(StandardCharsets.US_ASCII);

	private static final byte[] QUEUED_TAIL = "\"}".getBytes(StandardCharsets.US_ASCII);

	/**
	 * {"status":"QUEUED","ticket":...}, written by hand: tickets are hex, a dash and
	 * digits.
	 */
	private static Mono<ServerResponse> accepted(String ticket) {
		byte[] body = new byte[QUEUED_HEAD.length + ticket.length() + QUEUED_TAIL.length];
		System.arraycopy(QUEUED_HEAD, 0, body, 0, QUEUED_HEAD.length);
		ticket.getBytes(0, ticket.length(), body, QUEUED_HEAD.length);
		System.arraycopy(QUEUED_TAIL, 0, body, QUEUED_HEAD.length + ticket.length(), QUEUED_TAIL.length);
		return ServerResponse.status(HttpStatus.ACCEPTED).contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

	/**
	 * Counts the rejection and answers it directly (no error signal through the chain).
	 */
	private Mono<ServerResponse> reject(ServerRequest request, ApiException rejection) {
		this.outcomes.rejected(rejection.code(), activityOf(request));
		return this.errors.respond(request, rejection);
	}

	/**
	 * GET /api/v1/purchases/{ticket}: QUEUED, SUCCESS with the order id, or FAILED with
	 * the reason.
	 */
	Mono<ServerResponse> ticket(ServerRequest request) {
		Shopper shopper = Callers.of(request.exchange());
		String ticket = request.pathVariable("ticket");
		long activityId = Tickets.activityOf(ticket);
		if (activityId < 0) {
			return Mono.error(new ApiException(ErrorCode.NOT_FOUND));
		}
		return this.redis.opsForValue()
			.get(this.keys.ticket(activityId, ticket))
			.publishOn(RequestLoops.of(request.exchange().getRequest()))
			.map(TicketState::parse)
			.filter((state) -> state.userId() == shopper.id())
			.switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.NOT_FOUND)))
			.flatMap((state) -> ServerResponse.ok()
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(PurchaseView.of(ticket, state)));
	}

	/** The sale a purchase request names, or -1 when its path holds no valid id. */
	static long activityOf(ServerRequest request) {
		try {
			return id(request.pathVariable("id"));
		}
		catch (ApiException | IllegalArgumentException ex) {
			return -1;
		}
	}

	static long id(String text) {
		if (text.isEmpty() || text.length() > 18) {
			throw new ApiException(ErrorCode.BAD_REQUEST, "Ids are positive integers");
		}
		long value = 0;
		for (int i = 0; i < text.length(); i++) {
			int digit = text.charAt(i) - '0';
			if (digit < 0 || digit > 9) {
				throw new ApiException(ErrorCode.BAD_REQUEST, "Ids are positive integers");
			}
			value = value * 10 + digit;
		}
		if (value == 0) {
			throw new ApiException(ErrorCode.BAD_REQUEST, "Ids are positive integers");
		}
		return value;
	}

	/** What {@link #idempotencyKey} accepts, for the OpenAPI document. */
	static final String IDEMPOTENCY_KEY_PATTERN = "^[A-Za-z0-9._:-]{1,64}$";

	private static String idempotencyKey(String header) {
		if (header == null) {
			return null;
		}
		if (header.isEmpty() || header.length() > 64) {
			throw new ApiException(ErrorCode.BAD_REQUEST, "Idempotency-Key must be 1 to 64 characters");
		}
		for (int i = 0; i < header.length(); i++) {
			char c = header.charAt(i);
			boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
					|| c == '_' || c == '.' || c == ':';
			if (!allowed) {
				throw new ApiException(ErrorCode.BAD_REQUEST,
						"Idempotency-Key may hold letters, digits and - _ . : only");
			}
		}
		return header;
	}

	/**
	 * The body of a 202, for the OpenAPI document: {@link #accepted} writes it by hand
	 * (the tests compare every real answer with the document).
	 */
	@Schema(name = "PurchaseQueued")
	record Queued(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = "QUEUED") String status,
			@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Poll GET /api/v1/purchases/{ticket}",
					pattern = Tickets.PATTERN, example = Tickets.EXAMPLE) String ticket) {
	}

	/** A purchase's state as the client sees it. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	@Schema(name = "PurchaseState")
	record PurchaseView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {
			"QUEUED", "SUCCESS", "FAILED" }) String status,
			@Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = Tickets.PATTERN) String ticket,
			@Schema(description = "With SUCCESS: the order to pay") Long orderId,
			@Schema(description = "With FAILED: why, a code such as SOLD_OUT") String reason){

		static PurchaseView of(String ticket, TicketState state) {
			return switch (state.state()) {
				case TicketState.SUCCESS -> new PurchaseView("SUCCESS", ticket, Long.parseLong(state.detail()), null);
				case TicketState.FAILED -> new PurchaseView("FAILED", ticket, null, state.detail());
				default -> new PurchaseView("QUEUED", ticket, null, null);
			};
		}

	}

}
