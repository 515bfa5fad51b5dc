-- Order lifecycle: CREATED -> PAID, or CREATED/PAID -> CANCELLED (expiry, admin cancel).
ALTER TABLE orders ADD COLUMN paid_at TIMESTAMPTZ;
ALTER TABLE orders ADD COLUMN cancelled_at TIMESTAMPTZ;
ALTER TABLE orders ADD CONSTRAINT orders_status CHECK (status IN ('CREATED', 'PAID', 'CANCELLED'));

-- A cancelled order frees its buyer's slot: only live orders must be unique per user slot.
ALTER TABLE orders DROP CONSTRAINT orders_one_per_slot;
CREATE UNIQUE INDEX orders_live_slot ON orders (activity_id, item_id, user_id, slot) WHERE status <> 'CANCELLED';

-- The expiry sweep reads unpaid orders oldest first.
CREATE INDEX orders_unpaid ON orders (created_at) WHERE status = 'CREATED';

-- Units the database gave back (expiry, cancel) or added (stock raised) that Redis must get too.
-- Written in the same transaction as the change; a relay applies each row to Redis exactly once
-- (a marker key per row) and then deletes it.
CREATE TABLE redis_stock_outbox (
    id          BIGSERIAL PRIMARY KEY,
    activity_id BIGINT      NOT NULL,
    item_id     BIGINT      NOT NULL,
    user_id     BIGINT,
    units       INT         NOT NULL CHECK (units > 0),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX redis_stock_outbox_item ON redis_stock_outbox (item_id);
