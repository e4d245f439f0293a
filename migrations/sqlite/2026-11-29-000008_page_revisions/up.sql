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
-- (A later migration that rebuilds one of these tables must recreate its
-- triggers.)
ALTER TABLE orders ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN methods_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN unread_messages BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN user_id INTEGER;

UPDATE sessions SET user_id = CAST(json_extract(state, '$.uid') AS INTEGER)
    WHERE json_valid(state) AND json_extract(state, '$.uid') IS NOT NULL;
UPDATE users SET unread_messages =
    (SELECT count(*) FROM messages WHERE messages.user_id = users.id AND messages.read_at IS NULL);

-- Recursive triggers are off (SQLite's default), so this update does not fire itself.
CREATE TRIGGER orders_revision_update AFTER UPDATE ON orders
    WHEN NEW.revision = OLD.revision
BEGIN
    UPDATE orders SET revision = OLD.revision + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER orders_revision_replaced AFTER INSERT ON orders
    WHEN NEW.replaces_order_id IS NOT NULL
BEGIN
    UPDATE orders SET revision = revision + 1 WHERE id = NEW.replaces_order_id;
END;
CREATE TRIGGER order_items_revision_insert AFTER INSERT ON order_items
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = NEW.order_id; END;
CREATE TRIGGER order_items_revision_update AFTER UPDATE ON order_items
BEGIN UPDATE orders SET revision = revision + 1 WHERE id IN (OLD.order_id, NEW.order_id); END;
CREATE TRIGGER order_items_revision_delete AFTER DELETE ON order_items
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = OLD.order_id; END;
CREATE TRIGGER instalments_revision_insert AFTER INSERT ON instalments
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = NEW.order_id; END;
CREATE TRIGGER instalments_revision_update AFTER UPDATE ON instalments
BEGIN UPDATE orders SET revision = revision + 1 WHERE id IN (OLD.order_id, NEW.order_id); END;
CREATE TRIGGER instalments_revision_delete AFTER DELETE ON instalments
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = OLD.order_id; END;
CREATE TRIGGER payments_revision_insert AFTER INSERT ON payments
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = NEW.order_id; END;
CREATE TRIGGER payments_revision_update AFTER UPDATE ON payments
BEGIN UPDATE orders SET revision = revision + 1 WHERE id IN (OLD.order_id, NEW.order_id); END;
CREATE TRIGGER payments_revision_delete AFTER DELETE ON payments
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = OLD.order_id; END;
CREATE TRIGGER order_events_revision_insert AFTER INSERT ON order_events
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = NEW.order_id; END;
CREATE TRIGGER order_events_revision_update AFTER UPDATE ON order_events
BEGIN UPDATE orders SET revision = revision + 1 WHERE id IN (OLD.order_id, NEW.order_id); END;
CREATE TRIGGER order_events_revision_delete AFTER DELETE ON order_events
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = OLD.order_id; END;
CREATE TRIGGER service_tickets_revision_insert AFTER INSERT ON service_tickets
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = NEW.order_id; END;
CREATE TRIGGER service_tickets_revision_update AFTER UPDATE ON service_tickets
BEGIN UPDATE orders SET revision = revision + 1 WHERE id IN (OLD.order_id, NEW.order_id); END;
CREATE TRIGGER service_tickets_revision_delete AFTER DELETE ON service_tickets
BEGIN UPDATE orders SET revision = revision + 1 WHERE id = OLD.order_id; END;

CREATE TRIGGER payment_methods_revision_insert AFTER INSERT ON payment_methods
BEGIN UPDATE users SET methods_revision = methods_revision + 1 WHERE id = NEW.user_id; END;
CREATE TRIGGER payment_methods_revision_update AFTER UPDATE ON payment_methods
BEGIN UPDATE users SET methods_revision = methods_revision + 1 WHERE id IN (OLD.user_id, NEW.user_id); END;
CREATE TRIGGER payment_methods_revision_delete AFTER DELETE ON payment_methods
BEGIN UPDATE users SET methods_revision = methods_revision + 1 WHERE id = OLD.user_id; END;

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
