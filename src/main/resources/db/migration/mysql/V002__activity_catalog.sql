CREATE TABLE activities (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    starts_at  DATETIME(6)  NOT NULL,
    ends_at    DATETIME(6)  NOT NULL,
    min_level  INT          NOT NULL DEFAULT 0 CHECK (min_level BETWEEN 0 AND 100),
    published  BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT activities_window CHECK (ends_at > starts_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- stock: what the admin set; remaining: the database's own count, the final truth.
CREATE TABLE items (
    id             BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    activity_id    BIGINT         NOT NULL,
    name           VARCHAR(100)   NOT NULL,
    price          DECIMAL(12, 2) NOT NULL CHECK (price >= 0),
    stock          INT            NOT NULL CHECK (stock >= 0),
    remaining      INT            NOT NULL,
    purchase_limit INT            NOT NULL DEFAULT 1 CHECK (purchase_limit >= 1),
    CONSTRAINT items_remaining CHECK (remaining >= 0 AND remaining <= stock),
    CONSTRAINT items_activity FOREIGN KEY (activity_id) REFERENCES activities (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
