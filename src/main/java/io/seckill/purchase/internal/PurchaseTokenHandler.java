package io.seckill.purchase.internal;

import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.activity.SaleCatalog;
import io.seckill.activity.SaleRules;
import io.seckill.challenge.PictureChallenges;
import io.seckill.platform.redis.RateLimits;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ClientAddresses;
import io.seckill.platform.web.ErrorCode;
import io.seckill.platform.web.RequestLoops;
import io.seckill.user.Callers;
import io.seckill.user.Shopper;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The way in to a purchase: a one-time purchase token, issued from the sale's start on to
 * an eligible shopper (after a right challenge answer where the sale asks for one), under
 * per-shopper and per-IP limits counted in Redis so every node enforces the same limit.
 */
@Component
class PurchaseTokenHandler {

	static final String TOKEN_REQUESTS = "seckill.purchase-tokens";

	private static final ErrorCode[] REJECTIONS = { ErrorCode.BAD_REQUEST, ErrorCode.NOT_FOUND, ErrorCode.NOT_ELIGIBLE,
			ErrorCode.NOT_STARTED, ErrorCode.ENDED, ErrorCode.SOLD_OUT, ErrorCode.RATE_LIMITED,
			ErrorCode.CHALLENGE_REQUIRED, ErrorCode.CHALLENGE_FAILED, ErrorCode.WAITING_ROOM_NOT_OPEN,
			ErrorCode.WAITING_ROOM_NOT_JOINED, ErrorCode.WAITING_ROOM_PASS_REQUIRED,
			ErrorCode.WAITING_ROOM_PASS_INVALID, ErrorCode.WAITING_ROOM_PASS_FOREIGN,
			ErrorCode.WAITING_ROOM_PASS_EXPIRED };

	/** The header carrying a waiting room's pass to the purchase-token request. */
	static final String PASS_HEADER = "Waiting-Room-Pass";

	private final SaleCatalog catalog;

	private final SaleGate gate;

	private final PurchaseTokens tokens;

	private final PictureChallenges challenges;

	private final ClientAddresses clientAddresses;

	private final RedisKeys keys;

	private final PurchaseTokenSettings settings;

	private final RateLimits limits;

	private final OutcomeCounters outcomes;

	private final OutcomeCounters.Tally issued;

	private final OutcomeCounters.Tally challengesIssued;

	PurchaseTokenHandler(SaleCatalog catalog, SaleGate gate, PurchaseTokens tokens, PictureChallenges challenges,
			ClientAddresses clientAddresses, RateLimits limits, RedisKeys keys, PurchaseTokenSettings settings,
			MeterRegistry meters, SaleCounts sales) {
		this.catalog = catalog;
		this.gate = gate;
		this.tokens = tokens;
		this.challenges = challenges;
		this.clientAddresses = clientAddresses;
		this.limits = limits;
		this.keys = keys;
		this.settings = settings;
		this.outcomes = new OutcomeCounters(meters, sales, TOKEN_REQUESTS, "token",
				"Purchase-token and challenge requests by outcome", REJECTIONS);
		this.issued = this.outcomes.outcome("ISSUED");
		this.challengesIssued = this.outcomes.outcome("CHALLENGE_ISSUED");
	}

	/**
	 * POST /api/v1/activities/{id}/items/{itemId}/purchase-tokens, body
	 * {@code {challengeId, answer}} when the sale asks for a challenge (else none). A
	 * sale with a waiting room asks for the shopper's pass instead (header
	 * {@value #PASS_HEADER}, checked in memory before anything else): its challenge was
	 * answered to join the line.
	 */
	Mono<ServerResponse> issue(ServerRequest request) {
		return counted(request, Mono.defer(() -> {
			Shopper shopper = Callers.of(request.exchange());
			long activityId = PurchaseHandler.id(request.pathVariable("id"));
			long itemId = PurchaseHandler.id(request.pathVariable("itemId"));
			String client = this.clientAddresses.of(request.exchange().getRequest());
			return this.catalog.find(activityId).map((found) -> openSale(found, shopper, itemId)).flatMap((rules) -> {
				long notAfter = this.tokens.passExpiry(request.headers().firstHeader(PASS_HEADER), rules, shopper.id());
				return limit(activityId, shopper, client).then((rules.challenge() && rules.waitingRoom() == null)
						? answered(request, activityId, shopper) : Mono.just(true))
					.thenReturn(notAfter);
			})
				// Sign and answer on the request's own loop, not on the Redis client's
				// thread (RequestLoops).
				.publishOn(RequestLoops.of(request.exchange().getRequest()))
				.map((notAfter) -> this.tokens.issue(shopper.id(), activityId, itemId, notAfter))
				.flatMap((token) -> {
					this.issued.count(activityId);
					return ServerResponse.status(HttpStatus.CREATED)
						.contentType(MediaType.APPLICATION_JSON)
						.bodyValue(new TokenView(token.token(), Instant.ofEpochMilli(token.expiresAtMillis()),
								"/api/v1/activities/" + activityId + "/items/" + itemId + "/purchases"));
				});
		}));
	}

