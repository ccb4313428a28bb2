-- Verification codes printed on every page of an export (附件2, 附件3). The 组织部 types the
-- code from a paper copy into /verify to learn whether it is genuine, whose document it is and
-- when it was issued. A code stands for one exact content: downloading the same content again
-- reuses it, any change (a row edited, a sign-off) gets a new one, and /verify can tell that
-- the paper copy is no longer the latest.
CREATE TABLE export_codes (
    code          TEXT PRIMARY KEY CHECK (length(code) = 10),
    kind          TEXT NOT NULL CHECK (kind IN ('branch_checklist', 'committee_checklist', 'report')),
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    committee_id  INTEGER NOT NULL REFERENCES committees (id),
    -- Set for one branch's 附件2 only.
    branch_id     INTEGER REFERENCES branches (id),
    -- SHA-256 of the document's content (hex), without the code itself.
    digest        TEXT NOT NULL CHECK (length(digest) = 64),
    -- 1 when the content carries a sign-off (branch) or signature (report); 0 for a 草稿.
    signed        INTEGER NOT NULL CHECK (signed IN (0, 1)),
    issued_by     INTEGER NOT NULL REFERENCES users (id),
    issued_at     TEXT NOT NULL DEFAULT (datetime('now')),
    CHECK ((kind = 'branch_checklist') = (branch_id IS NOT NULL))
);
CREATE UNIQUE INDEX export_codes_one_per_content
    ON export_codes (kind, campaign_id, committee_id, IFNULL(branch_id, 0), digest);
