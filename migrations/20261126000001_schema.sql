-- The core schema of duizhang. Append-only: once landed, never edit this file; add a new migration.
--
-- Conventions
-- * Dates that people set (deadlines, phase dates) are TEXT 'YYYY-MM-DD', checked with date(x) IS x.
-- * Moments the system records are TEXT 'YYYY-MM-DD HH:MM:SS' in UTC (SQLite's own format).
-- * Every row a person edits carries `version`: an UPDATE must say which version it saw
--   (WHERE id = ? AND version = ?) and bumps it, so a second concurrent save is told, never silently wins.
-- * States are stored as short English codes (see src/domain/), checked here too.

-- A 专项行动. One per year, may repeat; the dates are the notice's phase deadlines.
CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL CHECK (length(trim(title)) > 0),
    doc_number       TEXT NOT NULL,               -- 文号, e.g. 组织部〔2022〕44号
    issued_on        TEXT NOT NULL CHECK (date(issued_on) IS issued_on),            -- date of the notice
    self_check_due   TEXT NOT NULL CHECK (date(self_check_due) IS self_check_due),  -- 对账查摆 (10月中旬前)
    report_due       TEXT NOT NULL CHECK (date(report_due) IS report_due),          -- 党总支报送附件2/3
    rectify_due      TEXT NOT NULL CHECK (date(rectify_due) IS rectify_due),        -- 立项整改 (10月底前)
    results_due      TEXT NOT NULL CHECK (date(results_due) IS results_due),        -- 结果运用 (11月底前)
    is_current       INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1)),
    created_at       TEXT NOT NULL DEFAULT (datetime('now')),
    version          INTEGER NOT NULL DEFAULT 1
);
-- At most one campaign is the current one: pages without ?campaign= show it.
CREATE UNIQUE INDEX campaigns_one_current ON campaigns (is_current) WHERE is_current = 1;

-- A 党总支 or 二级党委.
CREATE TABLE committees (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT NOT NULL DEFAULT (datetime('now')),
    version     INTEGER NOT NULL DEFAULT 1
);

-- A 党支部, always under one committee. The 组织部 keeps its size and secretary's name
-- (支委会 size rules in 附件1 item 1(4) depend on 正式党员人数).
CREATE TABLE branches (
    id                  INTEGER PRIMARY KEY,
    committee_id        INTEGER NOT NULL REFERENCES committees (id),
    name                TEXT NOT NULL CHECK (length(trim(name)) > 0),
    full_member_count   INTEGER NOT NULL DEFAULT 0 CHECK (full_member_count >= 0),  -- 正式党员人数
    secretary_name      TEXT NOT NULL DEFAULT '',                                   -- 书记
    sort_order          INTEGER NOT NULL DEFAULT 0,
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at          TEXT NOT NULL DEFAULT (datetime('now')),
    version             INTEGER NOT NULL DEFAULT 1,
    UNIQUE (committee_id, name)
);
CREATE INDEX branches_by_committee ON branches (committee_id);

-- People who log in. The role decides the unit column: a secretary belongs to exactly one branch,
-- a reviewer to exactly one committee, an overseer (组织部) to none — enforced here, not only in code.
CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE COLLATE NOCASE
                          CHECK (length(username) BETWEEN 1 AND 64 AND username NOT GLOB '*[^A-Za-z0-9._-]*'),
    display_name          TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    password_hash         TEXT NOT NULL,          -- PHC string, argon2id
    role                  TEXT NOT NULL CHECK (role IN ('overseer', 'reviewer', 'secretary')),
    committee_id          INTEGER REFERENCES committees (id),
    branch_id             INTEGER REFERENCES branches (id),
    active                INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    must_change_password  INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    -- Bumped whenever the password changes or is reset; a session remembers the value it logged
    -- in with, so every other session of the account ends at its next request.
    credential_version    INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at            TEXT NOT NULL DEFAULT (datetime('now')),
    version               INTEGER NOT NULL DEFAULT 1,
    CHECK (
        (role = 'overseer'  AND committee_id IS NULL     AND branch_id IS NULL) OR
        (role = 'reviewer'  AND committee_id IS NOT NULL AND branch_id IS NULL) OR
        (role = 'secretary' AND committee_id IS NULL     AND branch_id IS NOT NULL)
    )
);

-- 附件1 问题台账, per campaign: six categories (基本组织…工作资料) …
CREATE TABLE ledger_categories (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    position     INTEGER NOT NULL CHECK (position >= 1),   -- 1..6, the number printed before the title
    title        TEXT NOT NULL CHECK (length(trim(title)) > 0),
    version      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (campaign_id, position),
    UNIQUE (id, campaign_id)   -- target of findings' composite key
);

-- … and their numbered items, 25 in the 2022 ledger, text verbatim including the 如：… examples.
CREATE TABLE ledger_items (
    id           INTEGER PRIMARY KEY,
    category_id  INTEGER NOT NULL REFERENCES ledger_categories (id),
    position     INTEGER NOT NULL CHECK (position >= 1),   -- the (n) within its category
    text         TEXT NOT NULL CHECK (length(trim(text)) > 0),
    version      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (category_id, position),
    UNIQUE (id, category_id)   -- target of findings' composite key
);

