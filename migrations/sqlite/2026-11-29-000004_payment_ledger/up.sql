-- The payment ledger: every call to the payment gateway is a row written
-- before the call (state 'requested') and completed after it. Money is
-- BIGINT fen; enums are TEXT with CHECK; foreign keys are indexed.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    instalment_id INTEGER REFERENCES instalments (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('authorize_plan', 'capture', 'instalment', 'void', 'refund')),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    method_id INTEGER NOT NULL REFERENCES payment_methods (id),
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('requested', 'succeeded', 'failed')),
    gateway_ref TEXT,
    failure TEXT,
    attempts INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    -- A void or refund names the payment it reverses.
    reverses_id INTEGER REFERENCES payments (id),
    requested_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    CHECK ((purpose = 'instalment') = (instalment_id IS NOT NULL)),
    CHECK ((purpose IN ('void', 'refund')) = (reverses_id IS NOT NULL))
);
CREATE INDEX payments_order_id ON payments (order_id, id);
CREATE INDEX payments_instalment_id ON payments (instalment_id);
CREATE INDEX payments_method_id ON payments (method_id);
CREATE INDEX payments_reverses_id ON payments (reverses_id);
CREATE INDEX payments_state ON payments (state, requested_at);
-- One live (in flight or taken) order payment per order: concurrent pays
-- make one gateway call; the loser is told a payment is under way.
CREATE UNIQUE INDEX payments_one_live_order_payment ON payments (order_id)
    WHERE purpose IN ('authorize_plan', 'capture') AND state IN ('requested', 'succeeded');
-- One live charge per instalment: two collectors never charge it twice.
CREATE UNIQUE INDEX payments_one_live_instalment_charge ON payments (instalment_id)
    WHERE purpose = 'instalment' AND state IN ('requested', 'succeeded');
-- One live reversal per payment.
CREATE UNIQUE INDEX payments_one_live_reversal ON payments (reverses_id)
    WHERE reverses_id IS NOT NULL AND state IN ('requested', 'succeeded');

-- The sandbox provider's own records, standing in for the provider's side
-- (a real provider keeps them on its servers): what it answered to each
-- idempotency key, so the same key gets the same answer and never a second
-- charge, across restarts of the app.
CREATE TABLE sandbox_gateway (
    idempotency_key TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    approved BOOLEAN NOT NULL,
    -- The provider's reference when approved, the decline code otherwise.
    answer TEXT NOT NULL,
    reverses TEXT,
    calls INTEGER NOT NULL DEFAULT 1,
    at TIMESTAMP NOT NULL
);

-- The order a new-contract payment change cancelled, until its replacement
-- is placed: checkout links to it whatever URL the shopper comes back by.
CREATE TABLE pending_replacements (
    user_id INTEGER PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX pending_replacements_order_id ON pending_replacements (order_id);
