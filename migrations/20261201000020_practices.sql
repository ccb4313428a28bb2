-- Issue 19: 经验总结和典型做法. A unit (a branch, or a committee for its own 本级 unit) writes up
-- a practice that grew from its rectification, naming the measures it grew from; the 组织部
-- marks some 推广, and those are shown to every user.
CREATE TABLE practices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: history is keyed by it
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    branch_id     INTEGER NOT NULL REFERENCES branches (id),
    category_id   INTEGER REFERENCES ledger_categories (id),   -- the ledger category it answers, if one
    title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
    text          TEXT NOT NULL CHECK (length(trim(text)) > 0),
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL DEFAULT (datetime('now')),
    promoted_at   TEXT,
    promoted_by   INTEGER REFERENCES users (id),
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK ((promoted_at IS NULL) = (promoted_by IS NULL))
);
CREATE INDEX practices_by_campaign ON practices (campaign_id, promoted_at);

-- The measures a practice grew from (the unit's own). A measure the unit deletes leaves the
-- practice, which stands on its own text.
CREATE TABLE practice_measures (
    practice_id   INTEGER NOT NULL REFERENCES practices (id),
    measure_id    INTEGER NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    PRIMARY KEY (practice_id, measure_id)
);
