package io.seckill.platform;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import io.seckill.support.StateSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table of bad inputs: each gets its status and code, and none changes any state
 * (invariant 6).
 */
class MalformedInputIT extends IntegrationTest {

	private static final String LATER = "2030-01-01T10:00:00Z";

	private static final String LATER_STILL = "2030-01-01T11:00:00Z";

	static Stream<Arguments> badRequests() {
		String item = "{\"name\":\"x\",\"price\":1,\"stock\":5}";
		return Stream.of(bad("malformed JSON", "POST", "/api/v1/users", false, "{\"username\":", 400, "BAD_REQUEST"),
				bad("wrong type", "POST", "/api/v1/users", false, "{\"username\":[\"a\"],\"password\":\"password123\"}",
						400, "BAD_REQUEST"),
				bad("short password", "POST", "/api/v1/users", false,
						"{\"username\":\"someone\",\"password\":\"short\"}", 400, "BAD_REQUEST"),
				bad("username with spaces", "POST", "/api/v1/users", false,
						"{\"username\":\"a b c\",\"password\":\"password123\"}", 400, "BAD_REQUEST"),
				bad("number for a username", "POST", "/api/v1/users", false,
						"{\"username\":12345,\"password\":\"password123\"}", 400, "BAD_REQUEST"),
				bad("password over 72 bytes", "POST", "/api/v1/users", false,
						"{\"username\":\"longpass\",\"password\":\"" + "密".repeat(30) + "\"}", 400, "BAD_REQUEST"),
				bad("text for a stock", "POST", "/api/v1/admin/activities", true,
						activity(LATER, LATER_STILL, "{\"name\":\"x\",\"price\":1,\"stock\":\"5\"}"), 400,
						"BAD_REQUEST"),
				bad("text for a level", "PATCH", "/api/v1/admin/users/root-admin", true, "{\"level\":\"high\"}", 400,
						"BAD_REQUEST"),
				bad("missing body", "POST", "/api/v1/users", false, null, 400, "BAD_REQUEST"),
				bad("oversize body", "POST", "/api/v1/users", false,
						"{\"username\":\"" + "a".repeat(20_000) + "\",\"password\":\"password123\"}", 413,
						"PAYLOAD_TOO_LARGE"),
				bad("login without password", "POST", "/api/v1/sessions", false, "{\"username\":\"someone\"}", 400,
						"BAD_REQUEST"),
				bad("negative stock", "POST", "/api/v1/admin/activities", true,
						activity(LATER, LATER_STILL, "{\"name\":\"x\",\"price\":1,\"stock\":-1}"), 400, "BAD_REQUEST"),
				bad("huge stock", "POST", "/api/v1/admin/activities", true,
						activity(LATER, LATER_STILL, "{\"name\":\"x\",\"price\":1,\"stock\":99999999999}"), 400,
						"BAD_REQUEST"),
				bad("negative price", "POST", "/api/v1/admin/activities", true,
						activity(LATER, LATER_STILL, "{\"name\":\"x\",\"price\":-1,\"stock\":1}"), 400, "BAD_REQUEST"),
				bad("zero limit", "POST", "/api/v1/admin/activities", true,
						activity(LATER, LATER_STILL, "{\"name\":\"x\",\"price\":1,\"stock\":1,\"limit\":0}"), 400,
						"BAD_REQUEST"),
				bad("end before start", "POST", "/api/v1/admin/activities", true, activity(LATER_STILL, LATER, item),
						400, "BAD_REQUEST"),
				bad("no items", "POST", "/api/v1/admin/activities", true, activity(LATER, LATER_STILL, ""), 400,
						"BAD_REQUEST"),
				bad("unreadable date", "POST", "/api/v1/admin/activities", true,
						activity("tomorrow", LATER_STILL, item), 400, "BAD_REQUEST"),
				bad("duplicate item names", "POST", "/api/v1/admin/activities", true,
						activity(LATER, LATER_STILL, item + "," + item), 400, "BAD_REQUEST"),
				bad("change of unknown activity", "PUT", "/api/v1/admin/activities/987654321", true,
						activity(LATER, LATER_STILL, item), 404, "NOT_FOUND"),
				bad("publish of unknown activity", "POST", "/api/v1/admin/activities/987654321/publish", true, null,
						404, "NOT_FOUND"),
				bad("level out of range", "PATCH", "/api/v1/admin/users/root-admin", true, "{\"level\":1000}", 400,
						"BAD_REQUEST"),
				bad("unknown user", "PATCH", "/api/v1/admin/users/nobody-here", true, "{\"level\":1}", 404,
						"NOT_FOUND"),
				bad("empty change", "PATCH", "/api/v1/admin/users/root-admin", true, "{}", 400, "BAD_REQUEST"),
				bad("non-numeric activity id", "GET", "/api/v1/activities/abc", false, null, 400, "BAD_REQUEST"),
				bad("unknown activity", "GET", "/api/v1/activities/987654321", false, null, 404, "NOT_FOUND"),
				bad("negative id in purchase", "POST", "/api/v1/activities/-1/items/1/purchases", true, null, 400,
						"BAD_REQUEST"),
				bad("huge id in purchase", "POST", "/api/v1/activities/99999999999999999999/items/1/purchases", true,
						null, 400, "BAD_REQUEST"),
				bad("garbage ticket", "GET", "/api/v1/purchases/garbage", true, null, 404, "NOT_FOUND"),
				bad("unknown path", "GET", "/api/v1/nothing-here", true, null, 404, "NOT_FOUND"),
				bad("unknown path without a token", "GET", "/api/v1/nothing-here", false, null, 401, "UNAUTHENTICATED"),
				bad("wrong method", "DELETE", "/api/v1/users", false, null, 405, "METHOD_NOT_ALLOWED"),
				bad("wrong method on the purchase route", "GET", "/api/v1/activities/1/items/1/purchases", true, null,
						405, "METHOD_NOT_ALLOWED"),
				bad("wrong method on the time route", "POST", "/api/v1/time", false, null, 405, "METHOD_NOT_ALLOWED"),
				bad("unknown field", "POST", "/api/v1/users", false,
						"{\"username\":\"sneaky\",\"password\":\"password123\",\"role\":\"ADMIN\"}", 400,
						"BAD_REQUEST"),
				bad("field given twice", "POST", "/api/v1/users", false,
						"{\"username\":\"twice\",\"username\":\"twice2\",\"password\":\"password123\"}", 400,
						"BAD_REQUEST"),
				bad("garbage after the JSON", "POST", "/api/v1/users", false,
						"{\"username\":\"trailing\",\"password\":\"password123\"} and more", 400, "BAD_REQUEST"),
				bad("malformed body where none is read", "POST", "/api/v1/admin/activities/987654321/publish", true,
						"{\"oops\":", 400, "BAD_REQUEST"),
				bad("malformed body on a purchase-token request", "POST",
						"/api/v1/activities/987654321/items/1/purchase-tokens", true, "[1,", 400, "BAD_REQUEST"),
				bad("a body that is not JSON where none is read", "POST",
						"/api/v1/activities/987654321/items/1/purchases", true, "quantity=2", 400, "BAD_REQUEST"));
	}

