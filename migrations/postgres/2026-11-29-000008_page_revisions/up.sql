-- Work done per write instead of per view (the order page and the header):
--   orders.revision           bumped by every write to the order or to a row
--                             its page shows (items, instalments, ledger,
--                             timeline, service requests, its replacement);
--   users.methods_revision    bumped by every write to the user's payment
--                             methods (the order page names and offers them);
--   users.unread_messages     the inbox badge, kept by the messages' writes;
--   sessions.user_id          the signed-in user, so the session and the
--                             badge are read in one statement.
-- Triggers keep them, so no write path can forget; an app server may cache
-- what it built from an order for as long as these numbers stay the same.
ALTER TABLE orders ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN methods_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN unread_messages BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN user_id INTEGER;

UPDATE sessions SET user_id = (state::jsonb ->> 'uid')::integer
    WHERE state::jsonb ->> 'uid' ~ '^[0-9]+$';
UPDATE users SET unread_messages =
    (SELECT count(*) FROM messages WHERE messages.user_id = users.id AND messages.read_at IS NULL);

CREATE FUNCTION orders_revision_bump() RETURNS trigger AS $$
BEGIN
    NEW.revision := OLD.revision + 1;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER orders_revision_update BEFORE UPDATE ON orders
    FOR EACH ROW WHEN (NEW.revision = OLD.revision) EXECUTE FUNCTION orders_revision_bump();

CREATE FUNCTION order_revision_of_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE orders SET revision = revision + 1 WHERE id = OLD.order_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.order_id <> OLD.order_id) THEN
        UPDATE orders SET revision = revision + 1 WHERE id = NEW.order_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER order_items_revision AFTER INSERT OR UPDATE OR DELETE ON order_items
    FOR EACH ROW EXECUTE FUNCTION order_revision_of_row();
CREATE TRIGGER instalments_revision AFTER INSERT OR UPDATE OR DELETE ON instalments
    FOR EACH ROW EXECUTE FUNCTION order_revision_of_row();
CREATE TRIGGER payments_revision AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION order_revision_of_row();
CREATE TRIGGER order_events_revision AFTER INSERT OR UPDATE OR DELETE ON order_events
    FOR EACH ROW EXECUTE FUNCTION order_revision_of_row();
CREATE TRIGGER service_tickets_revision AFTER INSERT OR UPDATE OR DELETE ON service_tickets
    FOR EACH ROW EXECUTE FUNCTION order_revision_of_row();

CREATE FUNCTION orders_revision_replaced() RETURNS trigger AS $$
BEGIN
    UPDATE orders SET revision = revision + 1 WHERE id = NEW.replaces_order_id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER orders_revision_replaced AFTER INSERT ON orders
    FOR EACH ROW WHEN (NEW.replaces_order_id IS NOT NULL) EXECUTE FUNCTION orders_revision_replaced();

CREATE FUNCTION methods_revision_of_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE users SET methods_revision = methods_revision + 1 WHERE id = OLD.user_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
        UPDATE users SET methods_revision = methods_revision + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER payment_methods_revision AFTER INSERT OR UPDATE OR DELETE ON payment_methods
    FOR EACH ROW EXECUTE FUNCTION methods_revision_of_row();

CREATE FUNCTION messages_unread() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.read_at IS NULL THEN
        UPDATE users SET unread_messages = unread_messages - 1 WHERE id = OLD.user_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.read_at IS NULL THEN
        UPDATE users SET unread_messages = unread_messages + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER messages_unread AFTER INSERT OR UPDATE OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_unread();
