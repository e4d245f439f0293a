-- The in-app inbox: reminders before each deduction and a notice after each
-- charge or decline. dedupe_key makes each message exactly once per
-- instalment and kind, however many job runs or servers there are.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    instalment_id INTEGER NOT NULL REFERENCES instalments (id),
    kind TEXT NOT NULL CHECK (kind IN ('reminder', 'charged', 'declined')),
    dedupe_key TEXT NOT NULL UNIQUE,
    due_on DATE NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    method TEXT NOT NULL,
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX messages_user_id ON messages (user_id, id);
CREATE INDEX messages_order_id ON messages (order_id);
CREATE INDEX messages_instalment_id ON messages (instalment_id);
