CREATE TABLE orders (
    id          BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ticket      VARCHAR(64)    NOT NULL UNIQUE,
    activity_id BIGINT         NOT NULL,
    item_id     BIGINT         NOT NULL,
    user_id     BIGINT         NOT NULL,
    slot        INT            NOT NULL CHECK (slot >= 1),
    price       DECIMAL(12, 2) NOT NULL,
    status      VARCHAR(16)    NOT NULL DEFAULT 'CREATED',
    created_at  DATETIME(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT orders_one_per_slot UNIQUE (activity_id, item_id, user_id, slot),
    CONSTRAINT orders_activity FOREIGN KEY (activity_id) REFERENCES activities (id),
    CONSTRAINT orders_item FOREIGN KEY (item_id) REFERENCES items (id),
    CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id),
    INDEX orders_user_id (user_id, id),
    INDEX orders_item_status (item_id, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
