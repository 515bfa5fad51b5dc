package io.seckill.purchase.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.seckill.activity.SaleCatalog;
import io.seckill.activity.SaleRules;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ClientAddresses;
import io.seckill.platform.web.ErrorCode;
import io.seckill.platform.web.RequestLoops;
import io.seckill.user.Callers;
import io.seckill.user.Shopper;
import io.swagger.v3.oas.annotations.media.Schema;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A sale's waiting room, for shoppers: join the line (once; again returns the same place)
 * and ask where you stand. A status answer is computed on the node from the shopper's
 * place and the line's shared figures ({@link WaitingRoomLine}), and says when to ask
 * again, spread so that the polls of a crowd do not arrive together.
 */
@Component
class WaitingRoomHandler {

	/** No shopper is asked to wait longer than this between two polls. */
	private static final int MAX_POLL_SECONDS = 30;

	private final SaleCatalog catalog;

	private final WaitingRoomLine line;

	private final PurchaseTokenHandler tokenRequests;

	private final PurchaseTokens tokens;

	private final ClientAddresses clientAddresses;

	private final Clock clock;

	WaitingRoomHandler(SaleCatalog catalog, WaitingRoomLine line, PurchaseTokenHandler tokenRequests,
			PurchaseTokens tokens, ClientAddresses clientAddresses, Clock clock) {
		this.catalog = catalog;
		this.line = line;
		this.tokenRequests = tokenRequests;
		this.tokens = tokens;
		this.clientAddresses = clientAddresses;
		this.clock = clock;
	}

	/**
	 * POST /api/v1/activities/{id}/waiting-room: joins the line, from its opening to the
	 * sale's end (body {@code {challengeId, answer}} when the sale asks for a challenge);
	 * 201 when new, 200 with the same place when in line already (no challenge asked
	 * again).
	 */
	Mono<ServerResponse> join(ServerRequest request) {
		return this.tokenRequests.counted(request, Mono.defer(() -> {
			Shopper shopper = Callers.of(request.exchange());
			long activityId = PurchaseHandler.id(request.pathVariable("id"));
			String client = this.clientAddresses.of(request.exchange().getRequest());
			return this.catalog.find(activityId)
				.map((found) -> this.tokenRequests.openLine(found, shopper))
				.flatMap((rules) -> this.tokenRequests.limit(activityId, shopper, client).thenReturn(rules))
				// The join script answers a re-join with the same place; only a sale
				// with a challenge looks first (a shopper in line is not asked again).
				.flatMap(
						(rules) -> !rules.challenge() ? joinAnew(request, rules, shopper)
								: this.line.state(activityId)
									.flatMap((state) -> this.line.place(activityId, shopper.id(), state))
									.flatMap((known) -> known.isPresent()
											? answer(request, HttpStatus.OK, rules, shopper)
											: joinAnew(request, rules, shopper)));
		}));
	}

	private Mono<ServerResponse> joinAnew(ServerRequest request, SaleRules rules, Shopper shopper) {
		long activityId = rules.activityId();
		return (rules.challenge() ? this.tokenRequests.answered(request, activityId, shopper) : Mono.just(true))
			.then(this.line.join(rules, shopper.id()))
			.flatMap((joined) -> {
				if (joined.isEmpty()) {
					return Mono.error(new ApiException(ErrorCode.NOT_FOUND));
				}
				return answer(request, joined.get().added() ? HttpStatus.CREATED : HttpStatus.OK, rules, shopper);
			});
	}

	/** GET /api/v1/activities/{id}/waiting-room: where the shopper stands. */
	Mono<ServerResponse> status(ServerRequest request) {
		return this.tokenRequests.counted(request, Mono.defer(() -> {
			Shopper shopper = Callers.of(request.exchange());
			long activityId = PurchaseHandler.id(request.pathVariable("id"));
			return this.catalog.find(activityId)
				.map((found) -> this.tokenRequests.openLine(found, shopper))
				.flatMap((rules) -> answer(request, HttpStatus.OK, rules, shopper));
		}));
	}

	private Mono<ServerResponse> answer(ServerRequest request, HttpStatus status, SaleRules rules, Shopper shopper) {
		return place(rules, shopper, this.clock.millis()).publishOn(RequestLoops.of(request.exchange().getRequest()))
			.flatMap((body) -> ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(body));
	}

