package io.seckill.purchase;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.seckill.platform.redis.RedisKeys;
import io.seckill.support.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;
import org.springframework.util.StreamUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Lua scripts alone, against a real Redis: each admission rule and its return code.
 */
class AdmissionScriptIT {

	private static final long ACTIVITY = 7;

	private static final long ITEM = 70;

	private static RedisClient client;

	private static StatefulRedisConnection<String, String> connection;

	private static String admission;

	private static String preload;

	private static String returnStock;

	private RedisCommands<String, String> redis;

	private RedisKeys keys;

	private int ticketCounter;

	@BeforeAll
	static void connect() throws Exception {
		client = RedisClient.create(TestServers.redisUrl());
		connection = client.connect();
		admission = StreamUtils.copyToString(new ClassPathResource("lua/admission.lua").getInputStream(),
				StandardCharsets.UTF_8);
		preload = StreamUtils.copyToString(new ClassPathResource("lua/preload.lua").getInputStream(),
				StandardCharsets.UTF_8);
		returnStock = StreamUtils.copyToString(new ClassPathResource("lua/return-stock.lua").getInputStream(),
				StandardCharsets.UTF_8);
	}

	@AfterAll
	static void disconnect() {
		connection.close();
		client.shutdown();
	}

	@BeforeEach
	void freshKeys() {
		this.redis = connection.sync();
		this.keys = new RedisKeys(TestServers.newKeyPrefix());
	}

	private void publish(long startOffsetMillis, long endOffsetMillis, int stock, int limit) {
		long now = System.currentTimeMillis();
		this.redis.eval(preload, ScriptOutputType.INTEGER,
				new String[] { this.keys.meta(ACTIVITY), this.keys.stock(ACTIVITY), this.keys.limits(ACTIVITY) },
				Long.toString(now + startOffsetMillis), Long.toString(now + endOffsetMillis), "0", Long.toString(ITEM),
				"0", "", "", "", "", Long.toString(ITEM), Integer.toString(stock), Integer.toString(limit));
	}

	private List<Object> admit(long user, String idempotencyKey, int rateLimit) {
		return admit(user, idempotencyKey, rateLimit, "", "10.0.0.1", 0);
	}

	private List<Object> admit(long user, String idempotencyKey, int rateLimit, String tokenId, String ip,
			int ipRateLimit) {
		String ticket = ACTIVITY + "-ticket" + (++this.ticketCounter);
		boolean keyed = idempotencyKey != null;
		String[] scriptKeys = { this.keys.meta(ACTIVITY), this.keys.stock(ACTIVITY), this.keys.limits(ACTIVITY),
				this.keys.orders(ACTIVITY), this.keys.lineOutstanding(ACTIVITY), this.keys.buyers(ACTIVITY, ITEM),
				keyed ? this.keys.requestKey(ACTIVITY, user, idempotencyKey) : this.keys.meta(ACTIVITY),
				this.keys.ticket(ACTIVITY, ticket), this.keys.rate(ACTIVITY, user),
				this.keys.purchaseToken(ACTIVITY, tokenId), this.keys.ipRate(ACTIVITY, ip) };
		return this.redis.eval(admission, ScriptOutputType.MULTI, scriptKeys, "1", Long.toString(ACTIVITY),
				Integer.toString(rateLimit), "1000", "60000", "60000", Integer.toString(ipRateLimit),
				Long.toString(user), Long.toString(ITEM), ticket, tokenId, "60000", keyed ? idempotencyKey : "");
	}

	@Test
	void aUnitGivenBackToASaleWithoutStockInRedisIsNotAddedAgainAfterAPublishLoadsIt() {
		// The sale's keys were removed (retention) or lost: the unit is the database's
		// alone.
		assertThat(giveBack(1)).isOne();
		assertThat(this.redis.exists(this.keys.stock(ACTIVITY))).isZero();
		this.redis.hset(this.keys.meta(ACTIVITY), "start", "0");
		this.redis.pexpire(this.keys.meta(ACTIVITY), 60_000);
		// A publish loads the stock from the database, this unit counted; a retry of the
		// same
		// outbox row (its relay died before deleting it) adds nothing, a new row does.
		publish(-1000, 60_000, 5, 1);
		assertThat(this.redis.pttl(this.keys.meta(ACTIVITY))).isEqualTo(-1);
		assertThat(giveBack(1)).isZero();
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("5");
		assertThat(giveBack(2)).isOne();
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("6");
	}