-- A branch's ledger in one campaign, and where it stands in review. No row = 未开始.
CREATE TABLE branch_ledgers (
    campaign_id        INTEGER NOT NULL REFERENCES campaigns (id),
    branch_id          INTEGER NOT NULL REFERENCES branches (id),
    state              TEXT NOT NULL DEFAULT 'in_progress'
                       CHECK (state IN ('in_progress', 'submitted', 'returned', 'signed_off')),
    submitted_at       TEXT,
    signed_off_by      INTEGER REFERENCES users (id),
    signed_off_at      TEXT,
    sign_off_comment   TEXT,
    updated_at         TEXT NOT NULL DEFAULT (datetime('now')),
    version            INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (campaign_id, branch_id),
    CHECK ((state = 'signed_off') = (signed_off_by IS NOT NULL AND signed_off_at IS NOT NULL))
);

-- 对账查摆: a branch's verdict on one ledger item. 不适用 needs a reason.
CREATE TABLE self_checks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: history is keyed by it
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    ledger_item_id  INTEGER NOT NULL REFERENCES ledger_items (id),
    verdict         TEXT NOT NULL CHECK (verdict IN ('problem', 'no_problem', 'not_applicable')),
    reason          TEXT NOT NULL DEFAULT '',
    updated_by      INTEGER REFERENCES users (id),
    updated_at      TEXT NOT NULL DEFAULT (datetime('now')),
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (branch_id, ledger_item_id),
    CHECK (verdict <> 'not_applicable' OR length(trim(reason)) > 0)
);

-- 查摆问题: a problem in the branch's own words, under a category, tied to a ledger item
-- (对账查摆) or to none (延伸自查). The composite keys make a finding's item, category and
-- campaign agree with each other.
CREATE TABLE findings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: history is keyed by it
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    campaign_id     INTEGER NOT NULL REFERENCES campaigns (id),
    category_id     INTEGER NOT NULL,
    ledger_item_id  INTEGER,                                   -- NULL = 延伸自查
    position        INTEGER NOT NULL DEFAULT 1,                -- the 1. 2. … within its category
    text            TEXT NOT NULL CHECK (length(trim(text)) > 0),
    review_state    TEXT NOT NULL DEFAULT 'pending' CHECK (review_state IN ('pending', 'approved', 'returned')),
    review_comment  TEXT NOT NULL DEFAULT '',
    reviewed_by     INTEGER REFERENCES users (id),
    reviewed_at     TEXT,
    created_by      INTEGER REFERENCES users (id),
    created_at      TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at      TEXT NOT NULL DEFAULT (datetime('now')),
    version         INTEGER NOT NULL DEFAULT 1,
    FOREIGN KEY (category_id, campaign_id) REFERENCES ledger_categories (id, campaign_id),
    FOREIGN KEY (ledger_item_id, category_id) REFERENCES ledger_items (id, category_id),
    CHECK (review_state <> 'returned' OR length(trim(review_comment)) > 0)
);
CREATE INDEX findings_by_branch ON findings (branch_id, campaign_id);

-- 整改措施: numbered measures of a finding. Deadline and owner may be blank while drafting;
-- submission requires them (a rule in src/domain/). 已销号 only with who and when.
CREATE TABLE measures (
    id                INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: history is keyed by it
    finding_id        INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL DEFAULT 1,
    text              TEXT NOT NULL CHECK (length(trim(text)) > 0),
    deadline          TEXT CHECK (deadline IS NULL OR date(deadline) IS deadline),   -- 整改时限
    owner             TEXT NOT NULL DEFAULT '',                                      -- 责任人
    status            TEXT NOT NULL DEFAULT 'not_started'
                      CHECK (status IN ('not_started', 'in_progress', 'done', 'closed_out')),
    immediate         INTEGER NOT NULL DEFAULT 0 CHECK (immediate IN (0, 1)),        -- 立行立改
    completion_note   TEXT NOT NULL DEFAULT '',
    completed_at      TEXT,
    closed_out_by     INTEGER REFERENCES users (id),
    closed_out_at     TEXT,
    created_at        TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at        TEXT NOT NULL DEFAULT (datetime('now')),
    version           INTEGER NOT NULL DEFAULT 1,
    CHECK ((status = 'closed_out') = (closed_out_by IS NOT NULL AND closed_out_at IS NOT NULL))
);
CREATE INDEX measures_by_finding ON measures (finding_id);

-- Every change: who, when, which row, before and after (JSON). branch_id/committee_id let a
-- row's history be shown within the same scope rules as the row itself.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL DEFAULT (datetime('now')),
    user_id       INTEGER REFERENCES users (id),
    action        TEXT NOT NULL,        -- e.g. login, password.change, finding.update
    entity        TEXT NOT NULL,        -- table name of the row changed
    entity_id     INTEGER,
    committee_id  INTEGER REFERENCES committees (id),
    branch_id     INTEGER REFERENCES branches (id),
    before_json   TEXT,
    after_json    TEXT
);
CREATE INDEX audit_by_entity ON audit_log (entity, entity_id);

-- Failed-login counters, per account ('user:NAME') and per client address ('addr:IP'). Only
-- failures are counted, so a campus behind one NAT address logging in at 8 a.m. is never slowed.
CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL DEFAULT 0,
    window_started  INTEGER NOT NULL,    -- unix seconds of the first failure counted
    locked_until    INTEGER NOT NULL DEFAULT 0
);

-- tower-sessions-sqlx-store's table, declared here so the whole schema is in one place
-- (the store's own migrate() uses CREATE TABLE IF NOT EXISTS and finds it).
CREATE TABLE tower_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    data         BLOB NOT NULL,
    expiry_date  INTEGER NOT NULL
);
