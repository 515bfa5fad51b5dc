-- MySQL 8 / MariaDB 10.6+ version of the PostgreSQL migration of the same number.
ALTER TABLE orders DROP CONSTRAINT orders_status;
ALTER TABLE orders ADD CONSTRAINT orders_status CHECK (status IN ('CREATED', 'PAYING', 'PAID', 'CANCELLED'));
ALTER TABLE orders ADD COLUMN payment_attempt INT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN paying_since DATETIME(6) NULL;
CREATE INDEX orders_paying ON orders (status, paying_since);

CREATE TABLE refund_outbox (
    order_id        BIGINT         NOT NULL PRIMARY KEY,
    charge_key      VARCHAR(80)    NOT NULL,
    amount          DECIMAL(12, 2) NOT NULL,
    tries           INT            NOT NULL DEFAULT 0,
    next_try_at     DATETIME(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_error      VARCHAR(200)   NULL,
    created_at      DATETIME(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    refunded_at     DATETIME(6)    NULL,
    INDEX refund_outbox_due (refunded_at, next_try_at),
    CONSTRAINT refund_outbox_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE simulated_payments (
    idempotency_key VARCHAR(96)    NOT NULL PRIMARY KEY,
    order_id        BIGINT         NOT NULL,
    kind            VARCHAR(8)     NOT NULL CHECK (kind IN ('CHARGE', 'REFUND')),
    outcome         VARCHAR(10)    NOT NULL CHECK (outcome IN ('CHARGED', 'DECLINED', 'REFUNDED')),
    amount          DECIMAL(12, 2) NOT NULL,
    created_at      DATETIME(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    INDEX simulated_payments_order (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Orders paid before this migration count as paid by attempt 1, and the simulated provider's books
-- hold their charges, so cancelling one later owes (and gets) its refund.
UPDATE orders SET payment_attempt = 1 WHERE paid_at IS NOT NULL;
INSERT INTO simulated_payments (idempotency_key, order_id, kind, outcome, amount)
SELECT CONCAT('seckill-order-', id, '-payment-1'), id, 'CHARGE', 'CHARGED', price FROM orders WHERE paid_at IS NOT NULL;
