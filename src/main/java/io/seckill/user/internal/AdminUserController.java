package io.seckill.user.internal;

import java.util.Locale;

import io.swagger.v3.oas.annotations.Operation;
import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.Blocking;
import io.seckill.platform.web.ErrorCode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admins set a user's level and blacklist flag; every API node applies it within a
 * second.
 */
@RestController
class AdminUserController {

	private final AccountService accounts;

	AdminUserController(AccountService accounts) {
		this.accounts = accounts;
	}

	/**
	 * Only admins get here ({@link AccessRules}); a blacklisting revokes the user's
	 * tokens.
	 */
	@Operation(operationId = "changeUserRules",
			summary = "Change a user's level or blacklist them (revokes their tokens)")
	@PatchMapping("/api/v1/admin/users/{username}")
	Mono<UserView> change(@PathVariable String username, @Valid @RequestBody RulesChange change) {
		if (change.level() == null && change.blacklisted() == null) {
			return Mono.error(new ApiException(ErrorCode.BAD_REQUEST, "Give level and/or blacklisted"));
		}
		return Blocking.call(() -> UserView
			.of(this.accounts.changeRules(username.toLowerCase(Locale.ROOT), change.level(), change.blacklisted())));
	}

	record RulesChange(@Min(0) @Max(100) Integer level, Boolean blacklisted) {
	}

}
