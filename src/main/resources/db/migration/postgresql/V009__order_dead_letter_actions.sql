-- What admins did with dead-lettered purchases: each replay or discard, asked for and how it ended.
-- A row is written before Redis is touched (outcome PENDING) and completed after, so an action whose
-- completion was lost still shows as asked for.
CREATE TABLE dead_letter_actions (
    id              BIGSERIAL      PRIMARY KEY,
    activity_id     BIGINT         NOT NULL,
    entry_id        VARCHAR(40)    NOT NULL,
    action          VARCHAR(8)     NOT NULL CHECK (action IN ('REPLAY', 'DISCARD')),
    reason          VARCHAR(500)   NOT NULL,
    admin           VARCHAR(64)    NOT NULL,
    outcome         VARCHAR(32)    NOT NULL,
    ticket          VARCHAR(64),
    acted_at        TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX dead_letter_actions_activity ON dead_letter_actions (activity_id, id);
