-- One row per admitted unit. ticket: the purchase request that produced it (a redelivered stream entry
-- finds its order instead of making a second). (activity, item, user, slot): a user's n-th unit of an
-- item, slot in 1..purchase_limit, so the per-user limit holds in the database even if Redis forgot.
CREATE TABLE orders (
    id          BIGSERIAL PRIMARY KEY,
    ticket      VARCHAR(64)    NOT NULL UNIQUE,
    activity_id BIGINT         NOT NULL REFERENCES activities (id),
    item_id     BIGINT         NOT NULL REFERENCES items (id),
    user_id     BIGINT         NOT NULL REFERENCES users (id),
    slot        INT            NOT NULL CHECK (slot >= 1),
    price       NUMERIC(12, 2) NOT NULL,
    status      VARCHAR(16)    NOT NULL DEFAULT 'CREATED',
    created_at  TIMESTAMPTZ    NOT NULL DEFAULT now(),
    CONSTRAINT orders_one_per_slot UNIQUE (activity_id, item_id, user_id, slot)
);

CREATE INDEX orders_user ON orders (user_id, id);
CREATE INDEX orders_item_status ON orders (item_id, status);
