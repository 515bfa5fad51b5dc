package io.seckill.user.internal;

import io.seckill.user.internal.HotPathAccess.Route;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which requests skip Spring Security's chain for the hot path's own rules: exactly the
 * routes of the clock, ping, purchase tokens, challenges, purchases and tickets, with
 * their own methods and numeric ids; everything else (admin paths above all, any path
 * routing would decode or strip) goes through the chain.
 */
class HotPathAccessTest {

	@ParameterizedTest(name = "{0} {1} -> {2}")
	@CsvSource(nullValues = "CHAIN", value = { "GET, /api/v1/ping, PUBLIC", "GET, /api/v1/time, PUBLIC",
			"POST, /api/v1/activities/12/items/3/purchases, SHOPPER",
			"POST, /api/v1/activities/12/items/3/purchase-tokens, SHOPPER",
			"POST, /api/v1/activities/12/challenges, SHOPPER", "POST, /api/v1/activities/12/waiting-room, SHOPPER",
			"GET, /api/v1/activities/12/waiting-room, SHOPPER", "PUT, /api/v1/activities/12/waiting-room, CHAIN",
			"GET, /api/v1/activities/x/waiting-room, CHAIN", "GET, /api/v1/admin/activities/12/waiting-room, CHAIN",
			"GET, /api/v1/activities/12/waiting-room/, CHAIN", "GET, /api/v1/purchases/12-5c38a8, SHOPPER",
			"POST, /api/v1/ping, CHAIN", "HEAD, /api/v1/ping, CHAIN",
			"GET, /api/v1/activities/12/items/3/purchases, CHAIN", "DELETE, /api/v1/purchases/12-5c38a8, CHAIN",
			"GET, /api/v1/ping/, CHAIN", "GET, /api/v1/pings, CHAIN", "GET, /api/v1/activities, CHAIN",
			"GET, /api/v1/activities/12, CHAIN", "POST, /api/v1/activities/abc/items/3/purchases, CHAIN",
			"POST, /api/v1/activities/12/items/3/purchases/x, CHAIN", "POST, /api/v1/activities/12//challenges, CHAIN",
			"POST, /api/v1/activities/12/items/%33/purchases, CHAIN",
			"POST, /api/v1/activities/12;x=1/items/3/purchases, CHAIN",
			"POST, /%61pi/v1/activities/12/challenges, CHAIN", "POST, /API/v1/activities/12/challenges, CHAIN",
			"POST, /api/v1/admin/activities/12/challenges, CHAIN", "GET, /api/v1/purchases/, CHAIN",
			"GET, /api/v1/purchases/a/b, CHAIN", "POST, /api/v1/users, CHAIN", "POST, /api/v1/sessions, CHAIN",
			"GET, /, CHAIN", "GET, /admin.html, CHAIN", "GET, /api/v2/ping, CHAIN" })
	void onlyTheHotPathsRoutesAreDecidedOutsideTheChain(String method, String path, Route route) {
		assertThat(HotPathAccess.route(HttpMethod.valueOf(method), path)).isEqualTo(route);
	}

}
