package io.seckill.user.internal;

import java.util.List;

import io.seckill.user.Callers;
import io.seckill.user.Shopper;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Authenticates a request from its {@code Authorization: Bearer} access token, in memory
 * (signature, expiry, token version: no database or Redis call). A missing, forged,
 * expired or revoked token leaves the request anonymous: public paths serve it, the rules
 * refuse it everywhere else with 401.
 */
@Component
class BearerTokens implements ServerAuthenticationConverter {

	private static final String BEARER = "Bearer ";

	private static final List<GrantedAuthority> SHOPPER = List.of(new SimpleGrantedAuthority("ROLE_SHOPPER"));

	private static final List<GrantedAuthority> ADMIN = List.of(new SimpleGrantedAuthority("ROLE_SHOPPER"),
			new SimpleGrantedAuthority("ROLE_ADMIN"));

	private final AccessTokens tokens;

	BearerTokens(AccessTokens tokens) {
		this.tokens = tokens;
	}

	@Override
	public Mono<Authentication> convert(ServerWebExchange exchange) {
		Shopper caller = authenticate(exchange);
		return (caller != null) ? Mono.just(new CallerAuthentication(caller)) : Mono.empty();
	}

	/**
	 * The caller the request's bearer token names, also left in the exchange for
	 * {@code Callers.of}; null when the token is missing, forged, expired or revoked.
	 */
	Shopper authenticate(ServerWebExchange exchange) {
		String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		Shopper caller = this.tokens.verify(header.substring(BEARER.length()).trim());
		if (caller != null) {
			exchange.getAttributes().put(Callers.ATTRIBUTE, caller);
		}
		return caller;
	}

	/** A verified caller: its shopper is the principal, its role the authorities. */
	static final class CallerAuthentication extends AbstractAuthenticationToken {

		private final Shopper caller;

		CallerAuthentication(Shopper caller) {
			super(caller.isAdmin() ? ADMIN : SHOPPER);
			this.caller = caller;
			setAuthenticated(true);
		}

		@Override
		public Object getCredentials() {
			return "";
		}

		@Override
		public Shopper getPrincipal() {
			return this.caller;
		}

	}

}
