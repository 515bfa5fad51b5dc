-- Payment exactly once. An order is claimed (CREATED -> PAYING) before the provider is asked, so two
-- payments of one order cannot both charge; each claim is an attempt with its own idempotency key for
-- the provider (order id + attempt), so asking again after a lost answer never charges twice. A PAYING
-- order is live (it keeps its slot and its unit) and is not touched by the expiry.
ALTER TABLE orders DROP CONSTRAINT orders_status;
ALTER TABLE orders ADD CONSTRAINT orders_status CHECK (status IN ('CREATED', 'PAYING', 'PAID', 'CANCELLED'));
ALTER TABLE orders ADD COLUMN payment_attempt INT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN paying_since TIMESTAMPTZ;
-- Claims whose payer went away (a node died mid-charge) are found and settled by the workers.
CREATE INDEX orders_paying ON orders (paying_since) WHERE status = 'PAYING';

-- A refund owed for a cancelled paid order: written in the cancel's transaction, sent to the provider
-- until it acknowledges (refunded_at set), with back-off between failed tries.
CREATE TABLE refund_outbox (
    order_id        BIGINT         PRIMARY KEY REFERENCES orders (id),
    charge_key      VARCHAR(80)    NOT NULL,
    amount          NUMERIC(12, 2) NOT NULL,
    tries           INT            NOT NULL DEFAULT 0,
    next_try_at     TIMESTAMPTZ    NOT NULL DEFAULT now(),
    last_error      VARCHAR(200),
    created_at      TIMESTAMPTZ    NOT NULL DEFAULT now(),
    refunded_at     TIMESTAMPTZ
);
CREATE INDEX refund_outbox_due ON refund_outbox (next_try_at) WHERE refunded_at IS NULL;

-- The simulated payment provider's own books (the demo's stand-in for a provider's servers: one per
-- cluster, so every node sees the same charges). A real provider keeps these on its side.
CREATE TABLE simulated_payments (
    idempotency_key VARCHAR(96)    PRIMARY KEY,
    order_id        BIGINT         NOT NULL,
    kind            VARCHAR(8)     NOT NULL CHECK (kind IN ('CHARGE', 'REFUND')),
    outcome         VARCHAR(10)    NOT NULL CHECK (outcome IN ('CHARGED', 'DECLINED', 'REFUNDED')),
    amount          NUMERIC(12, 2) NOT NULL,
    created_at      TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX simulated_payments_order ON simulated_payments (order_id);

-- Orders paid before this migration count as paid by attempt 1, and the simulated provider's books
-- hold their charges, so cancelling one later owes (and gets) its refund.
UPDATE orders SET payment_attempt = 1 WHERE paid_at IS NOT NULL;
INSERT INTO simulated_payments (idempotency_key, order_id, kind, outcome, amount)
SELECT 'seckill-order-' || id || '-payment-1', id, 'CHARGE', 'CHARGED', price FROM orders WHERE paid_at IS NOT NULL;
