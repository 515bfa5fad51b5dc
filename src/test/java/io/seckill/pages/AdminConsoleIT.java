package io.seckill.pages;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.seckill.support.Api;
import io.seckill.support.ScriptedAdmissions;
import io.seckill.support.TestServers;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin console in a real browser: who may use it, setting up and publishing a sale
 * with inline validation (and its picture challenge on or off), user eligibility, and the
 * live dashboard during a sale, with the reasons this node refused requests.
 */
class AdminConsoleIT extends BrowserTest {

	private static final ZoneId BROWSER_ZONE = ZoneId.of("Asia/Shanghai");

	private static final DateTimeFormatter LOCAL_INPUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");

	@Test
	void aShopperIsNotLetIntoTheConsole() {
		String name = Api.uniqueName("curious");
		this.api.register(name, "password123");
		open("/admin.html");

		logIn(name, "password123");

		assertThat(this.page.getByRole(AriaRole.ALERT)).hasText("This account is not an administrator.");
		assertThat(this.page.locator("#console")).isHidden();
	}

	@Test
	void anAdminSetsUpASaleThenWatchesItSellOutOnTheDashboard() {
		List<String> shoppers = this.api.newShoppers(60, 8);
		open("/admin.html");
		logIn("root-admin", TestServers.adminPassword());

		// Create, with a mistake the API names and the form shows at the field.
		button("New activity").click();
		String name = Api.uniqueName("console-sale");
		this.page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill(name);
		Locator firstItem = this.page.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName("Item 1"));
		firstItem.getByLabel("Item name").fill("Phone");
		firstItem.getByLabel("Price").fill("9.99");
		firstItem.getByLabel("Stock").fill("-1");
		button("Save").click();
		assertThat(firstItem.getByLabel("Stock")).hasAttribute("aria-invalid", "true");
		assertThat(firstItem.getByLabel("Stock")).hasAccessibleDescription("must be greater than or equal to 0");
		assertThat(firstItem.getByLabel("Stock")).isFocused();
		assertThat(this.page.locator("#editor-message")).hasText("Please correct the marked fields.");
		screenshot("admin-validation");
		firstItem.getByLabel("Stock").fill("50");
		Locator challenge = this.page.getByLabel("Ask shoppers to solve a picture challenge before buying");
		assertThat(challenge).not().isChecked();
		challenge.check();
		button("Save").click();
		assertThat(this.page.locator("#notice")).hasText(Pattern.compile("Activity #\\d+ saved\\."));
		Locator draft = this.page.locator("#activities-table tbody tr")
			.filter(new Locator.FilterOptions().setHasText(name));
		assertThat(draft).containsText("Draft · Upcoming · challenge on");
		assertThat(this.jdbc.queryForObject("SELECT challenge FROM activities WHERE name = ?", Boolean.class, name))
			.isTrue();