	private Long giveBack(long outboxRow) {
		return this.redis.eval(
				returnStock, ScriptOutputType.INTEGER, new String[] { this.keys.stock(ACTIVITY),
						this.keys.buyers(ACTIVITY, ITEM), this.keys.stockOutboxMarker(ACTIVITY, outboxRow) },
				Long.toString(ITEM), "1", "", "60000");
	}

	@Test
	void admitsDecrementsRecordsTheBuyerAndEnqueuesTheOrderInOneStep() {
		publish(-1000, 60_000, 2, 1);

		List<Object> reply = admit(42, null, 0);

		assertThat(reply).containsExactly("QUEUED", ACTIVITY + "-ticket1", 1L);
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("1");
		assertThat(this.redis.hget(this.keys.buyers(ACTIVITY, ITEM), "42")).isEqualTo("1");
		assertThat(this.redis.get(this.keys.ticket(ACTIVITY, ACTIVITY + "-ticket1"))).isEqualTo("Q|42");
		List<StreamMessage<String, String>> entries = this.redis.xrange(this.keys.orders(ACTIVITY),
				io.lettuce.core.Range.create("-", "+"));
		assertThat(entries).hasSize(1);
		assertThat(entries.get(0).getBody())
			.isEqualTo(Map.of("t", ACTIVITY + "-ticket1", "a", "7", "i", "70", "u", "42", "s", "1"));
	}

	@Test
	void answersAKnownIdempotencyKeyWithItsFirstTicketAndTakesNothing() {
		publish(-1000, 60_000, 5, 3);
		admit(42, "k", 0);

		List<Object> replay = admit(42, "k", 0);

		assertThat(replay).containsExactly("DUPLICATE", ACTIVITY + "-ticket1", -1L);
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("4");
		assertThat(this.redis.xlen(this.keys.orders(ACTIVITY))).isOne();
	}

	@Test
	void refusesAUserAtTheLimit() {
		publish(-1000, 60_000, 5, 2);
		admit(42, null, 0);
		admit(42, null, 0);

		assertThat(admit(42, null, 0).get(0)).isEqualTo("LIMIT_REACHED");
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("3");
	}

	@Test
	void refusesWhenNoStockIsLeftAndEnqueuesNothing() {
		publish(-1000, 60_000, 1, 1);
		admit(1, null, 0);

		assertThat(admit(2, null, 0).get(0)).isEqualTo("SOLD_OUT");
		assertThat(this.redis.xlen(this.keys.orders(ACTIVITY))).isOne();
		assertThat(this.redis.hget(this.keys.buyers(ACTIVITY, ITEM), "2")).isNull();
	}

	@Test
	void refusesBeforeTheStartAndAfterTheEndByRedisTime() {
		publish(60_000, 120_000, 5, 1);
		assertThat(admit(1, null, 0).get(0)).isEqualTo("NOT_STARTED");

		publish(-120_000, -60_000, 5, 1);
		assertThat(admit(1, null, 0).get(0)).isEqualTo("ENDED");
		assertThat(this.redis.xlen(this.keys.orders(ACTIVITY))).isZero();
	}

	@Test
	void refusesAnUnpublishedActivityOrUnknownItem() {
		assertThat(admit(1, null, 0).get(0)).isEqualTo("NOT_FOUND");
		publish(-1000, 60_000, 5, 1);
		this.redis.hdel(this.keys.limits(ACTIVITY), Long.toString(ITEM));
		assertThat(admit(1, null, 0).get(0)).isEqualTo("NOT_FOUND");
	}

	@Test
	void limitsRequestsPerUserPerWindow() {
		publish(-1000, 60_000, 100, 1);
		assertThat(admit(5, null, 2).get(0)).isEqualTo("QUEUED");
		assertThat(admit(5, null, 2).get(0)).isEqualTo("LIMIT_REACHED");
		assertThat(admit(5, null, 2).get(0)).isEqualTo("RATE_LIMITED");
		assertThat(admit(6, null, 2).get(0)).isEqualTo("QUEUED");
	}