	private static Arguments bad(String name, String method, String path, boolean asAdmin, String body, int status,
			String code) {
		return Arguments.of(name, method, path, asAdmin, body, status, code);
	}

	private static String activity(String start, String end, String items) {
		return "{\"name\":\"bad\",\"startsAt\":\"" + start + "\",\"endsAt\":\"" + end + "\",\"items\":[" + items + "]}";
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRequests")
	void isRejectedWithoutChangingState(String name, String method, String path, boolean asAdmin, String body,
			int status, String code) {
		String token = asAdmin ? this.api.adminToken() : null;
		List<Object> before = snapshot();

		Reply reply = this.api.send(method, path, token, body, Map.of());

		assertThat(reply.status()).as(reply.body().toString()).isEqualTo(status);
		assertThat(reply.code()).isEqualTo(code);
		assertThat(reply.text("messageZh")).isNotBlank();
		assertThat(reply.body().toString()).doesNotContain("Exception");
		assertThat(snapshot()).isEqualTo(before);
	}

	@org.junit.jupiter.params.ParameterizedTest(name = "purchase with Idempotency-Key \"{0}\"")
	@org.junit.jupiter.params.provider.ValueSource(strings = { "", "has space", "ümlaut", "semi;colon",
			"0123456789012345678901234567890123456789012345678901234567890123456789" })
	void aPurchaseWithABadIdempotencyKeyOnAnOpenSaleChangesNothing(String key) {
		io.seckill.support.Api.Activity sale = this.api.newSale(java.time.Duration.ofSeconds(-1), 5);
		String token = this.api.newShopper();
		List<Object> before = snapshot();

		Reply reply = this.api.send("POST", sale.purchasePath(sale.item()), token, null,
				Map.of("Idempotency-Key", key));

		assertThat(reply.status()).isEqualTo(400);
		assertThat(reply.code()).isEqualTo("BAD_REQUEST");
		assertThat(snapshot()).isEqualTo(before);
	}

	@org.junit.jupiter.params.ParameterizedTest
	@org.junit.jupiter.params.provider.ValueSource(
			strings = { "/api/v1/users", "/api/v1/activities/987654321/items/1/purchases" })
	void aBodyThatIsNotJsonIsAnUnsupportedMediaType(String path) {
		List<Object> before = snapshot();
		Reply reply = this.api.send("POST", path, this.api.adminToken(), "username=a&password=b",
				Map.of("Content-Type", "text/plain"));
		assertThat(reply.status()).isEqualTo(415);
		assertThat(reply.code()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
		assertThat(snapshot()).isEqualTo(before);
	}

	@org.junit.jupiter.api.Test
	void aMalformedBodyOnAnOpenSaleGetsNoTokenAndBuysNothing() {
		io.seckill.support.Api.Activity sale = this.api.newSale(java.time.Duration.ofSeconds(-1), 5);
		String token = this.api.newShopper();
		String purchaseToken = this.api.purchaseToken(sale, sale.item(), token);
		List<Object> before = snapshot();

		Reply tokenRequest = this.api.post(sale.purchasePath(sale.item()).replace("/purchases", "/purchase-tokens"),
				token, "{\"challengeId\":");
		Reply purchase = this.api.send("POST", sale.purchasePath(sale.item()), token, "{not json}",
				Map.of("Purchase-Token", purchaseToken, "Idempotency-Key", "malformed-1"));

		assertThat(tokenRequest.status()).isEqualTo(400);
		assertThat(tokenRequest.code()).isEqualTo("BAD_REQUEST");
		assertThat(purchase.status()).isEqualTo(400);
		assertThat(purchase.code()).isEqualTo("BAD_REQUEST");
		assertThat(snapshot()).isEqualTo(before);
		// The token was not used up by the refused purchase.
		Reply bought = this.api.send("POST", sale.purchasePath(sale.item()), token, null,
				Map.of("Purchase-Token", purchaseToken, "Idempotency-Key", "malformed-2"));
		assertThat(bought.status()).isEqualTo(202);
		// Written before the next test takes its snapshots.
		assertThat(this.api.awaitTicket(bought.text("ticket"), token, java.time.Duration.ofSeconds(20)).text("status"))
			.isEqualTo("SUCCESS");
	}

	private List<Object> snapshot() {
		return StateSnapshot.of(this.jdbc, this.redis, this.keys);
	}

}
