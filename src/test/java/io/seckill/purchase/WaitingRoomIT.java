package io.seckill.purchase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jwt.SignedJWT;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.ChallengeAnswers;
import io.seckill.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A sale's waiting room, on a real Redis and database: who joins before the start is
 * admitted in the draw's order (recomputed here from the seed shown afterwards, which
 * hashes to the commitment shown before), later arrivals behind them in arrival order, at
 * the configured rate, each once; a pass opens the purchase for its own shopper and sale
 * only; places the stock cannot reach are told SOLD_OUT at once, and a pass that expires
 * unused gives its unit to the next in line.
 */
class WaitingRoomIT extends IntegrationTest {

	@Test
	void earlyArrivalsAreAdmittedInTheDrawsOrderLateOnesByArrivalAtTheConfiguredRate() throws Exception {
		List<String> early = this.api.newShoppers(40, 8);
		List<String> late = this.api.newShoppers(5, 5);
		Instant start = Instant.now().plusSeconds(4);
		Activity sale = newWaitingRoomSale(start, 100, 15, "PT30S");
		JsonNode before = draw(sale);
		assertThat(before.path("seed").isMissingNode() || before.path("seed").isNull()).as("secret before the start")
			.isTrue();
		String commitment = before.path("commitment").asString();

		for (String shopper : early) {
			Reply joined = join(sale, shopper);
			assertThat(joined.status()).isEqualTo(201);
			assertThat(joined.text("state")).isEqualTo("PREQUEUE");
		}
		JsonNode open = draw(sale);
		assertThat(open.path("closed").asBoolean()).isFalse();
		assertThat(open.path("drawn").asLong()).isEqualTo(40);
		assertThat(open.path("head")).as("the order is as secret as the seed until the draw closes").isEmpty();
		assertThat(status(sale, early.get(0)).body().has("drawSeed")).isFalse();
		Reply again = join(sale, early.get(0));
		assertThat(again.status()).as("joining again: the same place").isEqualTo(200);
		assertThat(status(sale, early.get(0)).text("state")).isEqualTo("PREQUEUE");
		assertThat(status(sale, early.get(0)).body().path("drawCommitment").asString()).isEqualTo(commitment);

		await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(start.plusMillis(500)));
		for (String shopper : late) {
			assertThat(join(sale, shopper).status()).isEqualTo(201);
		}
		// Joining again after the others changes nothing: the arrival order below holds.
		assertThat(join(sale, late.get(0)).status()).isEqualTo(200);
		// How fast the line moves: one round a second at most, the first at the start,
		// each admitting the rate at most; so by t seconds after the start at most
		// 15 * (1 + floor(t)).
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
			long admitted = draw(sale).path("admitted").asLong();
			long seconds = Duration.between(start, Instant.now()).toSeconds();
			assertThat(admitted).as("admitted %s s after the start", seconds).isLessThanOrEqualTo(15 * (1 + seconds));
			return admitted == 45;
		});

		JsonNode after = draw(sale);
		String seed = after.path("seed").asString();
		assertThat(sha256(seed)).as("the seed shown is the one committed to").isEqualTo(commitment);
		List<Long> order = new ArrayList<>();
		after.path("head").forEach((place) -> order.add(place.path("userId").asLong()));
		assertThat(new HashSet<>(order)).as("nobody twice").hasSize(45);
		List<Long> earlyIds = new ArrayList<>(early.stream().map(WaitingRoomIT::userId).toList());
		earlyIds.sort(Comparator.comparingLong((Long id) -> drawScore(seed, id)));
		assertThat(order.subList(0, 40)).as("early arrivals in the order the seed draws").isEqualTo(earlyIds);
		assertThat(order.subList(40, 45)).as("late arrivals by arrival")
			.isEqualTo(late.stream().map(WaitingRoomIT::userId).toList());
		for (String shopper : early) {
			// The node's figures are at most a second old.
			assertThat(awaitPass(sale, shopper)).isNotBlank();
		}
		assertThat(status(sale, early.get(0)).body().path("drawSeed").asString())
			.as("each shopper can check the draw once it is closed")
			.isEqualTo(seed);
	}

	@Test
	void aPassOpensThePurchaseForItsOwnShopperAndSaleOnly() {
		List<String> shoppers = this.api.newShoppers(2, 2);
		String alice = shoppers.get(0);
		String bob = shoppers.get(1);
		Instant start = Instant.now().plusSeconds(2);
		Activity sale = newWaitingRoomSale(start, 10, 100, "PT30S");
		Activity other = newWaitingRoomSale(start, 10, 100, "PT30S");
		for (String shopper : shoppers) {
			join(sale, shopper);
		}
		join(other, alice);
		String alicesPass = awaitPass(sale, alice);
		String bobsPass = awaitPass(sale, bob);
		String alicesOtherPass = awaitPass(other, alice);

		assertThat(tokenWithPass(sale, alice, null).code()).isEqualTo("WAITING_ROOM_PASS_REQUIRED");
		assertThat(tokenWithPass(sale, alice, bobsPass).code()).isEqualTo("WAITING_ROOM_PASS_FOREIGN");
		assertThat(tokenWithPass(sale, alice, alicesOtherPass).code()).isEqualTo("WAITING_ROOM_PASS_FOREIGN");
		String forged = alicesPass.substring(0, alicesPass.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAA";
		assertThat(tokenWithPass(sale, alice, forged).code()).isEqualTo("WAITING_ROOM_PASS_INVALID");
		String longer = alicesPass.replaceFirst("\\.(\\d+)\\.([^.]+)$", ".9$1.$2");
		assertThat(tokenWithPass(sale, alice, longer).code()).as("a pass whose expiry was changed")
			.isEqualTo("WAITING_ROOM_PASS_INVALID");
		assertThat(outstanding(sale)).isEqualTo(2);

		Reply token = tokenWithPass(sale, alice, alicesPass);
		assertThat(token.status()).isEqualTo(201);
		Instant passExpires = Instant.parse(status(sale, alice).text("passExpiresAt"));
		assertThat(Instant.parse(token.text("expiresAt"))).as("a token never outlives the turn")
			.isBeforeOrEqualTo(passExpires);
		Reply bought = this.api.purchaseWithTokenAsync(sale, sale.item(), alice, token.text("token"), "k1").join();
		assertThat(bought.status()).isEqualTo(202);
		assertThat(this.api.awaitTicket(bought.text("ticket"), alice, Duration.ofSeconds(20)).text("status"))
			.isEqualTo("SUCCESS");
		// Alice bought: she holds no unit back from the line any more.
		await().atMost(Duration.ofSeconds(5)).until(() -> outstanding(sale) == 1);
	}

	@Test
	void placesTheStockCannotReachAreSoldOutAtOnceAndAnExpiredPassFreesItsTurn() {
		List<String> shoppers = this.api.newShoppers(5, 5);
		Instant start = Instant.now().plusSeconds(2);
		Activity sale = newWaitingRoomSale(start, 2, 100, "PT10S");
		for (String shopper : shoppers) {
			join(sale, shopper);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> draw(sale).path("admitted").asLong() == 2);
		List<String> inOrder = lineOrder(sale, shoppers);
		String buyer = inOrder.get(0);
		String idle = inOrder.get(1);
		awaitPass(sale, buyer);
		String idlePass = awaitPass(sale, idle);
		for (String shopper : inOrder.subList(2, 5)) {
			await().atMost(Duration.ofSeconds(3)).until(() -> "SOLD_OUT".equals(status(sale, shopper).text("state")));
		}
		// The next place could get a unit as soon as one of the two passes expires: it
		// asks again within a third of the pass's life; the last one only a cancelled
		// order can reach, and asks rarely.
		assertThat(status(sale, inOrder.get(2)).body().path("pollAfterSeconds").asInt()).isBetween(1, 3);
		assertThat(status(sale, inOrder.get(4)).body().path("pollAfterSeconds").asInt()).isBetween(8, 12);
		Reply token = tokenWithPass(sale, buyer, awaitPass(sale, buyer));
		assertThat(this.api.purchaseWithTokenAsync(sale, sale.item(), buyer, token.text("token"), "k").join().status())
			.isEqualTo(202);

		// The idle shopper's pass runs out: their unit goes to the next in line, and the
		// two behind stay SOLD_OUT (the buyer's unit is sold, the next holds the other).
		await().atMost(Duration.ofSeconds(20)).until(() -> "EXPIRED".equals(status(sale, idle).text("state")));
		assertThat(tokenWithPass(sale, idle, idlePass).code()).isEqualTo("WAITING_ROOM_PASS_EXPIRED");
		await().atMost(Duration.ofSeconds(5))
			.until(() -> "ADMITTED".equals(status(sale, inOrder.get(2)).text("state")));
		assertThat(status(sale, inOrder.get(3)).text("state")).isEqualTo("SOLD_OUT");
		assertThat(status(sale, inOrder.get(4)).text("state")).isEqualTo("SOLD_OUT");
		assertThat(draw(sale).path("admitted").asLong()).isEqualTo(3);
	}

	@Test
	void aSaleWithAChallengeAsksItOnceAtTheJoinAndThePassStandsForItAtTheToken() {
		Activity sale = this.api.newWaitingRoomSale(Instant.now().plusSeconds(3), 5, 10, "PT30S", "PT1H", true);
		String shopper = this.api.newShopper();
		Reply unanswered = join(sale, shopper);
		assertThat(unanswered.status()).isEqualTo(403);
		assertThat(unanswered.code()).isEqualTo("CHALLENGE_REQUIRED");
		String first = challenge(sale, shopper);
		String wrong = Integer
			.toString(Integer.parseInt(ChallengeAnswers.answer(this.redis, this.keys, sale.id(), first)) + 1);
		Reply wrongly = join(sale, shopper, first, wrong);
		assertThat(wrongly.status()).isEqualTo(403);
		assertThat(wrongly.code()).isEqualTo("CHALLENGE_FAILED");
		assertThat(status(sale, shopper).code()).as("a wrong answer joins nobody").isEqualTo("WAITING_ROOM_NOT_JOINED");
		String second = challenge(sale, shopper);
		Reply joined = join(sale, shopper, second, ChallengeAnswers.answer(this.redis, this.keys, sale.id(), second));
		assertThat(joined.status()).isEqualTo(201);
		assertThat(joined.text("state")).isEqualTo("PREQUEUE");
		Reply again = join(sale, shopper);
		assertThat(again.status()).as("in line: not asked again, the same place").isEqualTo(200);
		assertThat(again.text("state")).isEqualTo("PREQUEUE");

		String pass = awaitPass(sale, shopper);
		Reply token = tokenWithPass(sale, shopper, pass);
		assertThat(token.status()).as("the pass stands for the challenge: " + token).isEqualTo(201);
		assertThat(
				this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token.text("token"), "k").join().status())
			.isEqualTo(202);
	}

	@Test
	void theLineRefusesWhatItCannotServe() {
		String shopper = this.api.newShopper();
		Activity notYet = newWaitingRoomSale(Instant.now().plus(Duration.ofHours(1)), 5, 10, "PT30S", "PT10M");
		JsonNode shown = this.api.get("/api/v1/activities/" + notYet.id(), null).body().path("waitingRoom");
		assertThat(shown.path("admitPerSecond").asInt()).isEqualTo(10);
		assertThat(shown.path("opensBefore").asString()).isEqualTo("PT10M");
		assertThat(shown.has("seed")).as("the seed stays on the server").isFalse();
		Reply closed = join(notYet, shopper);
		assertThat(closed.status()).isEqualTo(409);
		assertThat(closed.code()).isEqualTo("WAITING_ROOM_NOT_OPEN");

		Activity open = newWaitingRoomSale(Instant.now().plusSeconds(60), 5, 10, "PT30S");
		Reply notJoined = status(open, shopper);
		assertThat(notJoined.status()).isEqualTo(404);
		assertThat(notJoined.code()).isEqualTo("WAITING_ROOM_NOT_JOINED");
		assertThat(this.api.post("/api/v1/activities/" + open.id() + "/waiting-room", null, null).status())
			.as("logged in first")
			.isEqualTo(401);

		Activity plain = this.api.newSale(Duration.ofSeconds(-1), 5);
		assertThat(join(plain, shopper).code()).isEqualTo("NOT_FOUND");
		Reply badLine = this.api.post("/api/v1/admin/activities", this.api.adminToken(),
				saleJson(Instant.now().plusSeconds(60), 5,
						"{\"opensBefore\":\"PT1H\",\"admitPerSecond\":0,\"passTtl\":\"PT30S\"}"));
		assertThat(badLine.status()).isEqualTo(400);
		Reply badTtl = this.api.post("/api/v1/admin/activities", this.api.adminToken(),
				saleJson(Instant.now().plusSeconds(60), 5,
						"{\"opensBefore\":\"PT1H\",\"admitPerSecond\":5,\"passTtl\":\"PT1S\"}"));
		assertThat(badTtl.status()).isEqualTo(400);
	}

	private Activity newWaitingRoomSale(Instant start, int stock, int admitPerSecond, String passTtl) {
		return newWaitingRoomSale(start, stock, admitPerSecond, passTtl, "PT1H");
	}

	private Activity newWaitingRoomSale(Instant start, int stock, int admitPerSecond, String passTtl,
			String opensBefore) {
		return this.api.newWaitingRoomSale(start, stock, admitPerSecond, passTtl, opensBefore);
	}

	private static String saleJson(Instant start, int stock, String waitingRoom) {
		return Api.waitingRoomSaleJson(start, stock, waitingRoom);
	}

	private Reply join(Activity sale, String shopper) {
		return this.api.post("/api/v1/activities/" + sale.id() + "/waiting-room", shopper, null);
	}

	private Reply join(Activity sale, String shopper, String challengeId, String answer) {
		return this.api.post("/api/v1/activities/" + sale.id() + "/waiting-room", shopper,
				"{\"challengeId\":\"" + challengeId + "\",\"answer\":\"" + answer + "\"}");
	}

	private String challenge(Activity sale, String shopper) {
		Reply challenge = this.api.post("/api/v1/activities/" + sale.id() + "/challenges", shopper, null);
		assertThat(challenge.status()).as(challenge.toString()).isEqualTo(201);
		return challenge.text("challengeId");
	}

	private Reply status(Activity sale, String shopper) {
		return this.api.get("/api/v1/activities/" + sale.id() + "/waiting-room", shopper);
	}

	private JsonNode draw(Activity sale) {
		Reply draw = this.api.get("/api/v1/admin/activities/" + sale.id() + "/waiting-room", this.api.adminToken());
		assertThat(draw.status()).isEqualTo(200);
		return draw.body();
	}

	private long outstanding(Activity sale) {
		return draw(sale).path("outstanding").asLong();
	}

	private String awaitPass(Activity sale, String shopper) {
		String[] pass = new String[1];
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			Reply place = status(sale, shopper);
			pass[0] = place.text("pass");
			return "ADMITTED".equals(place.text("state"));
		});
		return pass[0];
	}

	private Reply tokenWithPass(Activity sale, String shopper, String pass) {
		return this.api.send("POST", sale.purchasePath(sale.item()).replace("/purchases", "/purchase-tokens"), shopper,
				null, (pass != null) ? Map.of("Waiting-Room-Pass", pass) : Map.of());
	}

	/** The shoppers in the line's order, as the admin sees it. */
	private List<String> lineOrder(Activity sale, List<String> shoppers) {
		List<String> order = new ArrayList<>();
		draw(sale).path("head").forEach((place) -> {
			long id = place.path("userId").asLong();
			shoppers.stream().filter((shopper) -> userId(shopper) == id).forEach(order::add);
		});
		assertThat(order).hasSize(shoppers.size());
		return order;
	}

	private static long userId(String accessToken) {
		try {
			return Long.parseLong(SignedJWT.parse(accessToken).getJWTClaimsSet().getSubject());
		}
		catch (ParseException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The draw as anyone can recompute it from the seed: HMAC-SHA256, first 52 bits. */
	private static long drawScore(String seed, long userId) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(HexFormat.of().parseHex(seed), "HmacSHA256"));
			byte[] digest = mac.doFinal(Long.toString(userId).getBytes(StandardCharsets.US_ASCII));
			return new java.math.BigInteger(1, java.util.Arrays.copyOf(digest, 8)).shiftRight(12).longValueExact();
		}
		catch (java.security.GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String sha256(String seed) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(HexFormat.of().parseHex(seed)));
	}

}
