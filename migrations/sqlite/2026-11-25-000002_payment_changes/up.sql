-- Payment changes: repayment method pinning, order replacement links,
-- instalment collection state, service requests and one-time form tokens.

ALTER TABLE orders ADD COLUMN repayment_method_id INTEGER REFERENCES payment_methods (id);
ALTER TABLE orders ADD COLUMN replaces_order_id INTEGER REFERENCES orders (id);
CREATE INDEX orders_repayment_method_id ON orders (repayment_method_id);
CREATE UNIQUE INDEX orders_replaces_order_id ON orders (replaces_order_id);

ALTER TABLE instalments ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instalments ADD COLUMN last_error TEXT;
ALTER TABLE instalments ADD COLUMN next_attempt_at TIMESTAMP;

CREATE TABLE service_tickets (
    id INTEGER PRIMARY KEY NOT NULL,
    ticket_no TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    order_id INTEGER NOT NULL REFERENCES orders (id),
    wanted_method_id INTEGER NOT NULL REFERENCES payment_methods (id),
    message TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'declined')),
    reply TEXT,
    submit_token TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by INTEGER REFERENCES users (id)
);
CREATE INDEX service_tickets_user_id ON service_tickets (user_id, created_at);
CREATE INDEX service_tickets_order_id ON service_tickets (order_id);
CREATE INDEX service_tickets_wanted_method_id ON service_tickets (wanted_method_id);
CREATE INDEX service_tickets_status ON service_tickets (status, created_at);

CREATE TABLE form_tokens (
    token TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    used_at TIMESTAMP NOT NULL
);
CREATE INDEX form_tokens_user_id ON form_tokens (user_id);