	@Test
	void aPurchaseTokenAdmitsOnceAndAnyOtherUseIsRefused() {
		publish(-1000, 60_000, 5, 3);

		assertThat(admit(42, null, 0, "tok1", "10.0.0.1", 0)).containsExactly("QUEUED", ACTIVITY + "-ticket1", 4L);
		assertThat(admit(42, null, 0, "tok1", "10.0.0.1", 0).get(0)).isEqualTo("TOKEN_USED");
		assertThat(admit(42, "other-key", 0, "tok1", "10.0.0.1", 0).get(0)).isEqualTo("TOKEN_USED");
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("4");
		assertThat(this.redis.xlen(this.keys.orders(ACTIVITY))).isOne();
	}

	@Test
	void aRetryWithTheSameTokenAndKeyGetsTheFirstAnswerEvenARejection() {
		publish(-1000, 60_000, 1, 1);
		admit(1, null, 0);

		assertThat(admit(42, "k1", 0, "tok1", "10.0.0.1", 0).get(0)).isEqualTo("SOLD_OUT");
		this.redis.hset(this.keys.stock(ACTIVITY), Long.toString(ITEM), "5");

		assertThat(admit(42, "k1", 0, "tok1", "10.0.0.1", 0).get(0)).isEqualTo("SOLD_OUT");
		assertThat(admit(42, "k2", 0, "tok1", "10.0.0.1", 0).get(0)).isEqualTo("TOKEN_USED");
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("5");
	}

	@Test
	void aRateLimitedAttemptLeavesTheTokenUsableAndSaysWhenToRetry() {
		publish(-1000, 60_000, 5, 1);
		admit(42, null, 1, "tok0", "10.0.0.1", 0);

		List<Object> limited = admit(42, "k", 1, "tok1", "10.0.0.1", 0);
		assertThat(limited.get(0)).isEqualTo("RATE_LIMITED");
		assertThat((Long) limited.get(2)).isBetween(1L, 1000L);
		this.redis.del(this.keys.rate(ACTIVITY, 42));

		assertThat(admit(42, "k", 1, "tok1", "10.0.0.1", 0).get(0)).isEqualTo("LIMIT_REACHED");
	}

	@Test
	void limitsRequestsPerClientAddressAcrossUsers() {
		publish(-1000, 60_000, 100, 1);
		assertThat(admit(1, null, 0, "", "10.0.0.9", 2).get(0)).isEqualTo("QUEUED");
		assertThat(admit(2, null, 0, "", "10.0.0.9", 2).get(0)).isEqualTo("QUEUED");
		assertThat(admit(3, null, 0, "", "10.0.0.9", 2).get(0)).isEqualTo("RATE_LIMITED");
		assertThat(admit(3, null, 0, "", "10.0.0.10", 2).get(0)).isEqualTo("QUEUED");
	}

	/** What a batch sends once: the activity's keys (then 6 per request). */
	private List<String> sharedKeys() {
		return new java.util.ArrayList<>(List.of(this.keys.meta(ACTIVITY), this.keys.stock(ACTIVITY),
				this.keys.limits(ACTIVITY), this.keys.orders(ACTIVITY), this.keys.lineOutstanding(ACTIVITY)));
	}

	/** What a batch sends once: n and the node's settings (then 6 per request). */
	private static List<String> sharedArgs(int requests, int rateLimit, int rateWindowMillis, int ipRateLimit) {
		return new java.util.ArrayList<>(
				List.of(Integer.toString(requests), Long.toString(ACTIVITY), Integer.toString(rateLimit),
						Integer.toString(rateWindowMillis), "60000", "60000", Integer.toString(ipRateLimit)));
	}

