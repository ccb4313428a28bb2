-- What the branch secretary's work needs beyond the core schema (issue 3).

-- Where a finding came from: 对账查摆 against an item, 延伸自查 outside the items, or imported
-- from the previous year's 书记述职评议 problem list. Existing rows are classified by their item.
ALTER TABLE findings ADD COLUMN source TEXT NOT NULL DEFAULT 'self_check'
    CHECK (source IN ('self_check', 'extended', 'imported'));
UPDATE findings SET source = 'extended' WHERE ledger_item_id IS NULL;

-- Evidence for a 销号 request (photos or PDF of the 工作记录本, 会议记录, 灯塔 screenshots).
-- Kept inside the database so that `duizhang backup` copies it with everything else, and served
-- only through the scope-checked download route. branch_id is the owning branch, for scoping.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: history and links are keyed by it
    measure_id    INTEGER NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    branch_id     INTEGER NOT NULL REFERENCES branches (id),
    file_name     TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    size          INTEGER NOT NULL CHECK (size > 0),
    data          BLOB NOT NULL,
    uploaded_by   INTEGER REFERENCES users (id),
    uploaded_at   TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX evidence_by_measure ON evidence (measure_id);

-- The finding an audited row belongs to (the finding itself, its measures, their evidence), so
-- a finding's page shows the whole history of its rows, deleted measures included. No foreign
-- key: the history outlives a deleted finding.
ALTER TABLE audit_log ADD COLUMN finding_id INTEGER;
CREATE INDEX audit_by_branch ON audit_log (branch_id, at);
CREATE INDEX audit_by_finding ON audit_log (finding_id);
