-- Refunds (SPEC "Repayment center"): orders may end `refunded`, and the
-- instalments a refund leaves unpaid end `cancelled`. SQLite cannot alter a
-- CHECK constraint, so both tables are rebuilt (the documented procedure:
-- foreign keys off, new table, copy, drop, rename, indexes; the other
-- tables' foreign keys name the tables and keep pointing at them).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE orders_new (
    id INTEGER PRIMARY KEY NOT NULL,
    order_no TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped', 'completed', 'cancelled', 'closed', 'refunded')),
    shipping_method TEXT NOT NULL CHECK (shipping_method IN ('standard', 'express')),
    items_fen BIGINT NOT NULL CHECK (items_fen >= 0),
    shipping_fen BIGINT NOT NULL CHECK (shipping_fen >= 0),
    plan TEXT NOT NULL CHECK (plan IN ('full', 'installment')),
    term_months INTEGER CHECK (term_months IN (3, 6, 12, 24)),
    monthly_fee_bp INTEGER NOT NULL DEFAULT 0,
    fee_fen BIGINT NOT NULL CHECK (fee_fen >= 0),
    total_fen BIGINT NOT NULL CHECK (total_fen >= 0),
    payment_method_id INTEGER NOT NULL REFERENCES payment_methods (id),
    checkout_token TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    pay_deadline TIMESTAMP NOT NULL,
    paid_at TIMESTAMP,
    ended_at TIMESTAMP,
    cancel_reason TEXT,
    repayment_method_id INTEGER REFERENCES payment_methods (id),
    replaces_order_id INTEGER REFERENCES orders (id),
    CHECK ((plan = 'full' AND term_months IS NULL) OR (plan = 'installment' AND term_months IS NOT NULL))
);
INSERT INTO orders_new SELECT id, order_no, user_id, status, shipping_method, items_fen,
    shipping_fen, plan, term_months, monthly_fee_bp, fee_fen, total_fen, payment_method_id,
    checkout_token, created_at, pay_deadline, paid_at, ended_at, cancel_reason,
    repayment_method_id, replaces_order_id FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;

CREATE TABLE instalments_new (
    id INTEGER PRIMARY KEY NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    due_on DATE NOT NULL,
    principal_fen BIGINT NOT NULL CHECK (principal_fen >= 0),
    fee_fen BIGINT NOT NULL CHECK (fee_fen >= 0),
    status TEXT NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'paid', 'overdue', 'cancelled')),
    paid_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TIMESTAMP,
    UNIQUE (order_id, seq)
);
INSERT INTO instalments_new SELECT id, order_id, seq, due_on, principal_fen, fee_fen, status,
    paid_at, attempts, last_error, next_attempt_at FROM instalments;
DROP TABLE instalments;
ALTER TABLE instalments_new RENAME TO instalments;

CREATE INDEX orders_user_id ON orders (user_id, created_at);
CREATE INDEX orders_status_deadline ON orders (status, pay_deadline);
CREATE INDEX orders_payment_method_id ON orders (payment_method_id);
CREATE INDEX orders_repayment_method_id ON orders (repayment_method_id);
CREATE UNIQUE INDEX orders_replaces_order_id ON orders (replaces_order_id);
CREATE INDEX instalments_due ON instalments (status, due_on);

COMMIT;
PRAGMA foreign_keys = ON;
