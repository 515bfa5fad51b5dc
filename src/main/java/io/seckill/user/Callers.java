package io.seckill.user;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.user.internal.AccessTokens;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Tells who sent a request, from its {@code Authorization: Bearer} token, without a
 * database call.
 */
@Component
public class Callers {

	private static final String BEARER = "Bearer ";

	private final AccessTokens tokens;

	Callers(AccessTokens tokens) {
		this.tokens = tokens;
	}

	/**
	 * The caller; throws UNAUTHENTICATED when the token is missing, forged or expired.
	 */
	public Shopper authenticate(ServerHttpRequest request) {
		String header = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			throw new ApiException(ErrorCode.UNAUTHENTICATED);
		}
		Shopper shopper = this.tokens.verify(header.substring(BEARER.length()).trim());
		if (shopper == null) {
			throw new ApiException(ErrorCode.UNAUTHENTICATED);
		}
		return shopper;
	}

	/** The caller if an admin; UNAUTHENTICATED or FORBIDDEN otherwise. */
	public Shopper requireAdmin(ServerHttpRequest request) {
		Shopper caller = authenticate(request);
		if (!caller.isAdmin()) {
			throw new ApiException(ErrorCode.FORBIDDEN);
		}
		return caller;
	}

}
