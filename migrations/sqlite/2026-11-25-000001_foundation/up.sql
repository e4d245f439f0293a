-- Foundation: accounts, sessions, catalog, cart, payment methods, orders.
-- Money is BIGINT fen; enums are TEXT with CHECK; foreign keys are indexed.

CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    account TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'shopper' CHECK (role IN ('shopper', 'staff')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE login_throttle (
    account TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until TIMESTAMP
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY NOT NULL,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    price_fen BIGINT NOT NULL CHECK (price_fen >= 0),
    stock INTEGER NOT NULL CHECK (stock >= 0),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX products_category_id ON products (category_id);

CREATE TABLE cart_items (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX cart_items_product_id ON cart_items (product_id);

CREATE TABLE payment_methods (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('credit_card', 'debit_card', 'alipay', 'wechat_pay')),
    brand TEXT,
    last4 TEXT,
    expiry_month INTEGER CHECK (expiry_month BETWEEN 1 AND 12),
    expiry_year INTEGER,
    holder_name TEXT,
    account_label TEXT,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);
CREATE INDEX payment_methods_user_id ON payment_methods (user_id, position);

CREATE TABLE installment_terms (
    months INTEGER PRIMARY KEY NOT NULL CHECK (months IN (3, 6, 12, 24)),
    monthly_fee_bp INTEGER NOT NULL CHECK (monthly_fee_bp >= 0)
);
INSERT INTO installment_terms (months, monthly_fee_bp) VALUES (3, 0), (6, 50), (12, 60), (24, 65);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY NOT NULL,
    order_no TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped', 'completed', 'cancelled', 'closed')),
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
    CHECK ((plan = 'full' AND term_months IS NULL) OR (plan = 'installment' AND term_months IS NOT NULL))
);
CREATE INDEX orders_user_id ON orders (user_id, created_at);
CREATE INDEX orders_status_deadline ON orders (status, pay_deadline);
CREATE INDEX orders_payment_method_id ON orders (payment_method_id);

CREATE TABLE order_items (
    id INTEGER PRIMARY KEY NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit_price_fen BIGINT NOT NULL CHECK (unit_price_fen >= 0),
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99)
);
CREATE INDEX order_items_order_id ON order_items (order_id);
CREATE INDEX order_items_product_id ON order_items (product_id);

CREATE TABLE instalments (
    id INTEGER PRIMARY KEY NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    due_on DATE NOT NULL,
    principal_fen BIGINT NOT NULL CHECK (principal_fen >= 0),
    fee_fen BIGINT NOT NULL CHECK (fee_fen >= 0),
    status TEXT NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'paid', 'overdue')),
    paid_at TIMESTAMP,
    UNIQUE (order_id, seq)
);
CREATE INDEX instalments_due ON instalments (status, due_on);

CREATE TABLE order_events (
    id INTEGER PRIMARY KEY NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL CHECK (actor IN ('shopper', 'system', 'staff')),
    kind TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    note TEXT
);
CREATE INDEX order_events_order_id ON order_events (order_id, id);

-- Secrets generated once per database and shared by every app server
-- (the session cookie signing key).
CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
