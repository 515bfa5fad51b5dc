package io.seckill.platform.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

/**
 * The few statements that differ between PostgreSQL and MySQL/MariaDB, in one place.
 * Everything else the services run is standard SQL both accept (including
 * {@code FOR UPDATE SKIP LOCKED}, which MariaDB has since 10.6 and MySQL since 8.0).
 */
public enum SqlDialect {

	POSTGRESQL {
		@Override
		public String insertIgnoringDuplicates(String table, String columns, String values) {
			return "INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ") ON CONFLICT DO NOTHING";
		}
	},

	MYSQL {
		// INSERT IGNORE would also swallow foreign-key and CHECK violations; only a
		// duplicate key may
		// be ignored, so the no-op update form is used.
		@Override
		public String insertIgnoringDuplicates(String table, String columns, String values) {
			return "INSERT INTO " + table + " (" + columns + ") VALUES (" + values
					+ ") ON DUPLICATE KEY UPDATE id = id";
		}
	};

	/**
	 * An insert that skips a row whose unique key exists and fails on any other
	 * violation.
	 */
	public abstract String insertIgnoringDuplicates(String table, String columns, String values);

	/** The dialect of the database behind {@code dataSource}. */
	public static SqlDialect of(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
			if (product.contains("postgres")) {
				return POSTGRESQL;
			}
			if (product.contains("mysql") || product.contains("mariadb")) {
				return MYSQL;
			}
			throw new IllegalStateException("Unsupported database: " + product + " (PostgreSQL, MySQL or MariaDB)");
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not tell which database this is", ex);
		}
	}

}
