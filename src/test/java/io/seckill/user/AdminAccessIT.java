package io.seckill.user;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.seckill.support.Api;
import io.seckill.support.Api.Activity;
import io.seckill.support.Api.Reply;
import io.seckill.support.IntegrationTest;
import io.seckill.support.StateSnapshot;
import io.seckill.support.TestServers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every admin endpoint refuses every caller that is not a current admin, with 401 or 403
 * before its body is read (each request carries a body that would fail validation, so a
 * 400 would show the body was read first), and changes nothing.
 */
class AdminAccessIT extends IntegrationTest {

	private static final String BAD_ACTIVITY = "{\"name\":\"\",\"items\":[]}";

	/**
	 * An admin endpoint: method, path ({activity}, {item}, {order} filled in) and body.
	 */
	record Endpoint(String method, String path, String body) {
	}

	static List<Endpoint> adminEndpoints() {
		return List.of(new Endpoint("POST", "/api/v1/admin/activities", BAD_ACTIVITY),
				new Endpoint("GET", "/api/v1/admin/activities", null),
				new Endpoint("PUT", "/api/v1/admin/activities/{activity}", BAD_ACTIVITY),
				new Endpoint("POST", "/api/v1/admin/activities/{activity}/publish", "{\"bad\":"),
				new Endpoint("POST", "/api/v1/admin/activities/{activity}/items/{item}/stock", "{\"add\":-5}"),
				new Endpoint("GET", "/api/v1/admin/activities/{activity}/stats", null),
				new Endpoint("GET", "/api/v1/admin/activities/{activity}/dead-letters", null),
				new Endpoint("POST", "/api/v1/admin/activities/{activity}/dead-letters/1-0/replay",
						"{\"reason\":\"\"}"),
				new Endpoint("POST", "/api/v1/admin/activities/{activity}/dead-letters/1-0/discard", "{\"reason\":7}"),
				new Endpoint("GET", "/api/v1/admin/activities/{activity}/dead-letters/actions", null),
				new Endpoint("PATCH", "/api/v1/admin/users/root-admin", "{\"level\":\"high\",\"blacklisted\":true}"),
				new Endpoint("POST", "/api/v1/admin/orders/{order}/cancel", "{\"bad\":"),
				new Endpoint("GET", "/api/v1/admin/metrics", null));
	}

	/** Who calls: each kind of caller that must be refused, and with what. */
	enum Caller {

		NO_TOKEN(401, "UNAUTHENTICATED"), SHOPPER(403, "FORBIDDEN"), FORGED(401, "UNAUTHENTICATED"),
		EXPIRED(401, "UNAUTHENTICATED"), REVOKED(401, "UNAUTHENTICATED");

		final int status;

		final String code;

		Caller(int status, String code) {
			this.status = status;
			this.code = code;
		}

	}

	static Stream<Arguments> everyEndpointAndCaller() {
		return adminEndpoints().stream()
			.flatMap((endpoint) -> Stream.of(Caller.values())
				.map((caller) -> Arguments.of(endpoint.method() + " " + endpoint.path(), endpoint, caller)));
	}

	private static Activity sale;

	private static long orderId;

	private static Map<Caller, String> tokens;

	@BeforeEach
	void prepare() {
		if (tokens != null) {
			return;
		}
		sale = this.api.newSale(Duration.ofSeconds(-1), 5);
		String buyer = this.api.newShopper();
		Reply bought = this.api.purchase(sale, sale.item(), buyer);
		this.api.awaitTicket(bought.text("ticket"), buyer, Duration.ofSeconds(20));
		orderId = this.api.get("/api/v1/orders", buyer).body().get(0).path("id").asLong();
		String revoked = revokedAdminToken();
		long adminId = this.jdbc.queryForObject("SELECT id FROM users WHERE username = 'root-admin'", Long.class);
		// The admin's current version: the forged and expired tokens are refused for
		// their key and expiry only.
		int version = this.jdbc.queryForObject("SELECT token_version FROM users WHERE username = 'root-admin'",
				Integer.class);
		byte[] otherKey = new byte[32];
		new SecureRandom().nextBytes(otherKey);
		tokens = Map.of(Caller.SHOPPER, this.api.newShopper(), Caller.FORGED,
				adminToken(adminId, version, Instant.now().plusSeconds(600), otherKey), Caller.EXPIRED,
				adminToken(adminId, version, Instant.now().minusSeconds(1), TestServers.tokenSecret().getBytes()),
				Caller.REVOKED, revoked);
	}

	@ParameterizedTest(name = "{0} as {2}")
	@MethodSource("everyEndpointAndCaller")
	void isRefusedBeforeTheBodyIsReadAndChangesNothing(String name, Endpoint endpoint, Caller caller) {
		String path = endpoint.path()
			.replace("{activity}", Long.toString(sale.id()))
			.replace("{item}", Long.toString(sale.item()))
			.replace("{order}", Long.toString(orderId));
		List<Object> before = StateSnapshot.of(this.jdbc, this.redis, this.keys);

		Reply reply = this.api.send(endpoint.method(), path, tokens.get(caller), endpoint.body(), Map.of());

		assertThat(reply.status()).as(reply.body().toString()).isEqualTo(caller.status);
		assertThat(reply.code()).isEqualTo(caller.code);
		assertThat(reply.text("messageZh")).isNotBlank();
		assertThat(StateSnapshot.of(this.jdbc, this.redis, this.keys)).isEqualTo(before);
	}

	@Test
	void aCurrentAdminGetsPastTheRulesToTheValidation() {
		Reply reply = this.api.post("/api/v1/admin/activities", this.api.adminToken(), BAD_ACTIVITY);
		assertThat(reply.status()).isEqualTo(400);
		assertThat(reply.code()).isEqualTo("BAD_REQUEST");
	}

	/** An admin token signed with {@code key}, expiring at {@code expiresAt}. */
	private static String adminToken(long adminId, int version, Instant expiresAt, byte[] key) {
		try {
			JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(Long.toString(adminId))
				.claim("name", "root-admin")
				.claim("role", "ADMIN")
				.claim("lvl", 0)
				.claim("tv", version)
				.issueTime(Date.from(expiresAt.minusSeconds(600)))
				.expirationTime(Date.from(expiresAt))
				.build();
			SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
			jwt.sign(new MACSigner(key));
			return jwt.serialize();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A real admin token, revoked by two password changes (to another password and back,
	 * so that the other tests of this class still log in).
	 */
	private String revokedAdminToken() {
		String revoked = this.api.adminToken();
		String other = "other-" + Api.uniqueName("pw");
		String current = changePassword(revoked, TestServers.adminPassword(), other);
		changePassword(current, other, TestServers.adminPassword());
		return revoked;
	}

	private String changePassword(String token, String from, String to) {
		Reply changed = this.api.send("PUT", "/api/v1/users/me/password", token,
				"{\"currentPassword\":\"" + from + "\",\"newPassword\":\"" + to + "\"}", Map.of());
		assertThat(changed.status()).as(changed.body().toString()).isEqualTo(200);
		return changed.text("token");
	}

}