		// Edit before the start: a new name, a window that opens now, and no challenge
		// (the crowd below buys with tokens alone).
		String renamed = name + "-live";
		button("Edit " + name).click();
		assertThat(this.page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Edit activity #")))
			.isVisible();
		assertThat(challenge).isChecked();
		challenge.uncheck();
		this.page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill(renamed);
		this.page.getByLabel("Starts at").fill(browserTime(Instant.now().minusSeconds(60)));
		this.page.getByLabel("Ends at").fill(browserTime(Instant.now().plusSeconds(3600)));
		button("Save").click();
		Locator row = this.page.locator("#activities-table tbody tr")
			.filter(new Locator.FilterOptions().setHasText(renamed));
		assertThat(row).containsText("Draft");
		assertThat(row).not().containsText("challenge on");
		long activityId = Long.parseLong(row.getAttribute("data-activity"));

		button("Publish " + renamed).click();
		assertThat(this.page.locator("#notice")).containsText("Activity #" + activityId + " is published");
		assertThat(row).containsText("Running");
		screenshot("admin-activities");

		// The dashboard, before and while a crowd buys.
		button("Dashboard of " + renamed).click();
		assertThat(this.page.locator("#dashboard-heading")).isFocused();
		assertThat(this.page.getByRole(AriaRole.HEADING,
				new Page.GetByRoleOptions().setName("Dashboard: " + renamed + " (#" + activityId + ")")))
			.isVisible();
		Locator stock = this.page.locator("#dashboard-items tbody tr");
		assertThat(stock.locator(".redis")).hasText("50");
		assertThat(stock.locator(".sold")).hasText("0");
		assertThat(this.page.locator("#kpi-queued")).hasText("0");
		Activity sale = new Activity(activityId, List.of(Long.parseLong(stock.getAttribute("data-item"))));

		// Two waves of buyers in the background; the page must follow each.
		CompletableFuture<List<Reply>> firstWave = buy(sale, shoppers.subList(0, 20));
		assertThat(stock.locator(".sold")).hasText("20");
		assertThat(stock.locator(".redis")).hasText("30");
		assertThat(this.page.locator("#kpi-queued")).hasText("20");
		CompletableFuture<List<Reply>> secondWave = buy(sale, shoppers.subList(20, 60));
		assertThat(stock.locator(".sold")).hasText("50");
		assertThat(stock.locator(".redis")).hasText("0");
		assertThat(stock.locator(".database")).hasText("0");
		assertThat(stock.locator(".drift")).hasText("0");
		assertThat(this.page.locator("#kpi-sold")).hasText("50 / 50");
		assertThat(this.page.locator("#kpi-queued")).hasText("50");
		assertThat(this.page.locator("#kpi-queue")).hasText("0");
		assertThat(this.page.locator("#chart-rate polyline[data-series='QUEUED']")).hasCount(1);
		assertThat(this.page.locator("#chart-rate polyline[data-series='SOLD_OUT']")).hasCount(1);
		assertThat(Double.parseDouble(this.page.locator("#kpi-rate").getAttribute("data-peak"))).isPositive();
		List<Reply> replies = new ArrayList<>(firstWave.join());
		replies.addAll(secondWave.join());
		assertThat(replies.stream().filter((reply) -> reply.status() == 202)).hasSize(50);
		assertThat(replies.stream().filter((reply) -> "SOLD_OUT".equals(reply.code()))).hasSize(10);
		assertThat(this.page.locator("#kpi-tokens")).hasText(Pattern.compile("^(5[1-9]|60)$"));
		assertThat(this.page.locator("#chart-tokens polyline[data-series='ISSUED']")).hasCount(1);
		assertThat(this.page.locator("#dashboard-rejections tr[data-reason='SOLD_OUT']")).isVisible();
		// Once the crowd is gone, the rate falls back to zero.
		assertThat(this.page.locator("#kpi-rate")).hasText("0.0/s");
		screenshot("admin-dashboard");

		this.page.setViewportSize(390, 844);
		assertThat(fitsTheViewport()).as("no sideways scrolling on a 390 px wide screen").isTrue();
		screenshot("admin-dashboard-phone");
	}

	@Test
	void anAdminPutsAWaitingRoomInFrontOfASaleAndWatchesTheLine() {
		open("/admin.html");
		logIn("root-admin", TestServers.adminPassword());
		button("New activity").click();
		String name = Api.uniqueName("console-line");
		this.page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill(name);
		this.page.getByLabel("Starts at").fill(browserTime(Instant.now().plusSeconds(180)));
		this.page.getByLabel("Ends at").fill(browserTime(Instant.now().plusSeconds(7200)));
		Locator firstItem = this.page.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName("Item 1"));
		firstItem.getByLabel("Item name").fill("Phone");
		firstItem.getByLabel("Price").fill("9.99");
		firstItem.getByLabel("Stock").fill("5");
		Locator rate = this.page.getByLabel("Shoppers let in per second");
		assertThat(rate).isHidden();
		this.page.getByLabel("Put a waiting room in front of the sale").check();
		rate.fill("0");
		button("Save").click();
		assertThat(rate).hasAttribute("aria-invalid", "true");
		assertThat(rate).hasAccessibleDescription("must be greater than or equal to 1");
		rate.fill("2");
		this.page.getByLabel("A turn lasts (seconds)").fill("45");
		this.page.getByLabel("Line opens (minutes before the start)").fill("15");
		button("Save").click();
		assertThat(this.page.locator("#notice")).hasText(Pattern.compile("Activity #\\d+ saved\\."));
		Map<String, Object> stored = this.jdbc.queryForMap("SELECT id, waiting_room_opens_before_s AS opens, "
				+ "waiting_room_admit_per_second AS rate, waiting_room_pass_ttl_s AS pass FROM activities WHERE name = ?",
				name);
		assertThat(((Number) stored.get("opens")).intValue()).isEqualTo(900);
		assertThat(((Number) stored.get("rate")).intValue()).isEqualTo(2);
		assertThat(((Number) stored.get("pass")).intValue()).isEqualTo(45);
		long activityId = ((Number) stored.get("id")).longValue();

