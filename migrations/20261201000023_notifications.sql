-- Issue 20: messages that reach people who are not logged in.
--
-- Addresses: an account's e-mail (optional) and what it wants by mail (all messages, the daily
-- digest only, or none); a committee's work-group robot (企业微信 or 钉钉 webhook, and 钉钉's
-- 加签 secret).
ALTER TABLE users ADD COLUMN email TEXT
    CHECK (email IS NULL OR (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%' AND email NOT GLOB '*[ <>]*'));
ALTER TABLE users ADD COLUMN mail_choice TEXT NOT NULL DEFAULT 'all' CHECK (mail_choice IN ('all', 'digest', 'off'));
ALTER TABLE committees ADD COLUMN robot_kind TEXT CHECK (robot_kind IS NULL OR robot_kind IN ('wecom', 'dingtalk'));
ALTER TABLE committees ADD COLUMN robot_url TEXT NOT NULL DEFAULT '';
ALTER TABLE committees ADD COLUMN robot_secret TEXT NOT NULL DEFAULT '';

-- The in-app list: one row per recipient and event, written in the transaction of the change
-- that caused it. `link` is a path in the app (the row concerned).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    subject    TEXT NOT NULL CHECK (length(trim(subject)) > 0),
    body       TEXT NOT NULL,
    link       TEXT NOT NULL CHECK (link LIKE '/%'),
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    read_at    TEXT
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- The durable outbox: what leaves the system (an e-mail to an account, a post to a committee's
-- robot), written in the transaction of the change that caused it and sent afterwards by a
-- background worker. `dedup_key` names the event and the recipient: one event is queued once
-- per recipient, whatever repeats it. Delivery is at least once: a sender that stops between
-- sending and recording it sends again after `claimed_at` has gone stale (an e-mail carries the
-- key in its Message-ID, so a mail system can drop the copy).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'wecom', 'dingtalk')),
    user_id         INTEGER REFERENCES users (id),
    committee_id    INTEGER REFERENCES committees (id),
    recipient       TEXT NOT NULL,          -- the e-mail address; '' for a robot (its URL is read when sending)
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT NOT NULL CHECK (link LIKE '/%'),
    dedup_key       TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL DEFAULT (datetime('now')),
    claimed_at      TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (datetime('now')),
    sent_at         TEXT,
    CHECK ((channel = 'email') = (user_id IS NOT NULL)),
    CHECK ((channel = 'email') <> (committee_id IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX outbox_by_state ON outbox (state, id);
