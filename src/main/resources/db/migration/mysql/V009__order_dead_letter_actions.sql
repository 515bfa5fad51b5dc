-- MySQL 8 / MariaDB 10.6+ version of the PostgreSQL migration of the same number.
CREATE TABLE dead_letter_actions (
    id              BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    activity_id     BIGINT         NOT NULL,
    entry_id        VARCHAR(40)    NOT NULL,
    action          VARCHAR(8)     NOT NULL CHECK (action IN ('REPLAY', 'DISCARD')),
    reason          VARCHAR(500)   NOT NULL,
    admin           VARCHAR(64)    NOT NULL,
    outcome         VARCHAR(32)    NOT NULL,
    ticket          VARCHAR(64)    NULL,
    acted_at        DATETIME(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    INDEX dead_letter_actions_activity (activity_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
