-- MySQL 8 / MariaDB 10.6+ version of the PostgreSQL migration of the same number.
CREATE TABLE users (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username      VARCHAR(32)  NOT NULL UNIQUE,
    password_hash VARCHAR(100) NOT NULL,
    role          VARCHAR(16)  NOT NULL CHECK (role IN ('SHOPPER', 'ADMIN')),
    level         INT          NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 100),
    blacklisted   BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
