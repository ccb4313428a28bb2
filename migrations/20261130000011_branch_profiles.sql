-- A branch's data that 附件1 checks it against (issue 15): 1(1) 超期未换届, 1(2) 书记空缺,
-- 1(4) 支委设置. Kept per campaign, since a branch's data moves with time (a new campaign copies
-- the last one's); the 组织部 and the branch's committee keep it, and every change is audited
-- (entity `branch_profiles`). NULL is "not known", never zero. The rules that read it are in
-- src/domain/hints.rs; they give hints beside the items, never answers.
CREATE TABLE branch_profiles (
    campaign_id             INTEGER NOT NULL REFERENCES campaigns (id),
    branch_id               INTEGER NOT NULL REFERENCES branches (id),
    last_election_on        TEXT CHECK (last_election_on IS NULL OR date(last_election_on) IS last_election_on),  -- 上次换届
    term_years              INTEGER NOT NULL DEFAULT 3 CHECK (term_years BETWEEN 1 AND 5),                         -- 任期
    committee_members       INTEGER CHECK (committee_members IS NULL OR committee_members BETWEEN 0 AND 50),       -- 支委人数 (0: 不设支委会)
    full_members            INTEGER CHECK (full_members IS NULL OR full_members BETWEEN 0 AND 10000),              -- 正式党员人数
    secretary_vacant_since  TEXT CHECK (secretary_vacant_since IS NULL OR date(secretary_vacant_since) IS secretary_vacant_since),  -- 书记空缺起始
    updated_by              INTEGER REFERENCES users (id),
    updated_at              TEXT NOT NULL DEFAULT (datetime('now')),
    version                 INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (campaign_id, branch_id)
);

-- 正式党员人数 moves here from `branches`, for every campaign (0 was the old form's "not
-- entered": no branch has no 正式党员).
INSERT INTO branch_profiles (campaign_id, branch_id, full_members)
SELECT c.id, b.id, NULLIF(b.full_member_count, 0) FROM campaigns c, branches b WHERE b.level = 'branch';
ALTER TABLE branches DROP COLUMN full_member_count;

-- Which check of src/domain/hints.rs an item's hints come from, copied with the ledger.
ALTER TABLE ledger_items ADD COLUMN hint TEXT CHECK (hint IS NULL OR hint IN ('term', 'vacancy', 'committee_size'));
UPDATE ledger_items SET hint = 'term' WHERE text = '党支部超期未换届或未经批准提前换届';
UPDATE ledger_items SET hint = 'vacancy' WHERE text = '因工作调整导致支部书记空缺，且长期未补选';
UPDATE ledger_items SET hint = 'committee_size' WHERE text LIKE '支部委员设置及分工不合理，如：%';
