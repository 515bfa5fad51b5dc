package io.seckill.platform.sql;

import java.util.Arrays;

import javax.sql.DataSource;

import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The dialect bean, and one migration folder for the MySQL family (MariaDB reports its
 * own vendor).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseWiring {

	@Bean
	SqlDialect sqlDialect(DataSource dataSource) {
		return SqlDialect.of(dataSource);
	}

	@Bean
	FlywayConfigurationCustomizer mysqlFamilyMigrations() {
		return (configuration) -> configuration.locations(Arrays.stream(configuration.getLocations())
			.map((location) -> location.getDescriptor().replace("db/migration/mariadb", "db/migration/mysql"))
			.toArray(String[]::new));
	}

}
