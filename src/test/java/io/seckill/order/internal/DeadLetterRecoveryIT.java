package io.seckill.order.internal;

import java.time.Duration;

import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import io.seckill.support.ScriptedAdmissions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An admin replays a dead-lettered purchase once its cause is fixed, or discards it with
 * a reason; both audited. The purchases here are admitted as the admission script admits
 * them (unit and buyer's slot taken, ticket queued, entry queued) for a user the database
 * does not have yet, so the writer dead-letters them (a foreign key) and gives both back.
 */
class DeadLetterRecoveryIT extends IntegrationTest {

	private static final long MISSING_USER = 987_654_000L;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aReplayAfterTheCauseIsFixedWritesTheOrderOnceAndTakesTheUnitAgain() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 3);
		long user = MISSING_USER + sale.id();
		String ticket = admitted(sale, user);
		String entry = deadLettered(sale, ticket);
		assertThat(stock(sale)).isEqualTo("3");

		// Replayed before the cause is fixed: written again, refused again, dead-lettered
		// again, the unit given back again.
		Reply early = act(sale, entry, "replay", "{\"reason\":\"try again\"}");
		assertThat(early.status()).isEqualTo(200);
		assertThat(early.text("outcome")).isEqualTo("REPLAYED");
		String again = deadLettered(sale, ticket);
		assertThat(again).isNotEqualTo(entry);
		assertThat(stock(sale)).isEqualTo("3");

		// The cause fixed (the user exists now): the replay is an order, once.
		this.jdbc.update("INSERT INTO users (id, username, password_hash, role) VALUES (?, ?, 'x', 'SHOPPER')", user,
				"restored-" + user);
		Reply replayed = act(sale, again, "replay", "{\"reason\":\"user restored from backup\"}");
		assertThat(replayed.status()).isEqualTo(200);
		assertThat(replayed.text("admin")).isEqualTo("root-admin");
		assertThat(replayed.text("reason")).isEqualTo("user restored from backup");
		assertThat(replayed.text("ticket")).isEqualTo(ticket);
		await().atMost(Duration.ofSeconds(15))
			.until(() -> String.valueOf(this.redis.opsForValue().get(this.keys.ticket(sale.id(), ticket)))
				.startsWith("S|" + user + "|"));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE ticket = ?", Long.class, ticket))
			.isOne();
		assertThat(stock(sale)).isEqualTo("2");
		assertThat(this.jdbc.queryForObject("SELECT remaining FROM items WHERE id = ?", Integer.class, sale.item()))
			.isEqualTo(2);
		assertThat(this.redis.opsForStream().size(this.keys.deadLetters(sale.id()))).isZero();

		// A second dead letter of the same ticket (the writer moved it twice), replayed
		// once
		// its ticket state expired: the order exists, so no unit is taken for it.
		this.redis.delete(this.keys.ticket(sale.id(), ticket));
		String copy = this.redis.opsForStream()
			.add(this.keys.deadLetters(sale.id()),
					java.util.Map.of("t", ticket, "a", Long.toString(sale.id()), "i", Long.toString(sale.item()), "u",
							Long.toString(user), "s", "1", "error", "moved twice"))
			.getValue();
		Reply written = act(sale, copy, "replay", "{\"reason\":\"again\"}");
		assertThat(written.status()).isEqualTo(409);
		assertThat(written.code()).isEqualTo("DEAD_LETTER_NOT_REPLAYABLE");
		assertThat(stock(sale)).isEqualTo("2");
		assertThat(act(sale, copy, "discard", "{\"reason\":\"a control\\u0007 character\"}").status()).isEqualTo(400);
		assertThat(act(sale, copy, "discard", "{\"reason\":\"written already\"}").status()).isEqualTo(200);

		// Gone from the dead letters: a second replay of it finds nothing, records
		// nothing.
		Reply twice = act(sale, again, "replay", "{\"reason\":\"double click\"}");
		assertThat(twice.status()).isEqualTo(404);
		assertThat(twice.code()).isEqualTo("NOT_FOUND");
		Reply audit = this.api.get("/api/v1/admin/activities/" + sale.id() + "/dead-letters/actions",
				this.api.adminToken());
		assertThat(audit.status()).isEqualTo(200);
		assertThat(audit.body()).hasSize(4);
		assertThat(audit.body().get(0).path("outcome").asString()).isEqualTo("DISCARDED");
		assertThat(audit.body().get(1).path("outcome").asString()).isEqualTo("DEAD_LETTER_NOT_REPLAYABLE");
		assertThat(audit.body().get(2).path("outcome").asString()).isEqualTo("REPLAYED");
		assertThat(audit.body().get(2).path("entryId").asString()).isEqualTo(again);
		assertThat(audit.body().get(3).path("entryId").asString()).isEqualTo(entry);
	}

	@Test
	void aDiscardNeedsAReasonAndKeepsTheShoppersFailedAnswer() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 3);
		String ticket = admitted(sale, MISSING_USER + 100 + sale.id());
		String entry = deadLettered(sale, ticket);
		// What SeckillDeadLettersWaiting reads: the dead letters waiting in the sales the
		// workers read (other tests' sales may hold some too), refreshed every second.
		await().atMost(Duration.ofSeconds(15))
			.until(() -> deadLettersGauge() == deadLettersInRedis() && deadLettersInRedis() >= 1);
		long before = deadLettersInRedis();

		Reply blank = act(sale, entry, "discard", "{\"reason\":\" \"}");
		assertThat(blank.status()).isEqualTo(400);
		Reply malformed = act(sale, "not-an-id", "discard", "{\"reason\":\"typo\"}");
		assertThat(malformed.status()).isEqualTo(404);
		assertThat(this.redis.opsForStream().size(this.keys.deadLetters(sale.id()))).isOne();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_actions WHERE activity_id = ?",
				Long.class, sale.id()))
			.isZero();

		Reply discarded = act(sale, entry, "discard", "{\"reason\":\"test purchase, never valid\"}");

		assertThat(discarded.status()).isEqualTo(200);
		assertThat(discarded.text("outcome")).isEqualTo("DISCARDED");
		assertThat(discarded.text("action")).isEqualTo("DISCARD");
		assertThat(this.redis.opsForStream().size(this.keys.deadLetters(sale.id()))).isZero();
		assertThat(this.redis.opsForValue().get(this.keys.ticket(sale.id(), ticket))).startsWith("F|");
		assertThat(stock(sale)).isEqualTo("3");
		assertThat(this.jdbc.queryForObject(
				"SELECT reason FROM dead_letter_actions WHERE activity_id = ? AND outcome = 'DISCARDED'", String.class,
				sale.id()))
			.isEqualTo("test purchase, never valid");
		long left = deadLettersInRedis();
		assertThat(left).isEqualTo(before - 1);
		await().atMost(Duration.ofSeconds(5)).until(() -> deadLettersGauge() == left);
	}

	/** NaN while another worker (a paused test context's) holds the cluster duties. */
	private double deadLettersGauge() {
		Gauge gauge = this.meters.find("seckill.dead.letters").gauge();
		return (gauge != null) ? gauge.value() : Double.NaN;
	}

	private long deadLettersInRedis() {
		long total = 0;
		for (String stream : this.redis.opsForSet().members(this.keys.deadLetterStreams())) {
			Long size = this.redis.opsForStream().size(stream);
			total += (size != null) ? size : 0;
		}
		return total;
	}

	@Test
	void aReplayTakesNoUnitThatIsNoLongerThere() {
		Activity sale = this.api.newSale(Duration.ofSeconds(-1), 1);
		String ticket = admitted(sale, MISSING_USER + 200 + sale.id());
		String entry = deadLettered(sale, ticket);
		// The unit given back is sold to someone else.
		String shopper = this.api.newShopper();
		Reply bought = this.api.purchase(sale, sale.item(), shopper);
		assertThat(this.api.awaitTicket(bought.text("ticket"), shopper, Duration.ofSeconds(15)).text("status"))
			.isEqualTo("SUCCESS");

		Reply refused = act(sale, entry, "replay", "{\"reason\":\"fixed\"}");

		assertThat(refused.status()).isEqualTo(409);
		assertThat(refused.code()).isEqualTo("SOLD_OUT");
		assertThat(stock(sale)).isEqualTo("0");
		assertThat(this.redis.opsForStream().size(this.keys.deadLetters(sale.id()))).isOne();
		assertThat(this.redis.opsForStream().size(this.keys.orders(sale.id()))).isZero();
		assertThat(this.jdbc.queryForObject("SELECT outcome FROM dead_letter_actions WHERE activity_id = ?",
				String.class, sale.id()))
			.isEqualTo("SOLD_OUT");
		assertThat(this.api
			.post("/api/v1/admin/activities/" + sale.id() + "/dead-letters/" + entry + "/replay", shopper,
					"{\"reason\":\"me\"}")
			.status()).isEqualTo(403);
	}

	private String admitted(Activity sale, long user) {
		return ScriptedAdmissions.admit(this.redis, this.keys, sale, user);
	}

	/** Waits until the writer dead-lettered {@code ticket}; the entry's id. */
	private String deadLettered(Activity sale, String ticket) {
		return await().atMost(Duration.ofSeconds(15)).until(() -> {
			Reply dead = this.api.get("/api/v1/admin/activities/" + sale.id() + "/dead-letters", this.api.adminToken());
			for (var entry : dead.body().path("entries")) {
				if (ticket.equals(entry.path("ticket").asString())
						&& String.valueOf(this.redis.opsForValue().get(this.keys.ticket(sale.id(), ticket)))
							.startsWith("F|")) {
					return entry.path("id").asString();
				}
			}
			return null;
		}, java.util.Objects::nonNull);
	}

	private Reply act(Activity sale, String entry, String action, String body) {
		return this.api.post("/api/v1/admin/activities/" + sale.id() + "/dead-letters/" + entry + "/" + action,
				this.api.adminToken(), body);
	}

	private String stock(Activity sale) {
		return (String) this.redis.opsForHash().get(this.keys.stock(sale.id()), Long.toString(sale.item()));
	}

}
