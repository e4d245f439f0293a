-- Email through an outbox (SPEC "Reminders"): a row per inbox message for an
-- account that is an email address, written in the message's transaction.
-- message_id is unique, so each message is mailed at most once as a row;
-- a sender claims due rows for a lease (claimed_until) under the write lock,
-- so two app servers never send the same row, and a crashed sender's rows
-- are taken over once the lease has passed. Failures retry with backoff
-- (next_attempt_at) until sent or given up ('failed').
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    message_id INTEGER NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
