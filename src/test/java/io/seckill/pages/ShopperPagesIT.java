package io.seckill.pages;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.ChallengeAnswers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shopper's page in a real browser: logging in, the server-clock countdown, buying
 * with a one-time purchase token (after a picture challenge where the sale asks for one)
 * and one purchase per press, retries that resend the same token and key, and every
 * outcome a shopper can meet.
 */
class ShopperPagesIT extends BrowserTest {

	private static final String PASSWORD = "password123";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void aNewShopperRegistersThenLogsBackInAfterAWrongPassword() {
		String name = Api.uniqueName("newcomer");
		open("/");

		this.page.getByLabel("Username").fill(name);
		this.page.getByLabel("Password").fill(PASSWORD);
		button("Register").click();
		assertThat(this.page.getByText("Logged in as " + name)).isVisible();
		assertThat(this.page.getByText("Account " + name + " created")).isVisible();

		button("Log out").click();
		assertThat(this.page.getByLabel("Username")).isFocused();
		this.page.getByLabel("Username").fill(name);
		this.page.getByLabel("Password").fill("not-the-password");
		button("Log in").click();
		assertThat(this.page.getByRole(AriaRole.ALERT)).hasText("Wrong username or password.");

		logIn(name);
		assertThat(this.page.getByText("No orders yet.")).isVisible();
		screenshot("shop-logged-in");
	}

	@Test
	void theCountdownFollowsTheServerClockThenOnePressQueuesAndSucceeds() {
		Activity sale = this.api.newSale(Duration.ofSeconds(6), 5);
		String name = newAccount();
		// The browser's own clock is an hour behind: the page must follow the server's.
		this.page.clock().setSystemTime(System.currentTimeMillis() - Duration.ofHours(1).toMillis());
		List<Request> purchases = requests("/purchases");
		List<Request> tokenRequests = requests("/purchase-tokens");
		// Hold the ticket at QUEUED (as a slow order writer would) until the queued state
		// has been seen.
		AtomicBoolean holdTicket = new AtomicBoolean(true);
		this.page.route("**/api/v1/purchases/*", (route) -> {
			if (holdTicket.get()) {
				route.fulfill(new Route.FulfillOptions().setStatus(200)
					.setContentType("application/json")
					.setBody("{\"status\":\"QUEUED\"}"));
			}
			else {
				route.resume();
			}
		});
		open("/");
		logIn(name);

		Locator item = item(sale, sale.item());
		Locator buy = item.locator("button.buy");
		assertThat(countdown(sale)).hasText(Pattern.compile("Starts in 00:00:0[1-7]"));
		assertThat(buy).isDisabled();
		assertThat(buy).hasText("Not started");
		screenshot("shop-countdown");

		assertThat(buy).isEnabled(new LocatorAssertions.IsEnabledOptions().setTimeout(20_000));
		assertThat(countdown(sale)).hasText(Pattern.compile("Ends in (00:59:\\d\\d|01:00:00)"));
		Response issued = this.page.waitForResponse((response) -> response.url().endsWith("/purchase-tokens"),
				buy::click);
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Queued");
		screenshot("shop-queued");
		holdTicket.set(false);

		assertThat(item.getByRole(AriaRole.STATUS)).containsText(Pattern.compile("Success! Order #\\d+"));
		long orderId = onlyOrder(name).path("id").asLong();
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Success! Order #" + orderId);
		assertThat(item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pay order #" + orderId)))
			.isVisible();
		assertThat(issued.status()).isEqualTo(201);
		assertThat(tokenRequests).hasSize(1);
		assertThat(purchases).hasSize(1);
		assertThat(purchases.get(0).headerValue("idempotency-key"))
			.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
		assertThat(purchases.get(0).headerValue("purchase-token")).isEqualTo(json(issued).path("token").asString());
		Locator order = this.page.locator("#orders-list [data-order='" + orderId + "']");
		assertThat(order).containsText("Awaiting payment");
		screenshot("shop-success");

		item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pay order #" + orderId)).click();
		Locator note = item.locator(".note");
		assertThat(note).isVisible();
		String status = onlyOrder(name).path("status").asString();
		if ("PAID".equals(status)) {
			assertThat(note).hasText("Order #" + orderId + " is paid.");
			assertThat(order).containsText("Paid");
		}
		else {
			// The payment was refused (or its endpoint is not there yet): the page shows
			// the
			// server's own message and never pretends it worked.
			Reply refused = this.api.post("/api/v1/orders/" + orderId + "/payment", this.api.logIn(name, PASSWORD),
					null);
			assertThat(refused.status()).isNotEqualTo(200);
			assertThat(note).hasText("Payment of order #" + orderId + " failed: " + refused.text("message"));
			assertThat(order).containsText("Awaiting payment");
		}
		screenshot("shop-payment");
	}

	@Test
	void aSecondPurchaseOfAnItemLimitedToOneIsLimitReached() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		open("/");
		logIn(newAccount());
		Locator item = item(sale, sale.item());

		item.locator("button.buy").click();
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Success! Order #");
		item.locator("button.buy").click();

		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Limit reached");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("You have reached the purchase limit for this item.");
		assertThat(this.page.locator("#orders-list li")).hasCount(1);
		screenshot("shop-limit-reached");
	}

