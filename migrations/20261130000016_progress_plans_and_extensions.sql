-- 整改措施 that can be supervised (issue 16): 进度安排 (milestones and progress entries),
-- 长期坚持, and 延期 with approval keeping the original deadline.

-- 长期坚持: a measure that runs on (每季度公示党费, 每月支委会). Its `deadline` is then the
-- 阶段性完成时限, the first checkpoint that the overdue rule, 销号 and eligibility use.
ALTER TABLE measures ADD COLUMN long_term INTEGER NOT NULL DEFAULT 0 CHECK (long_term IN (0, 1));

-- The deadline as it stood when the ledger was first handed in. Set on submission; from then on
-- the branch changes `deadline` only by an approved 延期申请, so `deadline` is the approved one
-- and this the original. NULL while the deadline is still the branch's to change.
ALTER TABLE measures ADD COLUMN original_deadline TEXT
    CHECK (original_deadline IS NULL OR date(original_deadline) IS original_deadline);

-- The earliest date of a milestone not yet done, kept by the triggers below, so that every
-- overdue count reads it beside the deadline without a join.
ALTER TABLE measures ADD COLUMN milestone_due TEXT;

-- How many 延期申请 were approved (kept by the triggers below), shown beside every figure that
-- judges against the approved deadline.
ALTER TABLE measures ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;

-- Ledgers already handed in keep their deadlines as the original ones.
UPDATE measures SET original_deadline = deadline
WHERE deadline IS NOT NULL
  AND finding_id IN (SELECT f.id FROM findings f
                     JOIN branch_ledgers bl ON bl.branch_id = f.branch_id AND bl.campaign_id = f.campaign_id
                     WHERE bl.submitted_at IS NOT NULL OR bl.state <> 'in_progress');

-- Which deadline 五星级 eligibility judges against: the approved one (default) or the original.
ALTER TABLE campaigns ADD COLUMN eligibility_deadline TEXT NOT NULL DEFAULT 'approved'
    CHECK (eligibility_deadline IN ('approved', 'original'));

-- 进度安排: dated milestones (节点) of a measure. Past its date and not done, a milestone is 逾期
-- as a deadline is. branch_id is the owning unit, for scoping.
CREATE TABLE measure_milestones (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: history is keyed by it
    measure_id  INTEGER NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    branch_id   INTEGER NOT NULL REFERENCES branches (id),
    title       TEXT NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 200),
    due_on      TEXT NOT NULL CHECK (date(due_on) IS due_on),
    done_on     TEXT CHECK (done_on IS NULL OR date(done_on) IS done_on),
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL DEFAULT (datetime('now')),
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX milestones_by_measure ON measure_milestones (measure_id, due_on);
CREATE INDEX milestones_by_branch ON measure_milestones (branch_id);

-- Progress entries: what was done on a day, with at most one file (a photo of the record,
-- a PDF), kept in the database as evidence is.
CREATE TABLE measure_progress (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    measure_id    INTEGER NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    branch_id     INTEGER NOT NULL REFERENCES branches (id),
    on_date       TEXT NOT NULL CHECK (date(on_date) IS on_date),
    text          TEXT NOT NULL CHECK (length(trim(text)) BETWEEN 1 AND 1000),
    file_name     TEXT CHECK (file_name IS NULL OR length(file_name) BETWEEN 1 AND 200),
    content_type  TEXT CHECK (content_type IS NULL OR content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    size          INTEGER,
    data          BLOB,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL DEFAULT (datetime('now')),
    CHECK ((file_name IS NULL) = (data IS NULL) AND (file_name IS NULL) = (content_type IS NULL)
           AND (file_name IS NULL) = (size IS NULL))
);
CREATE INDEX progress_by_measure ON measure_progress (measure_id, on_date);
CREATE INDEX progress_by_branch ON measure_progress (branch_id);

-- 延期申请: a new deadline asked for with a reason, approved or rejected by whoever decides 销号
-- for the unit. One pending request per measure. A rejection says why.
CREATE TABLE deadline_extensions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    measure_id          INTEGER NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    branch_id           INTEGER NOT NULL REFERENCES branches (id),
    previous_deadline   TEXT NOT NULL CHECK (date(previous_deadline) IS previous_deadline),
    requested_deadline  TEXT NOT NULL CHECK (date(requested_deadline) IS requested_deadline),
    reason              TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn')),
    requested_by        INTEGER REFERENCES users (id),
    requested_at        TEXT NOT NULL DEFAULT (datetime('now')),
    decided_by          INTEGER REFERENCES users (id),
    decided_at          TEXT,
    decision_comment    TEXT NOT NULL DEFAULT '',
    version             INTEGER NOT NULL DEFAULT 1,
    CHECK (state <> 'rejected' OR length(trim(decision_comment)) > 0),
    CHECK ((state IN ('approved', 'rejected')) = (decided_at IS NOT NULL))
);
CREATE UNIQUE INDEX one_pending_extension ON deadline_extensions (measure_id) WHERE state = 'pending';
CREATE INDEX extensions_by_branch ON deadline_extensions (branch_id, state);

-- measures.milestone_due follows the milestones.
CREATE TRIGGER milestones_due_on_insert AFTER INSERT ON measure_milestones BEGIN
    UPDATE measures SET milestone_due = (SELECT MIN(due_on) FROM measure_milestones
                                         WHERE measure_id = NEW.measure_id AND done_on IS NULL)
    WHERE id = NEW.measure_id;
END;

CREATE TRIGGER milestones_due_on_update AFTER UPDATE ON measure_milestones BEGIN
    UPDATE measures SET milestone_due = (SELECT MIN(due_on) FROM measure_milestones
                                         WHERE measure_id = NEW.measure_id AND done_on IS NULL)
    WHERE id = NEW.measure_id;
END;

CREATE TRIGGER milestones_due_on_delete AFTER DELETE ON measure_milestones BEGIN
    UPDATE measures SET milestone_due = (SELECT MIN(due_on) FROM measure_milestones
                                         WHERE measure_id = OLD.measure_id AND done_on IS NULL)
    WHERE id = OLD.measure_id;
END;

-- measures.extensions counts the approved requests.
CREATE TRIGGER extensions_counted_on_update AFTER UPDATE OF state ON deadline_extensions BEGIN
    UPDATE measures SET extensions = (SELECT COUNT(*) FROM deadline_extensions
                                      WHERE measure_id = NEW.measure_id AND state = 'approved')
    WHERE id = NEW.measure_id;
END;

-- The ledger and the lists show progress entries and pending requests: a change to them is a
-- change to the branch (see migration 000009). Milestones reach the lists through the
-- measures they update.
CREATE TRIGGER measure_progress_changed_on_insert AFTER INSERT ON measure_progress BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id;
END;

CREATE TRIGGER measure_progress_changed_on_delete AFTER DELETE ON measure_progress BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = OLD.branch_id;
END;

CREATE TRIGGER deadline_extensions_changed_on_insert AFTER INSERT ON deadline_extensions BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id;
END;

CREATE TRIGGER deadline_extensions_changed_on_update AFTER UPDATE ON deadline_extensions BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id;
END;