		// The editor shows it back.
		button("Edit " + name).click();
		assertThat(this.page.getByLabel("Put a waiting room in front of the sale")).isChecked();
		assertThat(rate).hasValue("2");
		assertThat(this.page.getByLabel("A turn lasts (seconds)")).hasValue("45");
		assertThat(this.page.getByLabel("Line opens (minutes before the start)")).hasValue("15");
		button("Cancel").click();

		button("Publish " + name).click();
		assertThat(this.page.locator("#notice")).containsText("Activity #" + activityId + " is published");
		for (String shopper : this.api.newShoppers(3, 3)) {
			assertThat(this.api.post("/api/v1/activities/" + activityId + "/waiting-room", shopper, null).status())
				.isEqualTo(201);
		}
		button("Dashboard of " + name).click();
		assertThat(this.page.locator("#kpi-line")).hasText("3");
		assertThat(this.page.locator("#kpi-line-admitted")).hasText("0");
		assertThat(this.page.locator("#kpi-line-rate")).hasText("0/s / 2.0/s");
		screenshot("admin-dashboard-waiting-room");
	}

	@Test
	void theDashboardShowsWhyPurchasesAndTokenRequestsWereRefused() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 10);
		Activity membersOnly = this.api.newSale(Duration.ofSeconds(-1), Duration.ofHours(1), 1, 1, 10);
		Activity later = this.api.newSale(Duration.ofHours(1), 10);
		Activity challenged = this.api.newChallengeSale(Duration.ofSeconds(-1), 10);
		String shopper = this.api.newShopper();
		open("/admin.html");
		logIn("root-admin", TestServers.adminPassword());
		button("Dashboard").click();
		this.page.locator("#dashboard-activity").selectOption(Long.toString(sale.id()));
		assertThat(this.page.locator("#dashboard-status")).hasText("Updated every second.");
		assertThat(this.page.locator("#kpi-tokens")).hasText("0");
		assertThat(this.page.locator("#dashboard-rejections-none")).hasText("No request rejected yet.");

		// Purchases refused for their token: none, a forged one, one used twice.
		this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, null, null).join();
		this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, null, null).join();
		this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, "s0.1.2.3.4.5.6", null).join();
		String token = this.api.purchaseToken(sale, sale.item(), shopper);
		assertThat(this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, null).join().status())
			.isEqualTo(202);
		assertThat(this.api.purchaseWithTokenAsync(sale, sale.item(), shopper, token, null).join().code())
			.isEqualTo("PURCHASE_TOKEN_USED");

		// This sale's dashboard: its own refusals, over every node, not the other sales'.
		Locator reasons = this.page.locator("#dashboard-rejections tbody tr");
		assertThat(reasons).hasCount(3);
		assertReason("PURCHASE_TOKEN_MISSING", "No purchase token", 2, 0);
		assertReason("PURCHASE_TOKEN_INVALID", "Purchase token not accepted", 1, 0);
		assertReason("PURCHASE_TOKEN_USED", "Purchase token already used", 1, 0);
		assertThat(reasons.first()).hasAttribute("data-reason", "PURCHASE_TOKEN_MISSING");
		assertThat(this.page.locator("#kpi-tokens")).hasText("1");
		assertThat(this.page.locator("#chart-rate polyline[data-series='PURCHASE_TOKEN_MISSING']")).hasCount(1);
		assertThat(this.page
			.getByText("This sale, all nodes, since the dashboard opened (each node adds its counts once a second)."))
			.isVisible();
		screenshot("admin-rejections");

		// Token requests refused, each watched on its own sale's dashboard: level
		// too low, too early, no answer, a wrong answer.
		watch(membersOnly);
		assertThat(this.api.purchaseTokenAsync(membersOnly, membersOnly.item(), shopper).join().code())
			.isEqualTo("NOT_ELIGIBLE");
		assertThat(reasons).hasCount(1);
		assertReason("NOT_ELIGIBLE", "Not eligible", 0, 1);
		watch(later);
		assertThat(this.api.purchaseTokenAsync(later, later.item(), shopper).join().code()).isEqualTo("NOT_STARTED");
		assertThat(reasons).hasCount(1);
		assertReason("NOT_STARTED", "Not started yet", 0, 1);
		watch(challenged);
		String tokens = challenged.purchasePath(challenged.item()).replace("/purchases", "/purchase-tokens");
		assertThat(this.api.post(tokens, shopper, null).code()).isEqualTo("CHALLENGE_REQUIRED");
		String challengeId = this.api.post("/api/v1/activities/" + challenged.id() + "/challenges", shopper, null)
			.text("challengeId");
		assertThat(
				this.api.post(tokens, shopper, "{\"challengeId\":\"" + challengeId + "\",\"answer\":\"100\"}").code())
			.isEqualTo("CHALLENGE_FAILED");
		assertThat(reasons).hasCount(2);
		assertReason("CHALLENGE_REQUIRED", "Question not answered", 0, 1);
		assertReason("CHALLENGE_FAILED", "Wrong answer", 0, 1);
		assertThat(this.page.locator("#chart-tokens polyline[data-series='CHALLENGE_FAILED']")).hasCount(1);

		button("中文").click();
		assertThat(this.page.locator("#dashboard-rejections thead")).containsText("令牌请求");
		assertThat(this.page.locator("#dashboard-rejections tr[data-reason='CHALLENGE_FAILED'] th"))
			.containsText("验证答案错误");
		screenshot("admin-rejections-zh");
	}

	@Test
	void anAdminDiscardsOneDeadLetterAndReplaysAnotherOnceItsCauseIsFixed() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		long restorable = 987_700_000L + sale.id();
		String replayable = ScriptedAdmissions.admit(this.redis, this.keys, sale, restorable);
		String hopeless = ScriptedAdmissions.admit(this.redis, this.keys, sale, 987_800_000L + sale.id());
		await().atMost(Duration.ofSeconds(15))
			.until(() -> this.redis.opsForStream().size(this.keys.deadLetters(sale.id())) == 2);
		open("/admin.html");
		logIn("root-admin", TestServers.adminPassword());
		button("Dashboard").click();
		this.page.locator("#dashboard-activity").selectOption(Long.toString(sale.id()));
		Locator rows = this.page.locator("#dead-letters tbody tr");
		assertThat(rows).hasCount(2);
		assertThat(this.page.locator("#dead-letters-status")).hasText("2 dead letter(s); the oldest 2 are shown.");

		// No reason, nothing sent.
		Locator hopelessRow = rows.filter(new Locator.FilterOptions().setHasText(hopeless));
		hopelessRow.locator(".dead-discard").click();
		assertThat(this.page.locator("#dead-letters-message")).hasText("Give a reason first: it is kept in the audit.");
		assertThat(rows).hasCount(2);
		hopelessRow.locator(".dead-reason").fill("a test purchase, never valid");
		hopelessRow.locator(".dead-discard").click();
		assertThat(rows).hasCount(1);
		assertThat(this.page.locator("#dead-actions li")).hasCount(1);
		assertThat(this.page.locator("#dead-actions li")).containsText("root-admin discarded");

		// The cause fixed (the user is back), the other one replayed: an order.
		this.jdbc.update("INSERT INTO users (id, username, password_hash, role) VALUES (?, ?, 'x', 'SHOPPER')",
				restorable, "restored-" + restorable);
		Locator replayableRow = rows.filter(new Locator.FilterOptions().setHasText(replayable));
		replayableRow.locator(".dead-reason").fill("user restored from the backup");
		replayableRow.locator(".dead-replay").click();
		assertThat(this.page.locator("#dead-letters-status")).hasText("No dead letters.");
		assertThat(this.page.locator("#notice")).containsText("Replayed " + replayable);
		assertThat(this.page.locator("#dead-actions li").first())
			.containsText("REPLAYED: user restored from the backup");
		await().atMost(Duration.ofSeconds(15))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE ticket = ?", Long.class,
					replayable) == 1);
		screenshot("admin-dead-letters");

		button("中文").click();
		assertThat(this.page.locator("#dead-letters-heading")).hasText("死信");
		assertThat(this.page.locator("#dead-actions li").first()).containsText("重放了");
	}

	/**
	 * Opens a sale's dashboard and waits for its first reading (the counts it starts
	 * from).
	 */
	private void watch(Activity sale) {
		this.page.locator("#dashboard-activity").selectOption(Long.toString(sale.id()));
		assertThat(this.page.locator("#dashboard-rejections-none")).isVisible();
		assertThat(this.page.locator("#kpi-tokens")).hasText("0");
	}

	private void assertReason(String code, String label, int purchases, int tokenRequests) {
		Locator row = this.page.locator("#dashboard-rejections tr[data-reason='" + code + "']");
		assertThat(row.locator("th")).hasText(label + code);
		assertThat(row.locator(".purchases")).hasText(Integer.toString(purchases));
		assertThat(row.locator(".tokens")).hasText(Integer.toString(tokenRequests));
	}

	@Test
	void anAdminRaisesAShoppersLevelAndBlacklistsThem() {
		String name = Api.uniqueName("watched");
		this.api.register(name, "password123");
		open("/admin.html");
		logIn("root-admin", TestServers.adminPassword());
		button("Users").click();
		Locator users = this.page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("User eligibility"));

		users.getByLabel("Username").fill(name);
		users.getByLabel("Member level").fill("3");
		users.getByLabel("Blacklist").selectOption("true");
		users.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply")).click();

		assertThat(users.getByRole(AriaRole.ALERT)).hasText(name + ": level 3, blacklisted.");
		Map<String, Object> stored = this.jdbc.queryForMap("SELECT level, blacklisted FROM users WHERE username = ?",
				name);
		assertThat(stored).containsEntry("level", 3).containsEntry("blacklisted", true);

		users.getByLabel("Username").fill("nobody-" + name);
		users.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply")).click();
		assertThat(users.getByRole(AriaRole.ALERT)).hasText("No user named nobody-" + name);
		screenshot("admin-users");
	}

	/** Buys one unit for each shopper, four at a time, in the background. */
	private CompletableFuture<List<Reply>> buy(Activity sale, List<String> shoppers) {
		return CompletableFuture.supplyAsync(() -> Api.runAll(shoppers.size(), 4,
				(i) -> this.api.purchaseAsync(sale, sale.item(), shoppers.get(i), null)));
	}

	private void logIn(String username, String password) {
		Locator form = this.page.locator("#login-form");
		form.getByLabel("Username").fill(username);
		form.getByLabel("Password").fill(password);
		button("Log in").click();
	}

	private Locator button(String name) {
		return this.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
	}

	/**
	 * An instant, to the minute, as a datetime-local value in the browser's time zone.
	 * Whole minutes because Chromium normalises "…T10:24:00" to "…T10:24", and
	 * Playwright's fill then reports the value as malformed: with seconds in the value
	 * the test failed whenever they happened to be 00.
	 */
	private static String browserTime(Instant instant) {
		return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MINUTES), BROWSER_ZONE).format(LOCAL_INPUT);
	}

}