	@Test
	void aBatchJudgesEachRequestInTurnAsIfItCameAlone() {
		publish(-1000, 60_000, 2, 1);
		List<String> keys = sharedKeys();
		List<String> args = sharedArgs(3, 0, 1000, 0);
		for (long user : new long[] { 1, 1, 2, }) {
			String ticket = ACTIVITY + "-batch" + keys.size();
			keys.addAll(List.of(this.keys.buyers(ACTIVITY, ITEM), this.keys.meta(ACTIVITY),
					this.keys.ticket(ACTIVITY, ticket), this.keys.rate(ACTIVITY, user),
					this.keys.purchaseToken(ACTIVITY, ""), this.keys.ipRate(ACTIVITY, "10.0.0.1")));
			args.addAll(List.of(Long.toString(user), Long.toString(ITEM), ticket, "", "1", ""));
		}

		List<Object> replies = this.redis.eval(admission, ScriptOutputType.MULTI, keys.toArray(String[]::new),
				args.toArray(String[]::new));

		assertThat(replies).containsExactly("QUEUED", ACTIVITY + "-batch5", 1L, "LIMIT_REACHED", "", -1L, "QUEUED",
				ACTIVITY + "-batch17", 0L);
		assertThat(this.redis.xlen(this.keys.orders(ACTIVITY))).isEqualTo(2);
	}

	@Test
	void eachRequestOfABatchUsesItsOwnKeyTokenAndAddress() {
		publish(-1000, 60_000, 2, 1);
		List<String> keys = sharedKeys();
		// Per-user limit off, one request per client address per window.
		List<String> args = sharedArgs(4, 0, 60_000, 1);
		String[][] requests = { { "1", "k-1", "tok-a", "10.0.0.1" }, { "2", "k-2", "", "10.0.0.1" },
				{ "1", "k-1", "tok-b", "10.0.0.2" }, { "3", "", "tok-a", "10.0.0.3" } };
		for (int r = 0; r < requests.length; r++) {
			long user = Long.parseLong(requests[r][0]);
			String key = requests[r][1];
			String ticket = ACTIVITY + "-mixed" + r;
			keys.addAll(List.of(this.keys.buyers(ACTIVITY, ITEM),
					key.isEmpty() ? this.keys.meta(ACTIVITY) : this.keys.requestKey(ACTIVITY, user, key),
					this.keys.ticket(ACTIVITY, ticket), this.keys.rate(ACTIVITY, user),
					this.keys.purchaseToken(ACTIVITY, requests[r][2]), this.keys.ipRate(ACTIVITY, requests[r][3])));
			args.addAll(List.of(Long.toString(user), Long.toString(ITEM), ticket, requests[r][2], "60000", key));
		}

		List<Object> replies = this.redis.eval(admission, ScriptOutputType.MULTI, keys.toArray(String[]::new),
				args.toArray(String[]::new));

		String first = ACTIVITY + "-mixed0";
		assertThat(replies.subList(0, 3)).containsExactly("QUEUED", first, 1L); // admitted
		assertThat(replies.subList(3, 5)).containsExactly("RATE_LIMITED", ""); // the
																				// first's
																				// address
		assertThat((Long) replies.get(5)).isBetween(1L, 60_000L);
		assertThat(replies.subList(6, 9)).containsExactly("DUPLICATE", first, -1L); // the
																					// first's
																					// key
		assertThat(replies.subList(9, 12)).containsExactly("TOKEN_USED", "", -1L); // the
																					// first's
																					// token
		assertThat(this.redis.get(this.keys.requestKey(ACTIVITY, 1, "k-1"))).isEqualTo(first);
		assertThat(this.redis.get(this.keys.purchaseToken(ACTIVITY, "tok-a"))).isEqualTo("k-1|QUEUED|" + first);
		assertThat(this.redis.get(this.keys.ticket(ACTIVITY, first))).isEqualTo("Q|1");
		assertThat(this.redis.exists(this.keys.requestKey(ACTIVITY, 2, "k-2"))).isZero();
		assertThat(this.redis.xlen(this.keys.orders(ACTIVITY))).isEqualTo(1);
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("1");
	}

	@Test
	void preloadReplacesStockAndLimits() {
		publish(-1000, 60_000, 5, 1);
		publish(-1000, 60_000, 9, 3);
		assertThat(this.redis.hget(this.keys.stock(ACTIVITY), Long.toString(ITEM))).isEqualTo("9");
		assertThat(this.redis.hget(this.keys.limits(ACTIVITY), Long.toString(ITEM))).isEqualTo("3");
		assertThat(this.redis.hget(this.keys.meta(ACTIVITY), "items")).isEqualTo("70");
	}

}
