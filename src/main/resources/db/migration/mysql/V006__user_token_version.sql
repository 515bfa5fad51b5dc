-- MySQL 8 / MariaDB 10.6+ version of the PostgreSQL migration of the same number.
ALTER TABLE users ADD COLUMN token_version INT NOT NULL DEFAULT 0;
