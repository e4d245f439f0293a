-- Work done per write instead of per view:
--   users.revision         bumped by every write to the user's orders, to any
--                          row their pages show (items, instalments, ledger,
--                          timeline, service requests) and to the user's
--                          payment methods. Read with the session, so an app
--                          server may reuse an order page it built for as
--                          long as the number stays the same, without asking
--                          the database anything more.
--   users.unread_messages  the inbox badge, kept by the messages' writes.
--   sessions.user_id       the signed-in user, so the session, the badge and
--                          the revision are read in one statement.
-- Triggers keep them, so no write path can forget.
ALTER TABLE users ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN unread_messages BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN user_id INTEGER;

UPDATE sessions SET user_id = (state::jsonb ->> 'uid')::integer
    WHERE state::jsonb ->> 'uid' ~ '^[0-9]+$';
UPDATE users SET unread_messages =
    (SELECT count(*) FROM messages WHERE messages.user_id = users.id AND messages.read_at IS NULL);

-- A row that carries user_id itself (orders, payment_methods).
CREATE FUNCTION user_revision_of_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE users SET revision = revision + 1 WHERE id = OLD.user_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
        UPDATE users SET revision = revision + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER orders_revision AFTER INSERT OR UPDATE OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION user_revision_of_row();
CREATE TRIGGER payment_methods_revision AFTER INSERT OR UPDATE OR DELETE ON payment_methods
    FOR EACH ROW EXECUTE FUNCTION user_revision_of_row();

-- A row of an order (order_id): its owner's revision.
CREATE FUNCTION user_revision_of_order_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE users SET revision = revision + 1
            WHERE id = (SELECT user_id FROM orders WHERE id = OLD.order_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.order_id <> OLD.order_id) THEN
        UPDATE users SET revision = revision + 1
            WHERE id = (SELECT user_id FROM orders WHERE id = NEW.order_id);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER order_items_revision AFTER INSERT OR UPDATE OR DELETE ON order_items
    FOR EACH ROW EXECUTE FUNCTION user_revision_of_order_row();
CREATE TRIGGER instalments_revision AFTER INSERT OR UPDATE OR DELETE ON instalments
    FOR EACH ROW EXECUTE FUNCTION user_revision_of_order_row();
CREATE TRIGGER payments_revision AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION user_revision_of_order_row();
CREATE TRIGGER order_events_revision AFTER INSERT OR UPDATE OR DELETE ON order_events
    FOR EACH ROW EXECUTE FUNCTION user_revision_of_order_row();
CREATE TRIGGER service_tickets_revision AFTER INSERT OR UPDATE OR DELETE ON service_tickets
    FOR EACH ROW EXECUTE FUNCTION user_revision_of_order_row();

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
