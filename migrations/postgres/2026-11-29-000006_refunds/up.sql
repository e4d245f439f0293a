-- Refunds (SPEC "Repayment center"): orders may end `refunded`, and the
-- instalments a refund leaves unpaid end `cancelled`.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
    ('pending_payment', 'paid', 'shipped', 'completed', 'cancelled', 'closed', 'refunded'));
ALTER TABLE instalments DROP CONSTRAINT instalments_status_check;
ALTER TABLE instalments ADD CONSTRAINT instalments_status_check CHECK (status IN
    ('due', 'paid', 'overdue', 'cancelled'));
