-- Issue 15: who signs 附件3, the committee's own campaign work, and the campaign's reference
-- documents.

-- 党组织负责人 (书记) of a committee: the one reviewer account that signs 附件3. Set by the
-- 组织部; it must be an account of the committee's own reviewers, and stops being the leader
-- when the account leaves the committee.
ALTER TABLE committees ADD COLUMN leader_user_id INTEGER REFERENCES users (id);

CREATE TRIGGER committees_leader_is_its_reviewer_insert BEFORE INSERT ON committees
WHEN NEW.leader_user_id IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'a committee''s leader is one of its reviewers');
END;

CREATE TRIGGER committees_leader_is_its_reviewer BEFORE UPDATE OF leader_user_id ON committees
WHEN NEW.leader_user_id IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.leader_user_id AND u.role = 'reviewer' AND u.committee_id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'a committee''s leader is one of its reviewers');
END;

CREATE TRIGGER users_leader_leaves_with_the_account AFTER UPDATE OF role, committee_id ON users
WHEN NEW.role <> 'reviewer' OR NEW.committee_id IS NOT OLD.committee_id BEGIN
    UPDATE committees SET leader_user_id = NULL, version = version + 1 WHERE leader_user_id = NEW.id;
END;

-- The committee's own campaign work (notice 二(三) 跟进指导, 三(二) 部署安排和跟踪调度, 附件1
-- 5(2) 书记轮训): deployment meetings, guidance and inspection of a branch, 书记轮训. It fills
-- 附件3 一、工作开展情况 in the draft.
CREATE TABLE committee_work (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: history is keyed by it
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    committee_id  INTEGER NOT NULL REFERENCES committees (id),
    kind          TEXT NOT NULL CHECK (kind IN ('deployment', 'guidance', 'training')),  -- 部署会议 / 指导督查 / 书记轮训
    held_on       TEXT NOT NULL CHECK (date(held_on) IS held_on),
    branch_id     INTEGER REFERENCES branches (id),    -- guidance: the branch visited
    title         TEXT NOT NULL CHECK (length(trim(title)) > 0),   -- 会议名称 / 指导督查内容 / 轮训主题
    attendees     TEXT NOT NULL DEFAULT '',            -- who attended (轮训: which 书记)
    found         TEXT NOT NULL DEFAULT '',            -- guidance: what was found
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at    TEXT NOT NULL DEFAULT (datetime('now')),
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK ((kind = 'guidance') = (branch_id IS NOT NULL))
);
CREATE INDEX committee_work_by_committee ON committee_work (committee_id, campaign_id);

-- A guidance record names a branch of the same committee.
CREATE TRIGGER committee_work_branch_of_committee BEFORE INSERT ON committee_work
WHEN NEW.branch_id IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM branches b WHERE b.id = NEW.branch_id AND b.committee_id = NEW.committee_id AND b.level = 'branch')
BEGIN
    SELECT RAISE(ABORT, 'guidance names a branch of the committee');
END;

CREATE TRIGGER committee_work_branch_of_committee_update BEFORE UPDATE OF branch_id, committee_id ON committee_work
WHEN NEW.branch_id IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM branches b WHERE b.id = NEW.branch_id AND b.committee_id = NEW.committee_id AND b.level = 'branch')
BEGIN
    SELECT RAISE(ABORT, 'guidance names a branch of the committee');
END;

-- The documents branches check themselves against (e.g. 《潍坊学院党支部评星定级管理实施办法》,
-- 组织部〔2022〕43号), attached to a campaign by the 组织部: a file kept in the database (so
-- backups hold it), or a link.
CREATE TABLE campaign_documents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    title         TEXT NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 200),
    doc_number    TEXT NOT NULL DEFAULT '',            -- 文号
    url           TEXT CHECK (url IS NULL OR url LIKE 'http://%' OR url LIKE 'https://%'),
    file_name     TEXT CHECK (file_name IS NULL OR length(file_name) BETWEEN 1 AND 200),
    content_type  TEXT CHECK (content_type IS NULL OR content_type IN (
                      'application/pdf',
                      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                      'application/msword')),
    size          INTEGER CHECK (size IS NULL OR size > 0),
    data          BLOB,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL DEFAULT (datetime('now')),
    CHECK ((url IS NULL) = (data IS NOT NULL)),
    CHECK ((data IS NULL) = (file_name IS NULL) AND (data IS NULL) = (content_type IS NULL) AND (data IS NULL) = (size IS NULL))
);
CREATE INDEX campaign_documents_by_campaign ON campaign_documents (campaign_id, sort_order);