	@Test
	void aSoldOutItemCannotBeBoughtAndALateBuyerIsToldItSoldOut() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 0, 1);
		open("/");
		logIn(newAccount());
		Locator gone = item(sale, sale.itemIds().get(0));
		Locator last = item(sale, sale.itemIds().get(1));
		assertThat(gone.locator("button.buy")).isDisabled();
		assertThat(gone.locator("button.buy")).hasText("Sold out");
		assertThat(last.locator(".remaining")).hasText("1 of 1");

		// The page keeps the listing it has (as between two refreshes) while someone else
		// takes the last unit.
		String listing = this.api.get("/api/v1/activities", null).body().toString();
		this.page.route("**/api/v1/activities", (route) -> route
			.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("application/json").setBody(listing)));
		assertThat(this.api.purchase(sale, sale.itemIds().get(1), this.api.newShopper()).status()).isEqualTo(202);
		last.locator("button.buy").click();

		assertThat(last.getByRole(AriaRole.STATUS)).containsText("Sold out");
		this.page.unroute("**/api/v1/activities");
		assertThat(last.locator("button.buy")).isDisabled();
		assertThat(last.locator(".remaining")).hasText("0 of 1");
		screenshot("shop-sold-out");
	}

	@Test
	void anUnknownOutcomeIsPolledAndPressingAgainRetriesWithTheSameKey() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		List<Request> purchases = requests("/purchases");
		List<Request> tokenRequests = requests("/purchase-tokens");
		// The first purchase meets a Redis timeout: 503 naming a ticket that was never
		// admitted (the server answers 404 for it).
		AtomicBoolean redisDown = new AtomicBoolean(true);
		this.page.route("**/items/*/purchases", (route) -> {
			if (redisDown.getAndSet(false)) {
				route.fulfill(new Route.FulfillOptions().setStatus(503)
					.setContentType("application/json")
					.setBody("{\"code\":\"UNAVAILABLE\",\"message\":\"The outcome is unknown: poll the ticket.\","
							+ "\"messageZh\":\"服务暂时不可用，请稍后重试。\",\"requestId\":\"r-1\",\"ticket\":\"" + sale.id() + "-"
							+ "0".repeat(32) + "\"}"));
			}
			else {
				route.resume();
			}
		});
		open("/");
		logIn(newAccount());
		Locator item = item(sale, sale.item());

		item.locator("button.buy").click();
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Service busy");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("The purchase was not admitted.");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Press Buy again to retry safely");
		item.locator("button.buy").click();

		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Success! Order #");
		assertThat(purchases).hasSize(2);
		assertThat(purchases.get(1).headerValue("idempotency-key"))
			.isEqualTo(purchases.get(0).headerValue("idempotency-key"));
		assertThat(purchases.get(1).headerValue("purchase-token")).isNotBlank()
			.isEqualTo(purchases.get(0).headerValue("purchase-token"));
		assertThat(tokenRequests).as("the retry reuses the attempt's token").hasSize(1);
	}

	@Test
	void aRetryWhoseTokenExpiredMeanwhileGetsANewTokenAndKeepsItsKey() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		List<Request> purchases = requests("/purchases");
		List<Request> tokenRequests = requests("/purchase-tokens");
		// No connection for the first purchase; by the retry its token has expired (the
		// server found no purchase under its key, or it would have answered with that).
		AtomicInteger sent = new AtomicInteger();
		this.page.route("**/items/*/purchases", (route) -> {
			switch (sent.incrementAndGet()) {
				case 1 -> route.abort("connectionreset");
				case 2 -> route.fulfill(new Route.FulfillOptions().setStatus(403)
					.setContentType("application/json")
					.setBody("{\"code\":\"PURCHASE_TOKEN_EXPIRED\",\"message\":\"expired\",\"messageZh\":\"过期\"}"));
				default -> route.resume();
			}
		});
		open("/");
		logIn(newAccount());
		Locator item = item(sale, sale.item());

		item.locator("button.buy").click();
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("No connection");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Press Buy again to retry safely");
		item.locator("button.buy").click();

		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Success! Order #");
		assertThat(purchases).hasSize(3);
		assertThat(tokenRequests).hasSize(2);
		assertThat(purchases).extracting((request) -> request.headerValue("idempotency-key"))
			.containsOnly(purchases.get(0).headerValue("idempotency-key"));
		assertThat(purchases.get(1).headerValue("purchase-token"))
			.isEqualTo(purchases.get(0).headerValue("purchase-token"));
		assertThat(purchases.get(2).headerValue("purchase-token")).isNotBlank()
			.isNotEqualTo(purchases.get(0).headerValue("purchase-token"));
	}

	@Test
	void aBuyPressedBeforeTheServerOpensTheSaleIsRetriedUntilItOpens() {
		String name = newAccount();
		// The page's idea of the server's clock is 5 s ahead (a skewed sync): its
		// countdown
		// ends before the server opens the sale.
		this.page.route("**/api/v1/time",
				(route) -> route.fulfill(new Route.FulfillOptions().setStatus(200)
					.setContentType("application/json")
					.setBody("{\"now\":" + (System.currentTimeMillis() + 5_000) + "}")));
		List<Response> tokenReplies = new CopyOnWriteArrayList<>();
		this.page.onResponse((response) -> {
			if (response.url().endsWith("/purchase-tokens")) {
				tokenReplies.add(response);
			}
		});
		open("/");
		logIn(name);
		Activity sale = this.api.newSale(Duration.ofSeconds(8), 5);
		Locator item = item(sale, sale.item());
		Locator buy = item.locator("button.buy");

		assertThat(buy).isEnabled(new LocatorAssertions.IsEnabledOptions().setTimeout(20_000));
		buy.click();

		assertThat(item.getByRole(AriaRole.STATUS)).containsText("The sale is opening — trying again…");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Success! Order #",
				new LocatorAssertions.ContainsTextOptions().setTimeout(20_000));
		assertThat(tokenReplies.get(0).status()).isEqualTo(409);
		assertThat(tokenReplies.get(tokenReplies.size() - 1).status()).isEqualTo(201);
	}

	@Test
	void aRateLimitedShopperWaitsForTheRetryAfterTheServerNamed() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		AtomicBoolean limited = new AtomicBoolean(true);
		this.page.route("**/items/*/purchase-tokens", (route) -> {
			if (limited.getAndSet(false)) {
				route.fulfill(new Route.FulfillOptions().setStatus(429)
					.setContentType("application/json")
					.setHeaders(Map.of("Retry-After", "5"))
					.setBody(
							"{\"code\":\"RATE_LIMITED\",\"message\":\"Too many requests; slow down and retry shortly.\","
									+ "\"messageZh\":\"请求过于频繁，请稍后重试。\",\"requestId\":\"r-2\"}"));
			}
			else {
				route.resume();
			}
		});
		open("/");
		logIn(newAccount());
		Locator item = item(sale, sale.item());
		Locator buy = item.locator("button.buy");

		buy.click();

		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Too many requests");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("You can try again in 5 s.");
		assertThat(buy).isDisabled();
		assertThat(buy).hasText(Pattern.compile("Wait [1-5] s"));
		screenshot("shop-rate-limited");
		assertThat(buy).hasText("Buy now");
		buy.click();
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Success! Order #");
	}

	@Test
	void aShopperInTheWaitingRoomSeesTheirPlaceThenBuysWithThePassWhenTheirTurnComes() {
		Instant start = Instant.now().plusSeconds(6);
		Activity sale = this.api.newWaitingRoomSale(start, 10, 1, "PT30S", "PT1H");
		List<Request> tokenRequests = requests("/purchase-tokens");
		open("/");
		Locator line = this.page.locator("[data-activity='" + sale.id() + "'] .line");
		assertThat(line.getByRole(AriaRole.STATUS)).hasText("This sale has a waiting room: log in to join its line.");

		// Before the start: in line, no place yet (the draw at the start gives it).
		String early = newAccount();
		logIn(early);
		line.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Join the line")).click();
		assertThat(line.getByRole(AriaRole.STATUS))
			.hasText("You are in line (1 so far). At the start everyone in line is drawn in a random order.");
		screenshot("shop-waiting-room-prequeue", this.page.locator("[data-activity='" + sale.id() + "']"));
		List<String> others = this.api.newShoppers(2, 2);
		for (String other : others) {
			assertThat(this.api.post("/api/v1/activities/" + sale.id() + "/waiting-room", other, null).status())
				.isEqualTo(201);
		}

		// After the start, another shopper joins behind the three drawn: a place, a
		// wait, a progress bar, and no Buy until their turn (one admitted a second).
		button("Log out").click();
		await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(start.plusSeconds(1)));
		logIn(newAccount());
		line.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Join the line")).click();
		assertThat(line.getByRole(AriaRole.STATUS)).containsText("ahead · about");
		assertThat(line.locator("progress")).isVisible();
		assertThat(item(sale, sale.item()).locator("button.buy")).hasText("Wait for your turn");
		assertThat(item(sale, sale.item()).locator("button.buy")).isDisabled();
		screenshot("shop-waiting-room-waiting", this.page.locator("[data-activity='" + sale.id() + "']"));
		this.page.locator("#lang").click();
		assertThat(line.getByRole(AriaRole.STATUS)).containsText("前面还有");
		this.page.locator("#lang").click();
		assertThat(tokenRequests).as("no purchase token before the turn").isEmpty();

		assertThat(line.getByRole(AriaRole.STATUS)).containsText("Your turn! Buy before",
				new LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
		assertThat(line.locator("progress")).isHidden();
		item(sale, sale.item()).locator("button.buy").click();
		assertThat(item(sale, sale.item()).getByRole(AriaRole.STATUS)).containsText("Success! Order #");
		assertThat(tokenRequests).hasSize(1);
		assertThat(tokenRequests.get(0).headerValue("waiting-room-pass")).isNotBlank();
		screenshot("shop-waiting-room-bought");
	}

	@Test
	void aShopperAnswersTheChallengeToJoinTheLineOfAChallengeSaleAndBuysWithThePassAlone() {
		List<Request> joins = requests("/waiting-room");
		List<Request> challenges = requests("/challenges");
		List<Request> tokenRequests = requests("/purchase-tokens");
		open("/");
		logIn(newAccount());
		// Created once logged in: the page shows it at its next listing (2 s), with
		// time to answer twice before the start.
		Activity sale = this.api.newWaitingRoomSale(Instant.now().plusSeconds(8), 5, 10, "PT30S", "PT1H", true);
		Locator activity = this.page.locator("[data-activity='" + sale.id() + "']");
		assertThat(activity).containsText("Joining the line asks you to solve a small sum first.");
		Locator line = activity.locator(".line");
		Locator join = line.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Join the line"));

		Response first = this.page.waitForResponse((response) -> response.url().endsWith("/challenges"), join::click);
		Locator challenge = line.getByRole(AriaRole.FORM,
				new Locator.GetByRoleOptions().setName("Quick check before joining the line"));
		Locator answer = challenge.getByLabel("Result");
		assertThat(answer).isFocused();
		assertThat(join).isHidden();
		assertThat(joins).as("no join without an answer").isEmpty();

		// A wrong answer: not in line, a new question, and the shopper is told why.
		String firstId = json(first).path("challengeId").asString();
		answer.fill(Integer.toString(Integer.parseInt(solve(sale, firstId)) + 1));
		Response second = this.page.waitForResponse((response) -> response.url().endsWith("/challenges"),
				() -> answer.press("Enter"));
		assertThat(challenge.getByRole(AriaRole.ALERT).first())
			.hasText("Wrong answer, or the question expired: here is a new one.");
		answer.fill(solve(sale, json(second).path("challengeId").asString()));
		screenshot("shop-waiting-room-challenge", activity);
		challenge.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Confirm and join")).click();
		assertThat(line.getByRole(AriaRole.STATUS))
			.hasText("You are in line (1 so far). At the start everyone in line is drawn in a random order.");
		assertThat(challenge).isHidden();
		assertThat(joins).hasSize(2);

		// The turn comes: Buy sends the pass, and no question is asked again.
		assertThat(line.getByRole(AriaRole.STATUS)).containsText("Your turn! Buy before",
				new LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
		item(sale, sale.item()).locator("button.buy").click();
		assertThat(item(sale, sale.item()).getByRole(AriaRole.STATUS)).containsText("Success! Order #");
		assertThat(challenges).hasSize(2);
		assertThat(tokenRequests).hasSize(1);
		assertThat(tokenRequests.get(0).postData()).as("no answer with the pass").isNullOrEmpty();
	}

	@Test
	void atTheStartTheDrawPlacesWhoWasInLineAndThePageShowsWhereItPutTheShopper() {
		String name = newAccount();
		List<String> others = this.api.newShoppers(2, 2);
		open("/");
		logIn(name);
		Instant start = Instant.now().plusSeconds(6);
		Activity sale = this.api.newWaitingRoomSale(start, 1, 10, "PT1H", "PT1H");
		Locator line = this.page.locator("[data-activity='" + sale.id() + "'] .line");
		line.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Join the line")).click();
		assertThat(line.getByRole(AriaRole.STATUS)).containsText("You are in line (1 so far).");
		for (String other : others) {
			assertThat(this.api.post("/api/v1/activities/" + sale.id() + "/waiting-room", other, null).status())
				.isEqualTo(201);
		}

		// One unit, three drawn: the first in the draw's order has the turn, the others
		// are told at once that the stock cannot reach them, whoever joined first.
		// Until the round that admits the first (the one closing the draw may admit
		// nobody yet: its credit is the time since the start).
		await().atMost(Duration.ofSeconds(15)).until(() -> draw(sale).path("admitted").asLong() == 1);
		assertThat(draw(sale).path("drawn").asLong()).as("all three joined before the start").isEqualTo(3);
		String shopper = this.api.logIn(name, PASSWORD);
		List<String> states = new ArrayList<>();
		// The node's figures of the line are at most a second old.
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			states.clear();
			for (String who : List.of(shopper, others.get(0), others.get(1))) {
				states.add(this.api.get("/api/v1/activities/" + sale.id() + "/waiting-room", who).text("state"));
			}
			assertThat(states).containsExactlyInAnyOrder("ADMITTED", "SOLD_OUT", "SOLD_OUT");
		});
		assertThat(line.getByRole(AriaRole.STATUS)).containsText(
				"ADMITTED".equals(states.get(0)) ? "Your turn! Buy before" : "The units left cannot reach your place",
				new LocatorAssertions.ContainsTextOptions().setTimeout(10_000));
		JsonNode draw = draw(sale);
		assertThat(draw.path("seed").asString()).as("the seed is shown once the draw is closed").isNotBlank();
		assertThat(draw.path("head")).hasSize(3);
	}

	@Test
	void aPlaceTheStockCannotReachIsSoldOutAtOnceMovesWhenAPassExpiresAndAnUnusedTurnEnds() {
		// Logged in first: the page's shopper joins within the pass of the one ahead
		// (10 s).
		String ahead = this.api.newShopper();
		open("/");
		logIn(newAccount());
		Instant start = Instant.now().plusSeconds(1);
		Activity sale = this.api.newWaitingRoomSale(start, 1, 10, "PT10S", "PT1H");
		await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(start.plusSeconds(1)));
		// Someone ahead is admitted to the only unit and does not buy.
		assertThat(this.api.post("/api/v1/activities/" + sale.id() + "/waiting-room", ahead, null).status())
			.isEqualTo(201);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "ADMITTED"
				.equals(this.api.get("/api/v1/activities/" + sale.id() + "/waiting-room", ahead).text("state")));

		Locator line = this.page.locator("[data-activity='" + sale.id() + "'] .line");
		Locator buy = item(sale, sale.item()).locator("button.buy");
		line.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Join the line")).click();
		assertThat(line.getByRole(AriaRole.STATUS)).hasText(
				"The units left cannot reach your place: sold out for now. If units come back, the line moves again.");
		assertThat(buy).isDisabled();
		screenshot("shop-waiting-room-sold-out", this.page.locator("[data-activity='" + sale.id() + "']"));

		// The pass ahead expires unused: its unit comes back and the line moves on to
		// this shopper, whose own turn then passes unused too.
		assertThat(line.getByRole(AriaRole.STATUS)).containsText("Your turn! Buy before",
				new LocatorAssertions.ContainsTextOptions().setTimeout(25_000));
		assertThat(buy).isEnabled();
		assertThat(line.getByRole(AriaRole.STATUS)).hasText("Your turn has passed: the pass expired before you bought.",
				new LocatorAssertions.HasTextOptions().setTimeout(25_000));
		assertThat(buy).hasText("Wait for your turn");
		assertThat(buy).isDisabled();
	}

	@Test
	void aShopperSolvesTheChallengeOfAChallengeSaleThenBuys() {
		Activity sale = this.api.newChallengeSale(Duration.ofSeconds(-1), 5);
		List<Request> tokenRequests = requests("/purchase-tokens");
		List<Request> purchases = requests("/purchases");
		open("/");
		logIn(newAccount());
		assertThat(this.page.locator("[data-activity='" + sale.id() + "']"))
			.containsText("Buying here asks you to solve a small sum first.");
		Locator item = item(sale, sale.item());

		Response first = this.page.waitForResponse((response) -> response.url().endsWith("/challenges"),
				() -> item.locator("button.buy").click());
		Locator challenge = item.getByRole(AriaRole.FORM,
				new Locator.GetByRoleOptions().setName("Quick check before buying"));
		Locator answer = challenge.getByLabel("Result");
		assertThat(challenge.getByRole(AriaRole.IMG,
				new Locator.GetByRoleOptions().setName("A sum to solve, shown as a picture")))
			.isVisible();
		assertThat(answer).isFocused();
		assertThat(item.locator("button.buy")).isDisabled();
		assertThat(tokenRequests).as("no token without an answer").isEmpty();

		// A wrong answer: a new question, and the shopper is told why.
		String firstId = json(first).path("challengeId").asString();
		answer.fill(Integer.toString(Integer.parseInt(solve(sale, firstId)) + 1));
		Response second = this.page.waitForResponse((response) -> response.url().endsWith("/challenges"),
				() -> answer.press("Enter"));
		assertThat(challenge.getByRole(AriaRole.ALERT).first())
			.hasText("Wrong answer, or the question expired: here is a new one.");
		String secondId = json(second).path("challengeId").asString();
		assertThat(secondId).isNotEqualTo(firstId);
		assertThat(answer).isFocused();
		assertThat(answer).isEmpty();
		screenshot("shop-challenge");

		String right = solve(sale, secondId);
		answer.fill(right);
		challenge.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Confirm and buy")).click();

		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Success! Order #");
		assertThat(challenge).isHidden();
		assertThat(tokenRequests).hasSize(2);
		assertThat(tokenRequests.get(1).postData()).contains("\"challengeId\":\"" + secondId + "\"")
			.contains("\"answer\":\"" + right + "\"");
		assertThat(purchases).hasSize(1);
		assertThat(purchases.get(0).headerValue("purchase-token")).isNotBlank();
		screenshot("shop-challenge-success");
	}

	@Test
	void aRefusedPurchaseTokenIsExplainedInChineseAndTheNextPressAsksForANewOne() {
		useContext(new Browser.NewContextOptions().setViewportSize(1280, 900).setLocale("zh-CN"));
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		List<Request> tokenRequests = requests("/purchase-tokens");
		AtomicBoolean refuse = new AtomicBoolean(true);
		this.page.route("**/items/*/purchases", (route) -> {
			if (refuse.getAndSet(false)) {
				route.fulfill(new Route.FulfillOptions().setStatus(403)
					.setContentType("application/json")
					.setBody("{\"code\":\"PURCHASE_TOKEN_INVALID\",\"message\":\"The purchase token is malformed.\","
							+ "\"messageZh\":\"购买令牌格式错误或签名无效。\",\"requestId\":\"r-3\"}"));
			}
			else {
				route.resume();
			}
		});
		String name = newAccount();
		open("/");
		this.page.getByLabel("用户名").fill(name);
		this.page.getByLabel("密码").fill(PASSWORD);
		button("登录").click();
		Locator item = item(sale, sale.item());
		Locator buy = item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("立即抢购"));

		buy.click();
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("购买令牌无效");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("请再次点击抢购以重新申请");
		buy.click();

		assertThat(item.getByRole(AriaRole.STATUS)).containsText("抢购成功！订单号");
		assertThat(tokenRequests).hasSize(2);
	}

	@Test
	void aBlacklistedShopperIsToldNotEligibleInChineseThenInEnglish() {
		useContext(new Browser.NewContextOptions().setViewportSize(1280, 900).setLocale("zh-CN"));
		String name = newAccount();
		Reply blacklisted = this.api.send("PATCH", "/api/v1/admin/users/" + name, this.api.adminToken(),
				"{\"blacklisted\":true}", Map.of());
		assertThat(blacklisted.status()).isEqualTo(200);
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		open("/");
		assertThat(this.page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("限时秒杀"))).isVisible();
		assertThat(this.page.locator("html")).hasAttribute("lang", "zh-CN");

		this.page.getByLabel("用户名").fill(name);
		this.page.getByLabel("密码").fill(PASSWORD);
		button("登录").click();
		assertThat(this.page.getByText("已登录：" + name)).isVisible();
		Locator item = item(sale, sale.item());
		item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("立即抢购")).click();

		assertThat(item.getByRole(AriaRole.STATUS)).containsText("不符合资格");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("您不具备本次秒杀的资格。");
		screenshot("shop-not-eligible-zh");

		button("English").click();
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Not eligible");
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("You are not eligible for this sale.");
		assertThat(this.page.locator("html")).hasAttribute("lang", "en");
		screenshot("shop-not-eligible");
	}

	@Test
	void onAPhoneThePageFitsTheScreenAndTheKeyboardReachesTheContent() {
		useContext(new Browser.NewContextOptions().setViewportSize(390, 844)
			.setDeviceScaleFactor(2)
			.setIsMobile(true)
			.setHasTouch(true)
			.setLocale("en-US")
			.setTimezoneId("Asia/Shanghai"));
		Activity sale = this.api.newChallengeSale(Duration.ofSeconds(-1), 3, 7);
		open("/");
		this.page.keyboard().press("Tab");
		assertThat(this.page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Skip to the content")))
			.isFocused();
		logIn(newAccount());
		Locator item = item(sale, sale.itemIds().get(1));
		Response challenge = this.page.waitForResponse((response) -> response.url().endsWith("/challenges"),
				() -> item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Buy now")).tap());
		item.getByLabel("Result").fill(solve(sale, json(challenge).path("challengeId").asString()));
		item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Confirm and buy")).tap();
		assertThat(item.getByRole(AriaRole.STATUS)).containsText("Success! Order #");
		assertThat(item.locator(".remaining")).hasText("6 of 7");
		// The other item with its question open.
		Locator other = item(sale, sale.itemIds().get(0));
		other.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Buy now")).tap();
		assertThat(other.getByRole(AriaRole.IMG)).isVisible();

		assertThat(fitsTheViewport()).as("no sideways scrolling on a 390 px wide screen").isTrue();
		screenshot("shop-phone");
		screenshot("shop-phone-sale", this.page.locator("[data-activity='" + sale.id() + "']"));
	}

	/** The POST requests the page sends to URLs ending in {@code suffix}, in order. */
	private List<Request> requests(String suffix) {
		List<Request> sent = new CopyOnWriteArrayList<>();
		this.page.onRequest((request) -> {
			if (request.method().equals("POST") && request.url().endsWith(suffix)) {
				sent.add(request);
			}
		});
		return sent;
	}

	private static JsonNode json(Response response) {
		return JSON.readTree(response.text());
	}

	/** A sale's waiting room as an admin sees it. */
	private JsonNode draw(Activity sale) {
		Reply draw = this.api.get("/api/v1/admin/activities/" + sale.id() + "/waiting-room", this.api.adminToken());
		assertThat(draw.status()).isEqualTo(200);
		return draw.body();
	}

	private String solve(Activity sale, String challengeId) {
		return ChallengeAnswers.answer(this.redis, this.keys, sale.id(), challengeId);
	}

	private String newAccount() {
		String name = Api.uniqueName("shopper");
		assertThat(this.api.register(name, PASSWORD).status()).isEqualTo(201);
		return name;
	}

	private void logIn(String name) {
		this.page.getByLabel("Username").fill(name);
		this.page.getByLabel("Password").fill(PASSWORD);
		button("Log in").click();
		assertThat(this.page.getByText("Logged in as " + name)).isVisible();
	}

	private Locator button(String name) {
		return this.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
	}

	private Locator item(Activity sale, long itemId) {
		return this.page.locator("[data-activity='" + sale.id() + "'] [data-item='" + itemId + "']");
	}

	private Locator countdown(Activity sale) {
		return this.page.locator("[data-activity='" + sale.id() + "'] .countdown");
	}

	/** The shopper's one order, as the API reports it. */
	private JsonNode onlyOrder(String name) {
		Reply orders = this.api.get("/api/v1/orders", this.api.logIn(name, PASSWORD));
		assertThat(orders.status()).isEqualTo(200);
		assertThat(orders.body()).hasSize(1);
		return orders.body().get(0);
	}

}
