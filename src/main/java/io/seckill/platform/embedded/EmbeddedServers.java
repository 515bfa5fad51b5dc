package io.seckill.platform.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import redis.embedded.RedisServer;

import org.springframework.boot.SpringApplication;

/**
 * One embedded Redis and one embedded PostgreSQL per JVM, started on first use on free
 * ports and stopped when the JVM exits. Several Spring contexts in one JVM (tests) share
 * them; each context keeps its own database and Redis key prefix.
 */
public final class EmbeddedServers {

	private static final Log log = LogFactory.getLog(EmbeddedServers.class);

	private static RedisServer redis;

	private static int redisPort;

	private static EmbeddedPostgres postgres;

	private EmbeddedServers() {
	}

	/** The URL of the embedded Redis, started if needed. */
	public static synchronized String redisUrl() {
		if (redis == null) {
			try {
				redisPort = freePort();
				redis = RedisServer.newRedisServer()
					.port(redisPort)
					.bind("127.0.0.1")
					.setting("save \"\"")
					.setting("appendonly no")
					.setting("maxmemory-policy noeviction")
					.build();
				redis.start();
				RedisServer started = redis;
				stopAtExit(() -> stopQuietly(started));
				log.info("Started embedded Redis on 127.0.0.1:" + redisPort);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not start the embedded Redis", ex);
			}
		}
		return "redis://127.0.0.1:" + redisPort;
	}

	/**
	 * The JDBC URL of the embedded PostgreSQL's {@code postgres} database, started if
	 * needed.
	 */
	public static synchronized String postgresAdminUrl() {
		return startPostgres().getJdbcUrl("postgres", "postgres");
	}

	/**
	 * A JDBC URL for database {@code name} on the embedded PostgreSQL (created by the
	 * caller).
	 */
	public static synchronized String postgresUrl(String name) {
		return startPostgres().getJdbcUrl("postgres", name);
	}

	private static EmbeddedPostgres startPostgres() {
		if (postgres == null) {
			try {
				Map<String, String> config = new HashMap<>();
				// Orders are written in batches; fsync per commit is kept (durability is
				// the point).
				config.put("max_connections", "200");
				EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
				config.forEach(builder::setServerConfig);
				postgres = builder.start();
				EmbeddedPostgres started = postgres;
				stopAtExit(() -> closeQuietly(started));
				log.info("Started embedded PostgreSQL on 127.0.0.1:" + postgres.getPort());
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not start the embedded PostgreSQL", ex);
			}
		}
		return postgres;
	}

	/**
	 * Spring Boot runs its shutdown handlers after it closed the application contexts, so
	 * the servers outlive the connection pools that use them and shutdown stays quiet.
	 */
	private static void stopAtExit(Runnable stop) {
		SpringApplication.getShutdownHandlers().add(stop);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
	}

	private static void stopQuietly(RedisServer server) {
		try {
			server.stop();
		}
		catch (IOException | RuntimeException ex) {
			// The JVM is exiting; nothing useful to do with the failure.
		}
	}

	private static void closeQuietly(EmbeddedPostgres server) {
		try {
			server.close();
		}
		catch (IOException | RuntimeException ex) {
			// The JVM is exiting; nothing useful to do with the failure.
		}
	}

}
