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
-- Triggers keep them, so no write path can forget. (A later migration that
-- rebuilds one of these tables must recreate its triggers.)
ALTER TABLE users ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN unread_messages BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN user_id INTEGER;

UPDATE sessions SET user_id = CAST(json_extract(state, '$.uid') AS INTEGER)
    WHERE json_valid(state) AND json_extract(state, '$.uid') IS NOT NULL;
UPDATE users SET unread_messages =
    (SELECT count(*) FROM messages WHERE messages.user_id = users.id AND messages.read_at IS NULL);

CREATE TRIGGER orders_revision_insert AFTER INSERT ON orders
BEGIN UPDATE users SET revision = revision + 1 WHERE id = NEW.user_id; END;
CREATE TRIGGER orders_revision_update AFTER UPDATE ON orders
BEGIN UPDATE users SET revision = revision + 1 WHERE id IN (OLD.user_id, NEW.user_id); END;
CREATE TRIGGER orders_revision_delete AFTER DELETE ON orders
BEGIN UPDATE users SET revision = revision + 1 WHERE id = OLD.user_id; END;
CREATE TRIGGER order_items_revision_insert AFTER INSERT ON order_items
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = NEW.order_id); END;
CREATE TRIGGER order_items_revision_update AFTER UPDATE ON order_items
BEGIN UPDATE users SET revision = revision + 1 WHERE id IN (SELECT user_id FROM orders WHERE id IN (OLD.order_id, NEW.order_id)); END;
CREATE TRIGGER order_items_revision_delete AFTER DELETE ON order_items
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = OLD.order_id); END;
CREATE TRIGGER instalments_revision_insert AFTER INSERT ON instalments
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = NEW.order_id); END;
CREATE TRIGGER instalments_revision_update AFTER UPDATE ON instalments
BEGIN UPDATE users SET revision = revision + 1 WHERE id IN (SELECT user_id FROM orders WHERE id IN (OLD.order_id, NEW.order_id)); END;
CREATE TRIGGER instalments_revision_delete AFTER DELETE ON instalments
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = OLD.order_id); END;
CREATE TRIGGER payments_revision_insert AFTER INSERT ON payments
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = NEW.order_id); END;
CREATE TRIGGER payments_revision_update AFTER UPDATE ON payments
BEGIN UPDATE users SET revision = revision + 1 WHERE id IN (SELECT user_id FROM orders WHERE id IN (OLD.order_id, NEW.order_id)); END;
CREATE TRIGGER payments_revision_delete AFTER DELETE ON payments
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = OLD.order_id); END;
CREATE TRIGGER order_events_revision_insert AFTER INSERT ON order_events
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = NEW.order_id); END;
CREATE TRIGGER order_events_revision_update AFTER UPDATE ON order_events
BEGIN UPDATE users SET revision = revision + 1 WHERE id IN (SELECT user_id FROM orders WHERE id IN (OLD.order_id, NEW.order_id)); END;
CREATE TRIGGER order_events_revision_delete AFTER DELETE ON order_events
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = OLD.order_id); END;
CREATE TRIGGER service_tickets_revision_insert AFTER INSERT ON service_tickets
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = NEW.order_id); END;
CREATE TRIGGER service_tickets_revision_update AFTER UPDATE ON service_tickets
BEGIN UPDATE users SET revision = revision + 1 WHERE id IN (SELECT user_id FROM orders WHERE id IN (OLD.order_id, NEW.order_id)); END;
CREATE TRIGGER service_tickets_revision_delete AFTER DELETE ON service_tickets
BEGIN UPDATE users SET revision = revision + 1 WHERE id = (SELECT user_id FROM orders WHERE id = OLD.order_id); END;
CREATE TRIGGER payment_methods_revision_insert AFTER INSERT ON payment_methods
BEGIN UPDATE users SET revision = revision + 1 WHERE id = NEW.user_id; END;
CREATE TRIGGER payment_methods_revision_update AFTER UPDATE ON payment_methods
BEGIN UPDATE users SET revision = revision + 1 WHERE id IN (OLD.user_id, NEW.user_id); END;
CREATE TRIGGER payment_methods_revision_delete AFTER DELETE ON payment_methods
BEGIN UPDATE users SET revision = revision + 1 WHERE id = OLD.user_id; END;

CREATE TRIGGER messages_unread_insert AFTER INSERT ON messages
    WHEN NEW.read_at IS NULL
BEGIN UPDATE users SET unread_messages = unread_messages + 1 WHERE id = NEW.user_id; END;
CREATE TRIGGER messages_unread_update AFTER UPDATE ON messages
    WHEN (OLD.read_at IS NULL) <> (NEW.read_at IS NULL) OR OLD.user_id <> NEW.user_id
BEGIN
    UPDATE users SET unread_messages = unread_messages - 1 WHERE id = OLD.user_id AND OLD.read_at IS NULL;
    UPDATE users SET unread_messages = unread_messages + 1 WHERE id = NEW.user_id AND NEW.read_at IS NULL;
END;
CREATE TRIGGER messages_unread_delete AFTER DELETE ON messages
    WHEN OLD.read_at IS NULL
BEGIN UPDATE users SET unread_messages = unread_messages - 1 WHERE id = OLD.user_id; END;