	private Mono<PlaceView> place(SaleRules rules, Shopper shopper, long now) {
		long activityId = rules.activityId();
		SaleRules.WaitingRoom room = rules.waitingRoom();
		return this.line.state(activityId)
			.flatMap((state) -> this.line.place(activityId, shopper.id(), state)
				.map((found) -> found.orElseThrow(() -> new ApiException(ErrorCode.WAITING_ROOM_NOT_JOINED)))
				.flatMap((place) -> {
					Draw draw = new Draw(rules, state);
					if (!state.closed()) {
						// The draw is still open (before the start, or until the
						// admitter's first round from it on): no place yet.
						int poll = draw.poll((rules.startsAtMillis() - now) / 2000.0, Double.POSITIVE_INFINITY);
						return Mono.just(draw.view("PREQUEUE", null, poll, null, null));
					}
					long index = place.index(state.closedDrawn());
					if (index < state.cursor()) {
						return this.line.passExpiry(activityId, shopper.id())
							.map((expiry) -> admitted(draw, shopper, now, expiry))
							// Past the cursor but no pass read yet (written in the same
							// round): ask again at once.
							.defaultIfEmpty(waiting(draw, 0, 1));
					}
					long ahead = index - state.cursor();
					if (ahead >= state.free()) {
						// The units left (less those the admitted may still buy) cannot
						// reach this place; units that come back move the line again:
						// soon when passes not used yet can reach it (they expire), else
						// only by cancelled or unpaid orders.
						double earliest = (ahead < state.free() + state.outstanding()) ? 0 : Double.POSITIVE_INFINITY;
						return Mono.just(
								draw.view("SOLD_OUT", ahead, draw.poll(MAX_POLL_SECONDS / 3.0, earliest), null, null));
					}
					return Mono.just(waiting(draw, ahead, 0));
				}));
	}

	private PlaceView waiting(Draw draw, long ahead, int pollSeconds) {
		double rate = (draw.state().admittedPerSecond() > 0) ? draw.state().admittedPerSecond()
				: draw.rules().waitingRoom().admitPerSecond();
		long wait = (long) Math.ceil(ahead / rate);
		// The soonest the turn can come: at the configured rate, less the second of
		// credit a round may bring.
		double earliest = Math.max(0, ahead / (double) draw.rules().waitingRoom().admitPerSecond() - 1);
		int poll = (pollSeconds > 0) ? pollSeconds : draw.poll(wait / 3.0, earliest);
		return draw.view("WAITING", ahead, poll, null, null).withWait(wait);
	}

	private PlaceView admitted(Draw draw, Shopper shopper, long now, long expiry) {
		if (now >= expiry) {
			return draw.view("EXPIRED", null, 0, null, Instant.ofEpochMilli(expiry));
		}
		return draw.view("ADMITTED", null, spread(Math.max(1, Math.min(MAX_POLL_SECONDS, (expiry - now) / 2000.0))),
				this.tokens.issuePass(shopper.id(), draw.rules().activityId(), expiry), Instant.ofEpochMilli(expiry));
	}

	/** What every answer about one sale's line shares. */
	private record Draw(SaleRules rules, WaitingRoomLine.State state) {

		/**
		 * When a shopper not admitted yet asks again: {@code seconds}, spread, but never
		 * later than a third of the pass's life after {@code earliestTurn} (the soonest
		 * the turn can come, in seconds), so that a turn is seen with most of its pass
		 * left while shoppers far back ask rarely.
		 */
		int poll(double seconds, double earliestTurn) {
			double latest = Math.floor(earliestTurn + this.rules.waitingRoom().passTtlMillis() / 3000.0);
			return (int) Math.max(1, Math.min(latest, spread(Math.max(1, Math.min(MAX_POLL_SECONDS, seconds)))));
		}

		PlaceView view(String name, Long ahead, int pollSeconds, String pass, Instant passExpiresAt) {
			SaleRules.WaitingRoom room = this.rules.waitingRoom();
			return new PlaceView(name, (ahead != null) ? ahead + 1 : null, ahead, this.state.length(), null,
					pollSeconds, room.admitPerSecond(), this.state.closed() ? this.state.admittedPerSecond() : null,
					pass, passExpiresAt, Instant.ofEpochMilli(this.rules.startsAtMillis()),
					WaitingRoomDraw.commitment(room.seed()), this.state.closed() ? room.seed() : null);
		}

	}

	/**
	 * {@code seconds} give or take a fifth, at least one: a crowd told the same wait
	 * comes back spread over a window instead of in one burst.
	 */
	private static int spread(double seconds) {
		double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
		return (int) Math.max(1, Math.round(seconds * jitter));
	}

	/**
	 * Where a shopper stands: {@code state} PREQUEUE (in line while the draw is open: it
	 * places everyone at the start), WAITING, ADMITTED (with the {@code pass} for the
	 * purchase-token request, until {@code passExpiresAt}), SOLD_OUT (the units left
	 * cannot reach this place: it may move again when units come back) or EXPIRED (the
	 * turn came and the pass was not used in time).
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record PlaceView(@Schema(allowableValues = {
			"PREQUEUE", "WAITING", "ADMITTED", "SOLD_OUT", "EXPIRED" }) String state, Long position, Long ahead,
			long lineLength, Long estimatedWaitSeconds, int pollAfterSeconds, int admitPerSecond,
			Double admittedPerSecond, String pass, Instant passExpiresAt, Instant startsAt, String drawCommitment,
			@Schema(description = "The draw's seed once it is closed: its SHA-256 is drawCommitment, and HMAC-SHA256(seed, shopper id), first 52 bits, placed each early arrival") String drawSeed){

		PlaceView withWait(long seconds) {
			return new PlaceView(this.state, this.position, this.ahead, this.lineLength, seconds, this.pollAfterSeconds,
					this.admitPerSecond, this.admittedPerSecond, this.pass, this.passExpiresAt, this.startsAt,
					this.drawCommitment, this.drawSeed);
		}

	}

}
