-- Issue 20, tidied: the in-app entry carries its event's key itself (one entry per event and
-- recipient), so the outbox holds only what leaves the system. Before this, an entry with
-- nothing to send was recorded as a 'sent' outbox row only to keep its key.
ALTER TABLE notifications ADD COLUMN dedup_key TEXT;
CREATE UNIQUE INDEX notifications_once ON notifications (dedup_key);
UPDATE notifications SET dedup_key = (
    SELECT o.dedup_key FROM outbox o
    WHERE o.user_id = notifications.user_id AND o.subject = notifications.subject AND o.link = notifications.link
      AND o.created_at = notifications.created_at
    ORDER BY o.id LIMIT 1);
DELETE FROM outbox WHERE channel = 'email' AND recipient = '' AND state = 'sent';
