package io.seckill.user;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;

import org.springframework.web.server.ServerWebExchange;

/**
 * Who sent a request. The security layer ({@code AccessRules}) verifies the access token
 * before any handler runs, refuses requests to protected paths without a valid one, and
 * leaves the caller here: a handler reads it without parsing anything.
 */
public final class Callers {

	/** The exchange attribute holding the authenticated {@link Shopper}. */
	public static final String ATTRIBUTE = Callers.class.getName() + ".caller";

	private Callers() {
	}

	/**
	 * The authenticated caller; UNAUTHENTICATED when there is none (a path the security
	 * rules leave public).
	 */
	public static Shopper of(ServerWebExchange exchange) {
		Shopper caller = exchange.getAttribute(ATTRIBUTE);
		if (caller == null) {
			throw new ApiException(ErrorCode.UNAUTHENTICATED);
		}
		return caller;
	}

}
