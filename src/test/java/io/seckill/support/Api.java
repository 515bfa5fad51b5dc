package io.seckill.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the API, as a shopper or admin would use it. */
public final class Api {

	private static final AtomicInteger names = new AtomicInteger();

	private static final JsonMapper json = JsonMapper.builder().build();

	private final String base;

	private final HttpClient http = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(5))
		.version(HttpClient.Version.HTTP_1_1)
		.build();

	public Api(String base) {
		this.base = base;
	}

	/** A status code and parsed JSON body. */
	public record Reply(int status, JsonNode body, Map<String, List<String>> headers) {

		public String code() {
			return this.body.path("code").asString();
		}

		public String text(String field) {
			return this.body.path(field).asString();
		}

	}

	public Reply send(String method, String path, String token, String body, Map<String, String> headers) {
		try {
			return sendAsync(method, path, token, body, headers).get();
		}
		catch (Exception ex) {
			if (ex.getCause() instanceof HttpTimeoutException) {
				// The node runs in this JVM: its threads show where the request hangs (a
				// rare 60 s hang of a login in CI left nothing else to read).
				dumpThreads(method + " " + path + " timed out");
			}
			throw new IllegalStateException(method + " " + path + " failed", ex);
		}
	}

	private static void dumpThreads(String why) {
		StringBuilder dump = new StringBuilder("---- threads: ").append(why).append('\n');
		Thread.getAllStackTraces().forEach((thread, stack) -> {
			dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
			for (StackTraceElement frame : stack) {
				dump.append("\tat ").append(frame).append('\n');
			}
		});
		System.err.println(dump);
	}

	public CompletableFuture<Reply> sendAsync(String method, String path, String token, String body,
			Map<String, String> headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(Duration.ofSeconds(60))
			.method(method,
					(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		if (body != null && !headers.containsKey("Content-Type")) {
			request.header("Content-Type", "application/json");
		}
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		headers.forEach(request::header);
		HttpRequest sent = request.build();
		return this.http.sendAsync(sent, HttpResponse.BodyHandlers.ofString()).thenApply((response) -> {
			ApiContract.check(method, path,
					sent.headers()
						.map()
						.entrySet()
						.stream()
						.collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
								(header) -> header.getValue().get(0))),
					body, response.statusCode(), response.headers().map(), response.body());
			return new Reply(response.statusCode(), parse(response.body()), response.headers().map());
		});
	}

	private static JsonNode parse(String body) {
		if (body == null || body.isBlank()) {
			return json.createObjectNode();
		}
		try {
			return json.readTree(body);
		}
		catch (RuntimeException ex) {
			return json.createObjectNode().put("raw", body);
		}
	}

	public Reply get(String path, String token) {
		return send("GET", path, token, null, Map.of());
	}

	public Reply post(String path, String token, String body) {
		return send("POST", path, token, body, Map.of());
	}

	/** A unique username for this JVM run. */
	public static String uniqueName(String stem) {
		return stem + "-" + ProcessHandle.current().pid() % 10000 + "-" + names.incrementAndGet();
	}

	public Reply register(String username, String password) {
		return post("/api/v1/users", null, "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
	}

	public String logIn(String username, String password) {
		Reply reply = post("/api/v1/sessions", null,
				"{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
		if (reply.status() != 200) {
			throw new IllegalStateException("login failed: " + reply);
		}
		return reply.text("token");
	}

	/** Registers and logs in a new shopper; returns the token. */
	public String newShopper() {
		String name = uniqueName("shopper");
		Reply created = register(name, "password123");
		if (created.status() != 201) {
			throw new IllegalStateException("register failed: " + created);
		}
		return logIn(name, "password123");
	}

	/** Registers and logs in many shoppers, {@code parallelism} at a time. */
	public List<String> newShoppers(int count, int parallelism) {
		return runAll(count, parallelism, (i) -> newShopperAsync());
	}

	private CompletableFuture<String> newShopperAsync() {
		String name = uniqueName("shopper");
		String credentials = "{\"username\":\"" + name + "\",\"password\":\"password123\"}";
		return sendAsync("POST", "/api/v1/users", null, credentials, Map.of()).thenCompose((created) -> {
			if (created.status() != 201) {
				throw new IllegalStateException("register failed: " + created);
			}
			return sendAsync("POST", "/api/v1/sessions", null, credentials, Map.of());
		}).thenApply((session) -> {
			if (session.status() != 200) {
				throw new IllegalStateException("login failed: " + session);
			}
			return session.text("token");
		});
	}

	/**
	 * Runs {@code count} calls with at most {@code parallelism} in flight; results in
	 * call order.
	 */
	public static <T> List<T> runAll(int count, int parallelism, Function<Integer, CompletableFuture<T>> call) {
		Semaphore inFlight = new Semaphore(parallelism);
		List<CompletableFuture<T>> futures = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			inFlight.acquireUninterruptibly();
			futures.add(call.apply(i).whenComplete((result, failure) -> inFlight.release()));
		}
		List<T> results = new ArrayList<>(count);
		futures.forEach((future) -> results.add(future.join()));
		return results;
	}

	public String adminToken() {
		return logIn("root-admin", TestServers.adminPassword());
	}

	/**
	 * Creates and publishes an activity with one item per entry of {@code stocks} (limit
	 * 1 each); the sale opens {@code startsIn} from now (negative: already open) and
	 * lasts an hour.
	 */
	public Activity newSale(Duration startsIn, int... stocks) {
		return newSale(startsIn, Duration.ofHours(1), 0, 1, stocks);
	}

	public Activity newSale(Duration startsIn, Duration length, int minLevel, int limit, int... stocks) {
		return newSale(startsIn, length, minLevel, limit, false, stocks);
	}

	/** A sale whose shoppers must answer a challenge before they get a purchase token. */
	public Activity newChallengeSale(Duration startsIn, int... stocks) {
		return newSale(startsIn, Duration.ofHours(1), 0, 1, true, stocks);
	}

	private Activity newSale(Duration startsIn, Duration length, int minLevel, int limit, boolean challenge,
			int... stocks) {
		String admin = adminToken();
		Instant start = Instant.now().plus(startsIn);
		StringBuilder items = new StringBuilder();
		for (int i = 0; i < stocks.length; i++) {
			items.append((i == 0) ? "" : ",")
				.append("{\"name\":\"item ")
				.append(i)
				.append("\",\"price\":9.99,\"stock\":")
				.append(stocks[i])
				.append(",\"limit\":")
				.append(limit)
				.append('}');
		}
		Reply created = post("/api/v1/admin/activities", admin,
				"{\"name\":\"" + uniqueName("sale") + "\",\"startsAt\":\"" + start + "\",\"endsAt\":\""
						+ start.plus(length) + "\",\"minLevel\":" + minLevel + ",\"challenge\":" + challenge
						+ ",\"items\":[" + items + "]}");
		return published(created, admin);
	}

	/**
	 * Creates and publishes a one-item sale with a waiting room (its line open from
	 * {@code opensBefore} ahead of {@code start}), lasting an hour.
	 */
	public Activity newWaitingRoomSale(Instant start, int stock, int admitPerSecond, String passTtl,
			String opensBefore) {
		return newWaitingRoomSale(start, stock, admitPerSecond, passTtl, opensBefore, false);
	}

	/**
	 * As above; {@code challenge}: shoppers answer the sale's challenge to join its line.
	 */
	public Activity newWaitingRoomSale(Instant start, int stock, int admitPerSecond, String passTtl, String opensBefore,
			boolean challenge) {
		String admin = adminToken();
		String waitingRoom = "{\"opensBefore\":\"" + opensBefore + "\",\"admitPerSecond\":" + admitPerSecond
				+ ",\"passTtl\":\"" + passTtl + "\"}";
		String body = waitingRoomSaleJson(start, stock, waitingRoom).replaceFirst("^\\{",
				"{\"challenge\":" + challenge + ",");
		return published(post("/api/v1/admin/activities", admin, body), admin);
	}

	/** Publishes the activity an admin just created; fails the test if either failed. */
	private Activity published(Reply created, String admin) {
		if (created.status() != 201) {
			throw new IllegalStateException("create failed: " + created);
		}
		long id = created.body().path("id").asLong();
		Reply published = post("/api/v1/admin/activities/" + id + "/publish", admin, null);
		if (published.status() != 200) {
			throw new IllegalStateException("publish failed: " + published);
		}
		List<Long> itemIds = new ArrayList<>();
		created.body().path("items").forEach((item) -> itemIds.add(item.path("id").asLong()));
		return new Activity(id, itemIds);
	}

	/** The body creating a one-item sale with {@code waitingRoom} (JSON). */
	public static String waitingRoomSaleJson(Instant start, int stock, String waitingRoom) {
		return "{\"name\":\"" + uniqueName("line") + "\",\"startsAt\":\"" + start + "\",\"endsAt\":\""
				+ start.plus(Duration.ofHours(1)) + "\",\"items\":[{\"name\":\"item\",\"price\":9.99,\"stock\":" + stock
				+ ",\"limit\":1}],\"waitingRoom\":" + waitingRoom + "}";
	}

	/** A published activity's ids. */
	public record Activity(long id, List<Long> itemIds) {

		public long item() {
			return this.itemIds.get(0);
		}

		public String purchasePath(long itemId) {
			return "/api/v1/activities/" + this.id + "/items/" + itemId + "/purchases";
		}

	}

	/**
	 * A shopper's whole purchase: asks for a purchase token, then buys with it. When no
	 * token is issued, the token request's reply (e.g. NOT_STARTED, SOLD_OUT).
	 */
	public CompletableFuture<Reply> purchaseAsync(Activity sale, long itemId, String token, String idempotencyKey) {
		return purchaseTokenAsync(sale, itemId, token).thenCompose((issued) -> (issued.status() == 201)
				? purchaseWithTokenAsync(sale, itemId, token, issued.text("token"), idempotencyKey)
				: CompletableFuture.completedFuture(issued));
	}

	/** POST .../purchase-tokens without a body. */
	public CompletableFuture<Reply> purchaseTokenAsync(Activity sale, long itemId, String token) {
		return sendAsync("POST", sale.purchasePath(itemId).replace("/purchases", "/purchase-tokens"), token, null,
				Map.of());
	}

	/** A purchase token for one item; fails the test when none is issued. */
	public String purchaseToken(Activity sale, long itemId, String token) {
		Reply issued = purchaseTokenAsync(sale, itemId, token).join();
		if (issued.status() != 201) {
			throw new IllegalStateException("no purchase token: " + issued);
		}
		return issued.text("token");
	}

	/**
	 * The purchase request alone, with the given purchase token and idempotency key (each
	 * may be null: then the header is not sent).
	 */
	public CompletableFuture<Reply> purchaseWithTokenAsync(Activity sale, long itemId, String token,
			String purchaseToken, String idempotencyKey) {
		Map<String, String> headers = new java.util.HashMap<>();
		if (purchaseToken != null) {
			headers.put("Purchase-Token", purchaseToken);
		}
		if (idempotencyKey != null) {
			headers.put("Idempotency-Key", idempotencyKey);
		}
		return sendAsync("POST", sale.purchasePath(itemId), token, null, headers);
	}

	public Reply purchase(Activity sale, long itemId, String token) {
		return purchaseAsync(sale, itemId, token, null).join();
	}

	/**
	 * Polls a ticket until it is no longer QUEUED (or the timeout passes); returns the
	 * last reply.
	 */
	public Reply awaitTicket(String ticket, String token, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		Reply reply;
		do {
			reply = get("/api/v1/purchases/" + ticket, token);
			if (reply.status() != 200 || !"QUEUED".equals(reply.text("status"))) {
				return reply;
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return reply;
			}
		}
		while (System.nanoTime() < deadline);
		return reply;
	}

}
