package io.seckill.user.internal;

import io.seckill.platform.web.StrictBodies;
import reactor.core.publisher.Mono;

import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;

/**
 * The one authorization layer (Spring Security for WebFlux): who may call what, by path,
 * decided before any handler runs and so before any body is read.
 * <ul>
 * <li>{@code /api/v1/admin/**}: admins;</li>
 * <li>registration, login, the clock, ping, and reading activities: anyone;</li>
 * <li>every other {@code /api/**} path: any logged-in account (shoppers and admins); a
 * path added later is protected until a rule says otherwise;</li>
 * <li>the rest (the pages and their files): anyone.</li>
 * </ul>
 * Stateless: no session, no cookie (so no CSRF to defend), the caller comes from the
 * bearer token of each request ({@link BearerTokens}). Refusals are the API's error body
 * ({@link AccessRefusals}): 401 UNAUTHENTICATED without a valid token, 403 FORBIDDEN for
 * a shopper on an admin path.
 * <p>
 * The sale's hot-path routes (the clock, ping, purchase tokens, challenges, purchases,
 * tickets) follow the same rules, decided by {@link HotPathAccess} before this chain,
 * which they then skip: the chain's machinery cost more than the rest of a ping
 * (docs/benchmarks.md).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class AccessRules {

	static final String[] PUBLIC_API = { "/api/v1/users", "/api/v1/users/challenges", "/api/v1/sessions",
			"/api/v1/time", "/api/v1/ping" };

	@Bean
	SecurityWebFilterChain apiAccess(ServerHttpSecurity http, ReactiveAuthenticationManager verifiedTokens,
			BearerTokens bearerTokens, AccessRefusals refusals, StrictBodies bodies) {
		AuthenticationWebFilter authentication = new AuthenticationWebFilter(verifiedTokens);
		authentication.setServerAuthenticationConverter(bearerTokens);
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.addFilterAt(authentication, SecurityWebFiltersOrder.AUTHENTICATION)
			// A body is read only once the rules let its request through.
			.addFilterAfter(bodies::check, SecurityWebFiltersOrder.AUTHORIZATION)
			.authorizeExchange((rules) -> rules.pathMatchers("/api/v1/admin/**")
				.hasRole("ADMIN")
				.pathMatchers(PUBLIC_API)
				.permitAll()
				.pathMatchers(HttpMethod.GET, "/api/v1/activities", "/api/v1/activities/*")
				.permitAll()
				.pathMatchers("/api/**")
				.authenticated()
				.anyExchange()
				.permitAll())
			.exceptionHandling(
					(refusal) -> refusal.authenticationEntryPoint((exchange, ex) -> refusals.unauthenticated(exchange))
						.accessDeniedHandler((exchange, ex) -> refusals.forbidden(exchange)))
			.build();
	}

	/**
	 * The hot path's rules in front of Spring Security's chain, in its place among the
	 * web filters: hot-path requests are decided by {@link HotPathAccess} and never enter
	 * the chain, every other request goes on to it.
	 */
	@Bean
	WebHttpHandlerBuilderCustomizer hotPathInFrontOfTheChain(BearerTokens bearerTokens, AccessRefusals refusals,
			StrictBodies bodies) {
		return (builder) -> builder
			.filters((filters) -> filters.replaceAll((filter) -> (filter instanceof WebFilterChainProxy)
					? new HotPathAccess(bearerTokens, refusals, bodies, filter) : filter));
	}

	/**
	 * The converter has verified the token already; this manager only passes its result
	 * on (and, as a bean, keeps Spring Boot from creating a default user).
	 */
	@Bean
	ReactiveAuthenticationManager verifiedTokens() {
		return Mono::just;
	}

	/**
	 * No Micrometer observation around each filter of the chain, each authentication and
	 * each authorization: they cost more per request than the filters themselves (the
	 * request's own timer, {@code http.server.requests}, stays). Measured in
	 * docs/benchmarks.md.
	 */
	@Bean
	SecurityObservationSettings noSecurityObservations() {
		return SecurityObservationSettings.noObservations();
	}

}
