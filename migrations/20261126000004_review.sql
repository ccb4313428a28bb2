-- What the 党总支 reviewer's work needs (issue 4).

-- The committee's word on a measure's last 销号 request: a rejection's reason (the branch sees it
-- and the request is open again) or a note with the confirmation.
ALTER TABLE measures ADD COLUMN close_out_comment TEXT NOT NULL DEFAULT '';
-- The last 销号 request was rejected and the branch has not asked again yet (its notice badge).
ALTER TABLE measures ADD COLUMN close_out_rejected INTEGER NOT NULL DEFAULT 0 CHECK (close_out_rejected IN (0, 1));

-- Why the committee last sent the ledger back or reopened it, shown to the branch.
ALTER TABLE branch_ledgers ADD COLUMN reviewer_note TEXT NOT NULL DEFAULT '';
-- The 四个到位 the signer affirmed (问题查摆、措施制定、责任明确、整改落实), all four at sign-off.
ALTER TABLE branch_ledgers ADD COLUMN four_in_place INTEGER NOT NULL DEFAULT 0 CHECK (four_in_place IN (0, 1));

-- 附件3: a committee's 开展党支部对账整改专项行动情况的报告, per campaign. Signing locks it; a
-- reopen keeps its reason.
CREATE TABLE committee_reports (
    campaign_id     INTEGER NOT NULL REFERENCES campaigns (id),
    committee_id    INTEGER NOT NULL REFERENCES committees (id),
    work_done       TEXT NOT NULL DEFAULT '',   -- 一、工作开展情况
    problems        TEXT NOT NULL DEFAULT '',   -- 二、自查存在的问题
    next_steps      TEXT NOT NULL DEFAULT '',   -- 三、下一步整改措施
    state           TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'signed')),
    signer_name     TEXT NOT NULL DEFAULT '',   -- 党组织负责人, as signed
    signed_on       TEXT CHECK (signed_on IS NULL OR date(signed_on) IS signed_on),  -- the date on the report
    signed_by       INTEGER REFERENCES users (id),
    signed_at       TEXT,
    reopen_reason   TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL DEFAULT (datetime('now')),
    version         INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (campaign_id, committee_id),
    CHECK ((state = 'signed') = (signed_by IS NOT NULL AND signed_at IS NOT NULL AND signed_on IS NOT NULL
                                  AND length(trim(signer_name)) > 0))
);
