package io.seckill.user.internal;

import io.seckill.platform.web.StrictBodies;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;

import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The access rules of the sale's hot path, the requests a crowd sends by the thousand per
 * second: the clock and ping (anyone), purchase-token and challenge requests, purchases
 * tickets and the waiting room (any logged-in account). Decided here, in memory, before
 * any body is read, with the same token check ({@link BearerTokens}) and the same refusal
 * ({@link AccessRefusals}) as Spring Security's chain ({@link AccessRules}), which this
 * filter stands in front of and hands every other request to. The chain's machinery (its
 * firewall, security headers, Reactor-context plumbing and path matchers) more than
 * doubled the CPU of a ping and halved admissions (A/B in docs/benchmarks.md), so these
 * exact routes skip it: their paths are matched segment by segment, with numeric ids, and
 * their handlers parse strictly everything they read (tokens, keys, ids).
 */
final class HotPathAccess implements WebFilter {

	private static final String PREFIX = "/api/v1/";

	private final BearerTokens bearerTokens;

	private final AccessRefusals refusals;

	private final StrictBodies bodies;

	private final WebFilter securityChain;

	HotPathAccess(BearerTokens bearerTokens, AccessRefusals refusals, StrictBodies bodies, WebFilter securityChain) {
		this.bearerTokens = bearerTokens;
		this.refusals = refusals;
		this.bodies = bodies;
		this.securityChain = securityChain;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		Route route = route(exchange.getRequest().getMethod(), exchange.getRequest().getPath().value());
		if (route == null) {
			return this.securityChain.filter(exchange, chain);
		}
		if (route == Route.PUBLIC || this.bearerTokens.authenticate(exchange) != null) {
			return this.bodies.check(exchange, chain);
		}
		return this.refusals.unauthenticated(exchange);
	}

	/** Who may call a hot-path route. */
	enum Route {

		/** The clock and ping. */
		PUBLIC,
		/** Purchase tokens, challenges, purchases, tickets: a logged-in account. */
		SHOPPER

	}

	/**
	 * The hot-path route of {@code method} on {@code path}, or null for every other
	 * request (another method on these paths too: the chain answers it).
	 */
	static Route route(HttpMethod method, String path) {
		if (!path.startsWith(PREFIX)) {
			return null;
		}
		String rest = path.substring(PREFIX.length());
		if (HttpMethod.GET.equals(method)) {
			if (rest.equals("ping") || rest.equals("time")) {
				return Route.PUBLIC;
			}
			if (rest.startsWith("purchases/")) {
				String ticket = rest.substring("purchases/".length());
				return (!ticket.isEmpty() && ticket.indexOf('/') < 0) ? Route.SHOPPER : null;
			}
			return isWaitingRoom(rest) ? Route.SHOPPER : null;
		}
		if (!HttpMethod.POST.equals(method) || !rest.startsWith("activities/")) {
			return null;
		}
		// activities/{id}/challenges,
		// activities/{id}/items/{itemId}/purchases|purchase-tokens
		String[] segments = rest.split("/", -1);
		if (segments.length == 3 && isId(segments[1])
				&& (segments[2].equals("challenges") || segments[2].equals("waiting-room"))) {
			return Route.SHOPPER;
		}
		if (segments.length == 5 && isId(segments[1]) && segments[2].equals("items") && isId(segments[3])
				&& (segments[4].equals("purchases") || segments[4].equals("purchase-tokens"))) {
			return Route.SHOPPER;
		}
		return null;
	}

	/** activities/{id}/waiting-room */
	private static boolean isWaitingRoom(String rest) {
		if (!rest.startsWith("activities/")) {
			return false;
		}
		String[] segments = rest.split("/", -1);
		return segments.length == 3 && isId(segments[1]) && segments[2].equals("waiting-room");
	}

	private static boolean isId(String segment) {
		if (segment.isEmpty() || segment.length() > 18) {
			return false;
		}
		for (int i = 0; i < segment.length(); i++) {
			if (segment.charAt(i) < '0' || segment.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

}
