package io.seckill.user.internal;

import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ClientAddresses;
import io.seckill.platform.web.ErrorCode;
import io.seckill.user.Shopper;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Registration, login and password changes. Each is limited in Redis before its password
 * is hashed, and hashed on the bounded hashing pool ({@link PasswordHashing}), so that
 * neither a flood nor a guesser can take the sale's CPU.
 */
@RestController
class UserController {

	static final String USERNAME = "[A-Za-z0-9_.-]{3,32}";

	private static final Pattern USERNAME_PATTERN = Pattern.compile(USERNAME);

	private final AccountService accounts;

	private final PasswordHashing hashing;

	private final AccountLimits limits;

	private final ClientAddresses clientAddresses;

	private final SignUpChallenges challenges;

	UserController(AccountService accounts, PasswordHashing hashing, AccountLimits limits,
			ClientAddresses clientAddresses, SignUpChallenges challenges) {
		this.accounts = accounts;
		this.hashing = hashing;
		this.limits = limits;
		this.clientAddresses = clientAddresses;
		this.challenges = challenges;
	}

	/**
	 * POST /api/v1/users: a new shopper; with {@code challengeId} and {@code answer} when
	 * sign-ups answer a picture challenge (CHALLENGE_REQUIRED says so).
	 */
	@Operation(operationId = "register", summary = "Sign up a shopper")
	@PostMapping("/api/v1/users")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<UserView> register(ServerHttpRequest request, @Valid @RequestBody Credentials credentials) {
		requireBcryptLength("password", credentials.password());
		String username = normalized(credentials.username());
		String client = this.clientAddresses.of(request);
		return this.limits.countRegistration(client)
			.then(this.challenges.check(client, credentials.challengeId(), credentials.answer()))
			.then(this.hashing.run(() -> UserView.of(this.accounts.register(username, credentials.password()))));
	}

	/**
	 * POST /api/v1/users/challenges: a picture challenge to answer with the sign-up (201
	 * {challengeId, image, expiresAt}); 404 while sign-ups need none.
	 */
	@Operation(operationId = "signUpChallenge",
			summary = "A picture challenge for the sign-up, while sign-ups ask for one")
	@PostMapping("/api/v1/users/challenges")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<ChallengeView> signUpChallenge(ServerHttpRequest request) {
		return this.challenges.create(this.clientAddresses.of(request))
			.map((issued) -> new ChallengeView(issued.challengeId(), issued.image(),
					Instant.ofEpochMilli(issued.expiresAtMillis())));
	}

	@Operation(operationId = "logIn", summary = "Log in: an access token")
	@PostMapping("/api/v1/sessions")
	Mono<SessionView> logIn(ServerHttpRequest request, @RequestBody LoginAttempt attempt) {
		if (attempt == null || attempt.username() == null || attempt.password() == null) {
			return Mono.error(new ApiException(ErrorCode.BAD_REQUEST, "username and password are required"));
		}
		// No account can have such a name or password: nothing to count or hash.
		if (!USERNAME_PATTERN.matcher(attempt.username()).matches() || !AccountService.fitsBcrypt(attempt.password())) {
			return Mono.error(new ApiException(ErrorCode.INVALID_CREDENTIALS));
		}
		String username = normalized(attempt.username());
		return this.limits.countLogin(username, this.clientAddresses.of(request))
			.then(this.hashing.run(() -> this.accounts.logIn(username, attempt.password())))
			.flatMap((token) -> this.limits.forgiveLogin(username).thenReturn(SessionView.of(token)));
	}

	/**
	 * PUT /api/v1/users/me/password: the caller's new password, given the current one.
	 * Every access token issued before is revoked on every node; the answer carries a new
	 * one. Wrong current passwords count against the login limit of the caller's name.
	 */
	@Operation(operationId = "changePassword", summary = "Change the password: a new token, every earlier one revoked")
	@PutMapping("/api/v1/users/me/password")
	Mono<SessionView> changePassword(ServerHttpRequest request, @AuthenticationPrincipal Shopper caller,
			@Valid @RequestBody PasswordChange change) {
		requireBcryptLength("newPassword", change.newPassword());
		if (!AccountService.fitsBcrypt(change.currentPassword())) {
			return Mono.error(new ApiException(ErrorCode.WRONG_PASSWORD));
		}
		return this.limits.countLogin(caller.username(), this.clientAddresses.of(request))
			.then(this.hashing
				.run(() -> this.accounts.changePassword(caller.id(), change.currentPassword(), change.newPassword())))
			.flatMap((token) -> this.limits.forgiveLogin(caller.username()).thenReturn(SessionView.of(token)));
	}

	/**
	 * BCrypt reads at most 72 bytes; a longer password (many non-ASCII characters) is
	 * refused rather than silently truncated.
	 */
	private static void requireBcryptLength(String field, String password) {
		if (!AccountService.fitsBcrypt(password)) {
			throw new ApiException(ErrorCode.BAD_REQUEST, "Invalid input: " + field + " must be at most 72 bytes");
		}
	}

	private static String normalized(String username) {
		return username.toLowerCase(Locale.ROOT);
	}

	record Credentials(
			@NotNull @jakarta.validation.constraints.Pattern(regexp = USERNAME,
					message = "must be 3 to 32 letters, digits, '_', '.' or '-'") String username,
			@NotNull @Size(min = 8, max = 72, message = "must be 8 to 72 characters") String password,
			@Size(max = 64) String challengeId, @Size(max = 16) String answer) {
	}

	/** A challenge to show. */
	record ChallengeView(String challengeId, String image, Instant expiresAt) {
	}

	record LoginAttempt(String username, String password) {
	}

	record PasswordChange(@NotNull String currentPassword,
			@NotNull @Size(min = 8, max = 72, message = "must be 8 to 72 characters") String newPassword) {
	}

	record SessionView(String token, String tokenType, Instant expiresAt) {

		static SessionView of(AccessTokens.IssuedToken token) {
			return new SessionView(token.token(), "Bearer", token.expiresAt());
		}

	}

}
