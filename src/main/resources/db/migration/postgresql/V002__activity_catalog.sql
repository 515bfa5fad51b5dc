CREATE TABLE activities (
    id         BIGSERIAL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    starts_at  TIMESTAMPTZ  NOT NULL,
    ends_at    TIMESTAMPTZ  NOT NULL,
    min_level  INT          NOT NULL DEFAULT 0 CHECK (min_level BETWEEN 0 AND 100),
    published  BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);

-- stock: what the admin set; remaining: the database's own count, the final truth. The order writer
-- decrements remaining with a conditional update, and the CHECKs make an oversell impossible even if
-- a bug slipped past it.
CREATE TABLE items (
    id             BIGSERIAL PRIMARY KEY,
    activity_id    BIGINT        NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    name           VARCHAR(100)  NOT NULL,
    price          NUMERIC(12, 2) NOT NULL CHECK (price >= 0),
    stock          INT           NOT NULL CHECK (stock >= 0),
    remaining      INT           NOT NULL CHECK (remaining >= 0 AND remaining <= stock),
    purchase_limit INT           NOT NULL DEFAULT 1 CHECK (purchase_limit >= 1)
);

CREATE INDEX items_activity ON items (activity_id);
