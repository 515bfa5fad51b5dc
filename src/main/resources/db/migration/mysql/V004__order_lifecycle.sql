ALTER TABLE orders ADD COLUMN paid_at DATETIME(6) NULL;
ALTER TABLE orders ADD COLUMN cancelled_at DATETIME(6) NULL;
ALTER TABLE orders ADD CONSTRAINT orders_status CHECK (status IN ('CREATED', 'PAID', 'CANCELLED'));

-- No partial indexes here: a generated column that is NULL for cancelled orders carries the unique
-- key instead (NULLs never collide), so a cancelled order frees its buyer's slot.
-- (The new index comes first: the foreign key on activity_id needs an index that starts with it.)
ALTER TABLE orders ADD COLUMN live_slot INT AS (CASE WHEN status = 'CANCELLED' THEN NULL ELSE slot END) STORED;
CREATE UNIQUE INDEX orders_live_slot ON orders (activity_id, item_id, user_id, live_slot);
ALTER TABLE orders DROP INDEX orders_one_per_slot;
CREATE INDEX orders_unpaid ON orders (status, created_at);

CREATE TABLE redis_stock_outbox (
    id          BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    activity_id BIGINT      NOT NULL,
    item_id     BIGINT      NOT NULL,
    user_id     BIGINT      NULL,
    units       INT         NOT NULL CHECK (units > 0),
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    INDEX redis_stock_outbox_item (item_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
