package io.seckill.user.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.seckill.platform.web.ApiErrorHandler;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
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
 * bearer token of each request ({@link BearerTokens}). Refusals are the API's error body:
 * 401 UNAUTHENTICATED without a valid token, 403 FORBIDDEN for a shopper on an admin
 * path.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class AccessRules {

	static final String[] PUBLIC_API = { "/api/v1/users", "/api/v1/sessions", "/api/v1/time", "/api/v1/ping" };

	@Bean
	SecurityWebFilterChain apiAccess(ServerHttpSecurity http, ReactiveAuthenticationManager verifiedTokens,
			BearerTokens bearerTokens, ApiErrorHandler errors, MeterRegistry meters) {
		AuthenticationWebFilter authentication = new AuthenticationWebFilter(verifiedTokens);
		authentication.setServerAuthenticationConverter(bearerTokens);
		Counter unauthenticated = refusals(meters, ErrorCode.UNAUTHENTICATED);
		Counter forbidden = refusals(meters, ErrorCode.FORBIDDEN);
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.addFilterAt(authentication, SecurityWebFiltersOrder.AUTHENTICATION)
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
			.exceptionHandling((refusal) -> refusal.authenticationEntryPoint((exchange, ex) -> {
				unauthenticated.increment();
				return errors.write(exchange, new ApiException(ErrorCode.UNAUTHENTICATED));
			}).accessDeniedHandler((exchange, ex) -> {
				forbidden.increment();
				return errors.write(exchange, new ApiException(ErrorCode.FORBIDDEN));
			}))
			.build();
	}

	/**
	 * The converter has verified the token already; this manager only passes its result
	 * on (and, as a bean, keeps Spring Boot from creating a default user).
	 */
	@Bean
	ReactiveAuthenticationManager verifiedTokens() {
		return Mono::just;
	}

	private static Counter refusals(MeterRegistry meters, ErrorCode code) {
		return Counter.builder("seckill.access.refused")
			.description("Requests refused by the access rules, before any handler ran")
			.tag("code", code.name())
			.register(meters);
	}

}
