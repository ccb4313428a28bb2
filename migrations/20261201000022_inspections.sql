-- Issue 19: 督查 records. The 组织部 records its 现场调研, 集中督导 and 调阅材料 (date, the units
-- covered, who took part, what was found), and may put a problem found there into a unit's ledger
-- as a finding (督查发现). Such a finding is answered with measures like any other, also on a
-- ledger already signed off: the sign-off stays, and the row is handed in and reviewed on its own
-- (`handed_in_at`), without reopening the ledger.
CREATE TABLE inspections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: findings and history point to it
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    kind         TEXT NOT NULL CHECK (kind IN ('field_visit', 'supervision', 'document_review')),
    held_on      TEXT NOT NULL CHECK (date(held_on) IS held_on),
    participants TEXT NOT NULL CHECK (length(trim(participants)) > 0),
    found        TEXT NOT NULL CHECK (length(trim(found)) > 0),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX inspections_by_campaign ON inspections (campaign_id, held_on);

-- The units an inspection covered: branches, or a committee's own unit.
CREATE TABLE inspection_units (
    inspection_id INTEGER NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    branch_id     INTEGER NOT NULL REFERENCES branches (id),
    PRIMARY KEY (inspection_id, branch_id)
) WITHOUT ROWID;
CREATE INDEX inspection_units_by_branch ON inspection_units (branch_id);

-- A finding raised by an inspection (its `source` stays 'extended': the column's CHECK predates
-- 督查发现, and readers call such a finding 'inspection'). `handed_in_at`: on a signed-off ledger,
-- when the unit handed the row in for review on its own; cleared when the row is returned.
ALTER TABLE findings ADD COLUMN inspection_id INTEGER REFERENCES inspections (id);
ALTER TABLE findings ADD COLUMN handed_in_at TEXT;
CREATE INDEX findings_by_inspection ON findings (inspection_id) WHERE inspection_id IS NOT NULL;
