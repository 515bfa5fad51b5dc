package io.seckill.user.internal;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.user.Role;
import io.seckill.user.internal.UserRulesDirectory.UserRules;

import org.springframework.stereotype.Service;

/** Registration, login and admin changes to accounts. Blocking (BCrypt, JDBC). */
@Service
public class AccountService {

	private final JdbcUsers users;

	private final PasswordHashing passwords;

	private final AccessTokens tokens;

	private final UserRulesDirectory directory;

	AccountService(JdbcUsers users, PasswordHashing passwords, AccessTokens tokens, UserRulesDirectory directory) {
		this.users = users;
		this.passwords = passwords;
		this.tokens = tokens;
		this.directory = directory;
	}

	UserAccount register(String username, String password) {
		return this.users.create(username, this.passwords.hash(password), Role.SHOPPER, 0)
			.orElseThrow(() -> new ApiException(ErrorCode.USERNAME_TAKEN));
	}

	AccessTokens.IssuedToken logIn(String username, String password) {
		if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 72) {
			throw new ApiException(ErrorCode.INVALID_CREDENTIALS);
		}
		Optional<UserAccount> account = this.users.findByUsername(username);
		if (account.isEmpty() || !this.passwords.matches(password, account.get().passwordHash())) {
			throw new ApiException(ErrorCode.INVALID_CREDENTIALS);
		}
		return this.tokens.issue(account.get().asShopper());
	}

	UserAccount changeRules(String username, Integer level, Boolean blacklisted) {
		UserAccount changed = this.users.updateRules(username, level, blacklisted)
			.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "No user named " + username));
		this.directory.publish(changed.id(), new UserRules(changed.level(), changed.blacklisted()));
		return changed;
	}

	/**
	 * Creates an account with the given role when the name is free; used for the admin
	 * and the demo.
	 */
	public void ensureAccount(String username, String password, boolean admin, int level) {
		if (this.users.findByUsername(username).isPresent()) {
			return;
		}
		this.users.create(username, this.passwords.hash(password), admin ? Role.ADMIN : Role.SHOPPER, level);
	}

	/** Marks a user blacklisted (demo seed). */
	public void blacklist(String username) {
		changeRules(username, null, Boolean.TRUE);
	}

	/** Copies the admin-set rules from the database to Redis (after Redis lost them). */
	void restoreRulesToRedis() {
		Map<Long, UserRules> all = this.users.findWithRules()
			.stream()
			.collect(Collectors.toMap(UserAccount::id, (a) -> new UserRules(a.level(), a.blacklisted())));
		this.directory.publishAll(all);
	}

}
