package io.seckill.user.internal;

import java.util.List;
import java.util.Optional;

import io.seckill.user.Role;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

/**
 * Accounts in the database. Blocking: call from a worker thread, never the event loop.
 */
@Repository
class JdbcUsers {

	private static final RowMapper<UserAccount> ACCOUNT = (rs, row) -> new UserAccount(rs.getLong("id"),
			rs.getString("username"), rs.getString("password_hash"), Role.valueOf(rs.getString("role")),
			rs.getInt("level"), rs.getBoolean("blacklisted"), rs.getInt("token_version"));

	private final JdbcClient jdbc;

	JdbcUsers(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Creates an account; empty when the username is taken. */
	Optional<UserAccount> create(String username, String passwordHash, Role role, int level) {
		KeyHolder keys = new GeneratedKeyHolder();
		try {
			this.jdbc
				.sql("INSERT INTO users (username, password_hash, role, level, blacklisted) "
						+ "VALUES (:username, :hash, :role, :level, FALSE)")
				.param("username", username)
				.param("hash", passwordHash)
				.param("role", role.name())
				.param("level", level)
				.update(keys, "id");
		}
		catch (DuplicateKeyException ex) {
			return Optional.empty();
		}
		long id = keys.getKey().longValue();
		return Optional.of(new UserAccount(id, username, passwordHash, role, level, false, 0));
	}

	Optional<UserAccount> findByUsername(String username) {
		return this.jdbc.sql("SELECT * FROM users WHERE username = :username")
			.param("username", username)
			.query(ACCOUNT)
			.optional();
	}

	Optional<UserAccount> findById(long id) {
		return this.jdbc.sql("SELECT * FROM users WHERE id = :id").param("id", id).query(ACCOUNT).optional();
	}

	/**
	 * Sets level and/or blacklist flag; a blacklisting also moves the token version on,
	 * which revokes the user's access tokens.
	 */
	Optional<UserAccount> updateRules(String username, Integer level, Boolean blacklisted) {
		int updated = this.jdbc
			.sql("UPDATE users SET level = COALESCE(:level, level), blacklisted = COALESCE(:blacklisted, blacklisted), "
					+ "token_version = token_version + (CASE WHEN :revoke THEN 1 ELSE 0 END) WHERE username = :username")
			.param("level", level)
			.param("blacklisted", blacklisted)
			.param("revoke", Boolean.TRUE.equals(blacklisted))
			.param("username", username)
			.update();
		return (updated == 0) ? Optional.empty() : findByUsername(username);
	}

	/**
	 * Replaces the password hash and moves the token version on (every token issued
	 * before is revoked); empty when the account is gone or its version moved meanwhile.
	 */
	Optional<UserAccount> changePassword(long id, int expectedTokenVersion, String passwordHash) {
		int updated = this.jdbc
			.sql("UPDATE users SET password_hash = :hash, token_version = token_version + 1 "
					+ "WHERE id = :id AND token_version = :version")
			.param("hash", passwordHash)
			.param("id", id)
			.param("version", expectedTokenVersion)
			.update();
		return (updated == 0) ? Optional.empty() : findById(id);
	}

	/**
	 * Accounts whose rules differ from a new shopper's (blacklisted, levelled or
	 * revoked).
	 */
	List<UserAccount> findWithRules() {
		return this.jdbc.sql("SELECT * FROM users WHERE blacklisted OR level <> 0 OR token_version <> 0")
			.query(ACCOUNT)
			.list();
	}

}
