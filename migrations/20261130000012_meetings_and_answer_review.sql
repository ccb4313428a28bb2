-- Issue 15: a reviewer can return a clean answer, and each branch records its 专题支委会.

-- 查摆不到位: the level above returns an answer of 未发现问题 or 不适用 with a comment, as it
-- returns a finding. Only 'returned' is marked; on (re)submission it goes back to 'pending'
-- and the comment stays for the history (domain::review).
ALTER TABLE self_checks ADD COLUMN review_state TEXT NOT NULL DEFAULT 'pending'
    CHECK (review_state IN ('pending', 'returned'));
ALTER TABLE self_checks ADD COLUMN review_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE self_checks ADD COLUMN reviewed_by INTEGER REFERENCES users (id);
ALTER TABLE self_checks ADD COLUMN reviewed_at TEXT;

-- 专题支委会 (notice 三(二)): one record per branch and campaign — the meeting held (支委会, or
-- 支部党员大会 where there is no 支部委员会), or why it was not held. Submission waits for it;
-- the reviewer can return it like a row.
CREATE TABLE branch_meetings (
    campaign_id      INTEGER NOT NULL REFERENCES campaigns (id),
    branch_id        INTEGER NOT NULL REFERENCES branches (id),
    held             INTEGER NOT NULL CHECK (held IN (0, 1)),
    held_on          TEXT CHECK (held_on IS NULL OR date(held_on) IS held_on),
    kind             TEXT CHECK (kind IS NULL OR kind IN ('committee', 'general')),  -- 支委会 / 支部党员大会
    chair            TEXT NOT NULL DEFAULT '',                                       -- 主持人
    present          INTEGER CHECK (present IS NULL OR present >= 0),                -- 到会人数
    expected         INTEGER CHECK (expected IS NULL OR expected > 0),               -- 应到人数
    topics           TEXT NOT NULL DEFAULT '',                                       -- 议题
    decisions        TEXT NOT NULL DEFAULT '',                                       -- 会议决定
    not_held_reason  TEXT NOT NULL DEFAULT '',                                       -- 未召开的原因
    review_state     TEXT NOT NULL DEFAULT 'pending' CHECK (review_state IN ('pending', 'returned')),
    review_comment   TEXT NOT NULL DEFAULT '',
    reviewed_by      INTEGER REFERENCES users (id),
    reviewed_at      TEXT,
    updated_by       INTEGER REFERENCES users (id),
    updated_at       TEXT NOT NULL DEFAULT (datetime('now')),
    version          INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (campaign_id, branch_id),
    CHECK (held = 0 OR (held_on IS NOT NULL AND kind IS NOT NULL AND length(trim(chair)) > 0
                        AND present IS NOT NULL AND expected IS NOT NULL AND present <= expected
                        AND length(trim(topics)) > 0)),
    CHECK (held = 1 OR length(trim(not_held_reason)) > 0),
    CHECK (review_state <> 'returned' OR length(trim(review_comment)) > 0)
);

-- Minutes or photos of the meeting, under the rules of 销号 evidence (domain::evidence).
CREATE TABLE meeting_evidence (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: history and links are keyed by it
    campaign_id   INTEGER NOT NULL,
    branch_id     INTEGER NOT NULL,
    file_name     TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    size          INTEGER NOT NULL CHECK (size > 0),
    data          BLOB NOT NULL,
    uploaded_by   INTEGER REFERENCES users (id),
    uploaded_at   TEXT NOT NULL DEFAULT (datetime('now')),
    FOREIGN KEY (campaign_id, branch_id) REFERENCES branch_meetings (campaign_id, branch_id) ON DELETE CASCADE
);
CREATE INDEX meeting_evidence_by_meeting ON meeting_evidence (campaign_id, branch_id);

-- The lists show whether the meeting is recorded: a change to it is a change to the branch
-- (see migration 000009).
CREATE TRIGGER branch_meetings_changed_on_insert AFTER INSERT ON branch_meetings BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id;
END;

CREATE TRIGGER branch_meetings_changed_on_update AFTER UPDATE ON branch_meetings BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id OR branch_id = OLD.branch_id;
END;

CREATE TRIGGER branch_meetings_changed_on_delete AFTER DELETE ON branch_meetings BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = OLD.branch_id;
END;
