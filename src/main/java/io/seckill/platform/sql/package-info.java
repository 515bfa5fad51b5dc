/** SQL dialect differences (PostgreSQL vs MySQL/MariaDB) and database wiring. */
@org.springframework.modulith.NamedInterface("sql")
package io.seckill.platform.sql;