	/**
	 * POST /api/v1/activities/{id}/challenges: an image challenge for a sale that asks
	 * for one, from its start on.
	 */
	Mono<ServerResponse> challenge(ServerRequest request) {
		return counted(request, Mono.defer(() -> {
			Shopper shopper = Callers.of(request.exchange());
			long activityId = PurchaseHandler.id(request.pathVariable("id"));
			String client = this.clientAddresses.of(request.exchange().getRequest());
			return this.catalog.find(activityId).map((found) -> {
				// A sale with a waiting room asks for the challenge to join its
				// line, from the line's opening on.
				SaleRules rules = found.isPresent() && found.get().waitingRoom() != null ? openLine(found, shopper)
						: openSale(found, shopper, SaleGate.ANY_ITEM);
				if (!rules.challenge()) {
					throw new ApiException(ErrorCode.NOT_FOUND, "This sale asks for no challenge");
				}
				return rules;
			})
				.flatMap((rules) -> limit(activityId, shopper, client))
				.then(Mono.defer(() -> this.challenges.create(challengeScope(activityId, shopper))))
				.publishOn(RequestLoops.of(request.exchange().getRequest()))
				.flatMap((challenge) -> {
					this.challengesIssued.count(activityId);
					return ServerResponse.status(HttpStatus.CREATED)
						.contentType(MediaType.APPLICATION_JSON)
						.bodyValue(new ChallengeView(challenge.challengeId(), challenge.image(),
								Instant.ofEpochMilli(challenge.expiresAtMillis())));
				});
		}));
	}

	/**
	 * The sale's rules if it is open to this shopper now ({@code itemId}
	 * {@link SaleGate#ANY_ITEM}: any item).
	 */
	private SaleRules openSale(Optional<SaleRules> found, Shopper shopper, long itemId) {
		// Before the start no token, so no purchase address, exists.
		Outcome.Rejected refusal = this.gate.refusal(found, shopper, itemId);
		if (refusal != null) {
			throw new ApiException(refusal.code());
		}
		return found.get();
	}

	/**
	 * The rules of a sale whose waiting room is open to this shopper now (from its
	 * opening to the sale's end).
	 */
	SaleRules openLine(Optional<SaleRules> found, Shopper shopper) {
		Outcome.Rejected refusal = this.gate.lineRefusal(found, shopper);
		if (refusal != null) {
			throw new ApiException(refusal.code());
		}
		return found.get();
	}

	/** Counts a token, challenge or waiting-room request against the shopper's limits. */
	Mono<Void> limit(long activityId, Shopper shopper, String client) {
		return this.limits.count(this.settings.rateWindow(),
				new RateLimits.Limit(this.keys.tokenRate(activityId, shopper.id()), this.settings.rateLimit()),
				new RateLimits.Limit(this.keys.tokenIpRate(activityId, client), this.settings.ipRateLimit()));
	}

	/** The shopper's right answer to the sale's challenge, from the request's body. */
	Mono<Boolean> answered(ServerRequest request, long activityId, Shopper shopper) {
		return request.bodyToMono(ChallengeAnswer.class)
			.switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.CHALLENGE_REQUIRED)))
			.flatMap((body) -> {
				if (body.challengeId() == null || body.answer() == null) {
					return Mono.error(new ApiException(ErrorCode.CHALLENGE_REQUIRED));
				}
				return this.challenges.check(challengeScope(activityId, shopper), body.challengeId(), body.answer())
					.thenReturn(true);
			});
	}

	/**
	 * A sale's challenges, bound to the shopper; wrong answers limited per shopper and
	 * sale.
	 */
	private PictureChallenges.Scope challengeScope(long activityId, Shopper shopper) {
		return new PictureChallenges.Scope(this.keys.challenge(activityId, ""), Long.toString(shopper.id()),
				this.keys.challengeFailures(activityId, shopper.id()), this.settings.challengeFailures(),
				this.settings.challengeWindow(), this.settings.challengeTtl());
	}

	/** Counts each refusal of {@code response} by code, for the sale. */
	Mono<ServerResponse> counted(ServerRequest request, Mono<ServerResponse> response) {
		return response.onErrorResume(ApiException.class, (rejection) -> {
			this.outcomes.rejected(rejection.code(), PurchaseHandler.activityOf(request));
			return Mono.error(rejection);
		});
	}

	/** The answer to a challenge. */
	record ChallengeAnswer(String challengeId, String answer) {
	}

	/** A token and where to use it. */
	record TokenView(String token, Instant expiresAt, String purchasePath) {
	}

	/** A challenge to show. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record ChallengeView(String challengeId, String image, Instant expiresAt) {
	}

}
