package io.seckill.user.internal;

import io.seckill.user.internal.HotPathAccess.Route;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which paths skip Spring Security's chain for the hot path's own rules: exactly the
 * routes of the clock, ping, purchase tokens, challenges, purchases and tickets, with
 * numeric ids; everything else (admin paths above all) goes through the chain.
 */
class HotPathAccessTest {

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(nullValues = "CHAIN",
			value = { "/api/v1/ping, PUBLIC", "/api/v1/time, PUBLIC",
					"/api/v1/activities/12/items/3/purchases, SHOPPER",
					"/api/v1/activities/12/items/3/purchase-tokens, SHOPPER",
					"/api/v1/activities/12/challenges, SHOPPER", "/api/v1/purchases/12-5c38a8, SHOPPER",
					"/api/v1/ping/, CHAIN", "/api/v1/pings, CHAIN", "/api/v1/activities, CHAIN",
					"/api/v1/activities/12, CHAIN", "/api/v1/activities/abc/items/3/purchases, CHAIN",
					"/api/v1/activities/12/items/3/purchases/x, CHAIN", "/api/v1/activities/12//challenges, CHAIN",
					"/api/v1/activities/12/items/%33/purchases, CHAIN", "/api/v1/admin/activities/12/challenges, CHAIN",
					"/api/v1/purchases/, CHAIN", "/api/v1/purchases/a/b, CHAIN", "/api/v1/users, CHAIN",
					"/api/v1/sessions, CHAIN", "/, CHAIN", "/admin.html, CHAIN", "/api/v2/ping, CHAIN" })
	void onlyTheHotPathsRoutesAreDecidedOutsideTheChain(String path, Route route) {
		assertThat(HotPathAccess.route(path)).isEqualTo(route);
	}

}
