-- 整改"回头看" (issue 5): the 组织部 re-checks a closed-off measure. Flagging reopens the measure
-- for the branch and the committee; the first closure is kept here, apart, and so is the
-- re-check's outcome (巩固 holds / 反弹 rebound), which counts in 五星级 eligibility.
CREATE TABLE look_backs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    measure_id          INTEGER NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    branch_id           INTEGER NOT NULL REFERENCES branches (id),
    reason              TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    flagged_by          INTEGER NOT NULL REFERENCES users (id),
    flagged_at          TEXT NOT NULL DEFAULT (datetime('now')),
    first_closed_out_by INTEGER REFERENCES users (id),
    first_closed_out_at TEXT,
    outcome             TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'holds', 'rebound')),
    outcome_note        TEXT NOT NULL DEFAULT '',
    decided_by          INTEGER REFERENCES users (id),
    decided_at          TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    CHECK ((outcome = 'pending') = (decided_by IS NULL))
);
CREATE INDEX look_backs_by_measure ON look_backs (measure_id);
CREATE INDEX look_backs_by_branch ON look_backs (branch_id);
