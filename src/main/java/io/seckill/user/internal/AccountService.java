package io.seckill.user.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.seckill.platform.web.ApiException;
import io.seckill.platform.web.ErrorCode;
import io.seckill.user.Role;
import io.seckill.user.internal.UserRulesDirectory.UserRules;

import org.springframework.stereotype.Service;

/**
 * Registration, login, password changes and admin changes to accounts. Blocking (BCrypt,
 * JDBC): the web layer runs the hashing ones on {@link PasswordHashing}'s pool.
 */
@Service
public class AccountService {

	/** BCrypt reads at most 72 bytes of a password. */
	static final int MAX_PASSWORD_BYTES = 72;

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

	/**
	 * A token for the account, or INVALID_CREDENTIALS. An unknown username costs the same
	 * hash as a known one.
	 */
	AccessTokens.IssuedToken logIn(String username, String password) {
		Optional<UserAccount> account = this.users.findByUsername(username);
		if (!this.passwords.matches(password, account.map(UserAccount::passwordHash).orElse(null))) {
			throw new ApiException(ErrorCode.INVALID_CREDENTIALS);
		}
		return issue(account.get());
	}

	/**
	 * Replaces the password of account {@code userId} when {@code current} is right;
	 * revokes every token issued before (on every node) and returns a new one.
	 */
	AccessTokens.IssuedToken changePassword(long userId, String current, String next) {
		UserAccount account = this.users.findById(userId)
			.orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED));
		if (!this.passwords.matches(current, account.passwordHash())) {
			throw new ApiException(ErrorCode.WRONG_PASSWORD);
		}
		UserAccount changed = this.users.changePassword(userId, account.tokenVersion(), this.passwords.hash(next))
			.orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED));
		publishRules(changed);
		return issue(changed);
	}

	UserAccount changeRules(String username, Integer level, Boolean blacklisted) {
		UserAccount changed = this.users.updateRules(username, level, blacklisted)
			.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "No user named " + username));
		publishRules(changed);
		return changed;
	}

	private AccessTokens.IssuedToken issue(UserAccount account) {
		return this.tokens.issue(account.asShopper(), account.tokenVersion());
	}

	private void publishRules(UserAccount account) {
		this.directory.publish(account.id(),
				new UserRules(account.level(), account.blacklisted(), account.tokenVersion()));
	}

	/** Whether an account with this name exists. */
	boolean exists(String username) {
		return this.users.findByUsername(username).isPresent();
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

	/**
	 * Whether {@code username}'s stored password is one of {@code published} (one hash
	 * per candidate: for the few accounts the demo or the docs name).
	 */
	boolean hasPublishedPassword(String username, Collection<String> published) {
		Optional<UserAccount> account = this.users.findByUsername(username);
		return account.isPresent() && published.stream()
			.anyMatch((password) -> this.passwords.matches(password, account.get().passwordHash()));
	}

	/**
	 * Replaces {@code username}'s password (revoking its tokens), as the bootstrap admin
	 * does for an account that still has a published one.
	 */
	void replacePassword(String username, String password) {
		UserAccount account = this.users.findByUsername(username).orElseThrow();
		this.users.changePassword(account.id(), account.tokenVersion(), this.passwords.hash(password))
			.ifPresent(this::publishRules);
	}

	/**
	 * Locks {@code username}: its password becomes a random one nobody knows (a hash of
	 * the same cost, so a login takes as long as ever) and its tokens are revoked.
	 */
	void lock(String username) {
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		replacePassword(username, Base64.getEncoder().encodeToString(random));
	}

	/** Marks a user blacklisted (demo seed). */
	public void blacklist(String username) {
		changeRules(username, null, Boolean.TRUE);
	}

	/** Copies the admin-set rules from the database to Redis (after Redis lost them). */
	void restoreRulesToRedis() {
		Map<Long, UserRules> all = this.users.findWithRules()
			.stream()
			.collect(Collectors.toMap(UserAccount::id,
					(a) -> new UserRules(a.level(), a.blacklisted(), a.tokenVersion())));
		this.directory.publishAll(all);
	}

	/** Whether BCrypt can take {@code password} whole. */
	static boolean fitsBcrypt(String password) {
		return password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES;
	}

}
