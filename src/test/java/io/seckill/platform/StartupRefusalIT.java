package io.seckill.platform;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.seckill.support.Api;
import io.seckill.support.ApiContract;
import org.flywaydb.core.Flyway;
import io.seckill.support.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged application, started as its own process, as a user would start it: with
 * real servers configured it refuses each unsafe setting, naming it in one line (no stack
 * trace), and with nothing configured the demo still starts and its published passwords
 * work there. Secrets go in through the environment, never the command line.
 */
@ExtendWith(ApiContract.Check.class)
class StartupRefusalIT {

	private static final Path JAR = Path.of("target/seckill-0.1.0-SNAPSHOT.jar");

	/** Random per run: any value written here would be published, so refused. */
	private static final String GOOD_SECRET = TestServers.tokenSecret();

	static Stream<Arguments> refusedSettings() {
		return Stream.of(
				refused("only a database", Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:1/none"),
						"Refused setting spring.data.redis.url (SPRING_DATA_REDIS_URL): is not set, but "
								+ "spring.datasource.url is"),
				refused("only a Redis", Map.of("SPRING_DATA_REDIS_URL", "redis://127.0.0.1:1"),
						"Refused setting spring.datasource.url (SPRING_DATASOURCE_URL): is not set, but Redis is"),
				refused("only Sentinels",
						Map.of("SPRING_DATA_REDIS_SENTINEL_MASTER", "seckill", "SPRING_DATA_REDIS_SENTINEL_NODES",
								"127.0.0.1:1"),
						"spring.datasource.url (SPRING_DATASOURCE_URL): is not set"),
				refused("only Redis Cluster nodes, given as a list",
						Map.of("SPRING_DATA_REDIS_CLUSTER_NODES_0", "127.0.0.1:1", "SPRING_DATA_REDIS_CLUSTER_NODES_1",
								"127.0.0.1:2"),
						"spring.datasource.url (SPRING_DATASOURCE_URL): is not set, but Redis is "
								+ "(spring.data.redis.cluster.nodes)"),
				refused("no token secret", servers(Map.of()),
						"Refused setting seckill.security.token-secret (SECKILL_SECURITY_TOKEN_SECRET): is not set"),
				refused("the README's example secret",
						servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", "the-same-secret-on-every-node-32+bytes")),
						"seckill.security.token-secret (SECKILL_SECURITY_TOKEN_SECRET): is an example value published"),
				refused("a short secret", servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", "Zq8#vL2!pW9x-31")),
						"seckill.security.token-secret (SECKILL_SECURITY_TOKEN_SECRET): is 15 bytes long, shorter than 32"),
				refused("a predictable secret",
						servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", "abcdefghijklmnopqrstuvwxyz0123456789")),
						"seckill.security.token-secret (SECKILL_SECURITY_TOKEN_SECRET): is too predictable"),
				refused("a short purchase-token key",
						servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", GOOD_SECRET, "SECKILL_PURCHASE_TOKEN_KEYS_0_ID",
								"k1", "SECKILL_PURCHASE_TOKEN_KEYS_0_SECRET", "short-key")),
						"Refused setting seckill.purchase-token.keys[0].secret (SECKILL_PURCHASE_TOKEN_KEYS_0_SECRET): is 9 bytes long"),
				refused("only a Redis host", Map.of("SPRING_DATA_REDIS_HOST", "127.0.0.1"),
						"Refused setting spring.datasource.url (SPRING_DATASOURCE_URL): is not set, but Redis is "
								+ "(spring.data.redis.host)"),
				refused("a published purchase-token key",
						servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", GOOD_SECRET, "SECKILL_PURCHASE_TOKEN_KEYS_0_ID",
								"k1", "SECKILL_PURCHASE_TOKEN_KEYS_0_SECRET",
								"the-same-secret-on-every-node-32+bytes")),
						"Refused setting seckill.purchase-token.keys[0].secret (SECKILL_PURCHASE_TOKEN_KEYS_0_SECRET): "
								+ "is an example value published"),
				refused("the demo admin password",
						servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", GOOD_SECRET,
								"SECKILL_SECURITY_BOOTSTRAP_ADMIN_PASSWORD", "admin-demo-password")),
						"Refused setting seckill.security.bootstrap-admin.password "
								+ "(SECKILL_SECURITY_BOOTSTRAP_ADMIN_PASSWORD): is a password published"),
				refused("no admin password for a new database",
						servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", GOOD_SECRET)),
						"seckill.security.bootstrap-admin.password (SECKILL_SECURITY_BOOTSTRAP_ADMIN_PASSWORD): "
								+ "is not set and no admin account 'admin' exists yet"));
	}

	private static Arguments refused(String name, Map<String, String> environment, String line) {
		return Arguments.of(name, environment, line);
	}

	/**
	 * Both servers configured (a new database and key prefix each), plus {@code more}.
	 */
	private static Map<String, String> servers(Map<String, String> more) {
		Map<String, String> environment = new HashMap<>(more);
		environment.put("SPRING_DATASOURCE_URL", TestServers.newDatabase());
		environment.put("SPRING_DATA_REDIS_URL", TestServers.redisUrl());
		environment.put("SECKILL_REDIS_KEY_PREFIX", TestServers.newKeyPrefix());
		return environment;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refusedSettings")
	void theNodeRefusesToStartNamingTheSetting(String name, Map<String, String> environment, String line)
			throws Exception {
		Started node = start(environment, List.of("--server.port=0", "--management.server.port=0"));

		assertThat(node.process().waitFor(120, TimeUnit.SECONDS)).as("the node stopped").isTrue();
		String output = Files.readString(node.log());
		assertThat(node.process().exitValue()).as(output).isNotZero();
		assertThat(output).contains(line).contains("APPLICATION FAILED TO START");
		assertThat(output).doesNotContain("\tat ").doesNotContain("Exception");
	}

	@Test
	void aDatabaseWhoseAdminHasAPublishedPasswordIsRefusedWithoutAPasswordToReplaceIt() throws Exception {
		Map<String, String> environment = servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", GOOD_SECRET));
		withDemoAccounts(environment.get("SPRING_DATASOURCE_URL"));

		Started node = start(environment, List.of("--server.port=0", "--management.server.port=0"));

		assertThat(node.process().waitFor(120, TimeUnit.SECONDS)).as("the node stopped").isTrue();
		assertThat(Files.readString(node.log()))
			.contains("Refused setting seckill.security.bootstrap-admin.password "
					+ "(SECKILL_SECURITY_BOOTSTRAP_ADMIN_PASSWORD): is not set, and the admin account 'admin' "
					+ "has a password published in this project")
			.doesNotContain("\tat ");
	}

	@Test
	void aDatabaseFromTheDemoGetsTheConfiguredAdminPasswordAndItsDemoShoppersLocked() throws Exception {
		String ownPassword = "own-" + TestServers.tokenSecret().substring(0, 16);
		Map<String, String> environment = servers(Map.of("SECKILL_SECURITY_TOKEN_SECRET", GOOD_SECRET,
				"SECKILL_SECURITY_BOOTSTRAP_ADMIN_PASSWORD", ownPassword));
		withDemoAccounts(environment.get("SPRING_DATASOURCE_URL"));
		int port = freePort();
		int management = freePort();

		Started node = start(environment, List.of("--server.port=" + port, "--management.server.port=" + management));
		try {
			awaitReady(node, management);
			Api api = new Api("http://127.0.0.1:" + port);
			assertThat(logIn(api, "admin", "admin-demo-password")).isEqualTo(401);
			assertThat(logIn(api, "alice", "password123")).isEqualTo(401);
			assertThat(logIn(api, "admin", ownPassword)).isEqualTo(200);
			assertThat(Files.readString(node.log())).contains("had a published password: replaced")
				.contains("The demo account 'alice' had the demo's published password: locked");
		}
		finally {
			stop(node);
		}
	}

	/** The accounts a node that ran with the demo's defaults left in its database. */
	private static void withDemoAccounts(String jdbcUrl) throws Exception {
		Flyway.configure()
			.dataSource(jdbcUrl, null, null)
			.locations("classpath:db/migration/postgresql")
			.load()
			.migrate();
		BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
		try (Connection connection = DriverManager.getConnection(jdbcUrl);
				PreparedStatement insert = connection.prepareStatement(
						"INSERT INTO users (username, password_hash, role, level, blacklisted) VALUES (?, ?, ?, 0, FALSE)")) {
			for (String[] account : new String[][] { { "admin", "admin-demo-password", "ADMIN" },
					{ "alice", "password123", "SHOPPER" } }) {
				insert.setString(1, account[0]);
				insert.setString(2, bcrypt.encode(account[1]));
				insert.setString(3, account[2]);
				insert.executeUpdate();
			}
		}
	}

	private static int logIn(Api api, String name, String password) {
		return api.post("/api/v1/sessions", null, "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}")
			.status();
	}

	private static void awaitReady(Started node, int management) throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
		int ready = 0;
		while (ready != 200 && System.nanoTime() < deadline && node.process().isAlive()) {
			Thread.sleep(500);
			ready = status(http, "http://127.0.0.1:" + management + "/actuator/health/readiness");
		}
		assertThat(ready).as(Files.readString(node.log())).isEqualTo(200);
	}

	private static void stop(Started node) throws InterruptedException {
		node.process().destroy();
		if (!node.process().waitFor(30, TimeUnit.SECONDS)) {
			node.process().destroyForcibly();
		}
	}

	@Test
	void withNothingConfiguredTheDemoStartsAndItsPublishedPasswordsWorkThere() throws Exception {
		int port = freePort();
		int management = freePort();
		Started demo = start(Map.of(), List.of("--server.port=" + port, "--management.server.port=" + management));
		try {
			awaitReady(demo, management);
			HttpClient http = HttpClient.newHttpClient();
			Api api = new Api("http://127.0.0.1:" + port);
			assertThat(api.logIn("admin", "admin-demo-password")).isNotBlank();
			assertThat(api.logIn("alice", "password123")).isNotBlank();
			assertThat(api.get("/api/v1/activities", null).body().path("activities").size()).isEqualTo(1);
			assertThat(status(http, "http://127.0.0.1:" + port + "/actuator/health")).isEqualTo(404);
		}
		finally {
			stop(demo);
		}
	}

	record Started(Process process, Path log) {
	}

	/**
	 * The packaged jar with only {@code environment} (the test's own SPRING_ and SECKILL_
	 * variables removed) and {@code arguments}; output to a file.
	 */
	private static Started start(Map<String, String> environment, List<String> arguments) throws IOException {
		assertThat(JAR).as("the packaged jar (failsafe runs after package)").exists();
		Path log = Files.createTempFile("seckill-start-", ".log");
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m", "-jar",
						JAR.toString()));
		command.addAll(arguments);
		command.add("--spring.datasource.hikari.maximum-pool-size=3");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.directory(new File("."));
		builder.environment().keySet().removeIf((key) -> key.startsWith("SPRING_") || key.startsWith("SECKILL_"));
		builder.environment().putAll(environment);
		return new Started(builder.start(), log);
	}

	private static int status(HttpClient http, String url) {
		try {
			return http
				.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (IOException ex) {
			return 0;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 0;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
