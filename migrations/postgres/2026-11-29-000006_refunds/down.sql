-- Back to the states before refunds; fails while any order is refunded or
-- any instalment cancelled, rather than rewrite history.
ALTER TABLE instalments DROP CONSTRAINT instalments_status_check;
ALTER TABLE instalments ADD CONSTRAINT instalments_status_check CHECK (status IN
    ('due', 'paid', 'overdue'));
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
    ('pending_payment', 'paid', 'shipped', 'completed', 'cancelled', 'closed'));
