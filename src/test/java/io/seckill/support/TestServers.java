package io.seckill.support;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.seckill.platform.embedded.EmbeddedServers;

/**
 * The servers integration tests run against: the machine's own when
 * {@code SECKILL_TEST_REDIS_URL} / {@code SECKILL_TEST_JDBC_URL} name them (CI sets both
 * when they are reachable), else the embedded ones. Each test class gets its own database
 * and Redis key prefix, removed when the JVM exits, because the machine's servers are
 * shared.
 */
public final class TestServers {

	private static final List<String> databases = new ArrayList<>();

	private static final List<String> prefixes = new ArrayList<>();

	private static final String TOKEN_SECRET = randomText(32);

	private static final String ADMIN_PASSWORD = "admin-" + randomText(12);

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(TestServers::cleanUp, "test-servers-cleanup"));
	}

	private TestServers() {
	}

	/** The access-token secret of this JVM's nodes: random, as a real one must be. */
	public static String tokenSecret() {
		return TOKEN_SECRET;
	}

	/** The bootstrap admin's password on this JVM's nodes. */
	public static String adminPassword() {
		return ADMIN_PASSWORD;
	}

	private static String randomText(int bytes) {
		byte[] random = new byte[bytes];
		new SecureRandom().nextBytes(random);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
	}

	public static String redisUrl() {
		String configured = System.getenv("SECKILL_TEST_REDIS_URL");
		return (configured != null && !configured.isBlank()) ? configured : EmbeddedServers.redisUrl();
	}

	/**
	 * Whether the database-facing tests run on MariaDB ({@code SECKILL_TEST_DB=mariadb}:
	 * a second failsafe run does this) rather than PostgreSQL.
	 */
	public static boolean mariadb() {
		return "mariadb".equalsIgnoreCase(System.getenv("SECKILL_TEST_DB"));
	}

	/** The admin JDBC URL (a server connection that may create databases). */
	public static String adminJdbcUrl() {
		if (mariadb()) {
			String configured = System.getenv("SECKILL_TEST_MARIADB_URL");
			return (configured != null && !configured.isBlank()) ? configured : EmbeddedMariaDb.adminUrl();
		}
		String configured = System.getenv("SECKILL_TEST_JDBC_URL");
		return (configured != null && !configured.isBlank()) ? configured : EmbeddedServers.postgresAdminUrl();
	}

	/** Creates a fresh database and returns its JDBC URL. */
	public static synchronized String newDatabase() {
		String name = "seckill_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		execute(adminJdbcUrl(), "CREATE DATABASE " + name);
		databases.add(name);
		return withDatabase(adminJdbcUrl(), name);
	}

	/** A fresh Redis key prefix. */
	public static synchronized String newKeyPrefix() {
		String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + ":";
		prefixes.add(prefix);
		return prefix;
	}

	static String withDatabase(String adminUrl, String database) {
		int query = adminUrl.indexOf('?');
		String base = (query < 0) ? adminUrl : adminUrl.substring(0, query);
		String params = (query < 0) ? "" : adminUrl.substring(query);
		return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
	}

	private static void execute(String url, String sql) {
		try (Connection connection = DriverManager.getConnection(url);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run " + sql, ex);
		}
	}

	private static boolean configured(String variable) {
		String value = System.getenv(variable);
		return value != null && !value.isBlank();
	}

	/**
	 * Drops this JVM's databases and keys from the machine's shared servers. The embedded
	 * servers are left alone: they are thrown away with the JVM, and their own shutdown
	 * hooks stop them at the same time as this one runs, so a command sent to them could
	 * wait for a server that is going away (it held the JVM's exit for Lettuce's 60 s
	 * timeout).
	 */
	private static synchronized void cleanUp() {
		boolean sharedDatabase = configured(mariadb() ? "SECKILL_TEST_MARIADB_URL" : "SECKILL_TEST_JDBC_URL");
		for (String database : sharedDatabase ? databases : List.<String>of()) {
			try {
				execute(adminJdbcUrl(), "DROP DATABASE IF EXISTS " + database + (mariadb() ? "" : " WITH (FORCE)"));
			}
			catch (RuntimeException ex) {
				System.err.println("Could not drop test database " + database + ": " + ex.getMessage());
			}
		}
		if (prefixes.isEmpty() || !configured("SECKILL_TEST_REDIS_URL")) {
			return;
		}
		RedisClient client = RedisClient.create(redisUrl());
		client.setDefaultTimeout(Duration.ofSeconds(10));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			for (String prefix : prefixes) {
				ScanCursor cursor = ScanCursor.INITIAL;
				do {
					KeyScanCursor<String> page = connection.sync()
						.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
					if (!page.getKeys().isEmpty()) {
						connection.sync().unlink(page.getKeys().toArray(String[]::new));
					}
					cursor = page;
				}
				while (!cursor.isFinished());
			}
		}
		catch (RuntimeException ex) {
			System.err.println("Could not remove test keys from Redis: " + ex.getMessage());
		}
		finally {
			client.shutdown();
		}
	}

}
