DROP TABLE form_tokens;
DROP TABLE service_tickets;
DROP INDEX orders_replaces_order_id;
DROP INDEX orders_repayment_method_id;
ALTER TABLE instalments DROP COLUMN next_attempt_at;
ALTER TABLE instalments DROP COLUMN last_error;
ALTER TABLE instalments DROP COLUMN attempts;
ALTER TABLE orders DROP COLUMN replaces_order_id;
ALTER TABLE orders DROP COLUMN repayment_method_id;
