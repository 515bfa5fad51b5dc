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
			rs.getInt("level"), rs.getBoolean("blacklisted"));

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
		return Optional.of(new UserAccount(id, username, passwordHash, role, level, false));
	}

	Optional<UserAccount> findByUsername(String username) {
		return this.jdbc.sql("SELECT * FROM users WHERE username = :username")
			.param("username", username)
			.query(ACCOUNT)
			.optional();
	}

	Optional<UserAccount> updateRules(String username, Integer level, Boolean blacklisted) {
		int updated = this.jdbc
			.sql("UPDATE users SET level = COALESCE(:level, level), blacklisted = COALESCE(:blacklisted, blacklisted) "
					+ "WHERE username = :username")
			.param("level", level)
			.param("blacklisted", blacklisted)
			.param("username", username)
			.update();
		return (updated == 0) ? Optional.empty() : findByUsername(username);
	}

	/** Accounts whose rules differ from a new shopper's (blacklisted or levelled). */
	List<UserAccount> findWithRules() {
		return this.jdbc.sql("SELECT * FROM users WHERE blacklisted OR level <> 0").query(ACCOUNT).list();
	}

}
