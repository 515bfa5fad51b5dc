package io.seckill.user.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Registration and login. */
@RestController
class UserController {

	private final AccountService accounts;

	UserController(AccountService accounts) {
		this.accounts = accounts;
	}

	@PostMapping("/api/v1/users")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<UserView> register(@Valid @RequestBody Credentials credentials) {
		// BCrypt reads at most 72 bytes; a longer password (many non-ASCII characters) is
		// refused
		// here rather than silently truncated or failing inside the hash.
		if (credentials.password().getBytes(StandardCharsets.UTF_8).length > 72) {
			return Mono
				.error(new ApiException(ErrorCode.BAD_REQUEST, "Invalid input: password must be at most 72 bytes"));
		}
		return Mono
			.fromCallable(
					() -> UserView.of(this.accounts.register(credentials.normalizedUsername(), credentials.password())))
			.subscribeOn(Schedulers.boundedElastic());
	}

	@PostMapping("/api/v1/sessions")
	Mono<SessionView> logIn(@RequestBody Credentials credentials) {
		if (credentials == null || credentials.username() == null || credentials.password() == null) {
			return Mono.error(new ApiException(ErrorCode.BAD_REQUEST, "username and password are required"));
		}
		return Mono.fromCallable(() -> {
			AccessTokens.IssuedToken token = this.accounts.logIn(credentials.normalizedUsername(),
					credentials.password());
			return new SessionView(token.token(), "Bearer", token.expiresAt());
		}).subscribeOn(Schedulers.boundedElastic());
	}

	record Credentials(
			@NotNull @Pattern(regexp = "[A-Za-z0-9_.-]{3,32}",
					message = "must be 3 to 32 letters, digits, '_', '.' or '-'") String username,
			@NotNull @Size(min = 8, max = 72, message = "must be 8 to 72 characters") String password) {

		String normalizedUsername() {
			return this.username.toLowerCase(java.util.Locale.ROOT);
		}

	}

	record SessionView(String token, String tokenType, Instant expiresAt) {
	}

}
