-- Issue 19: 评星 results frozen. From the campaign's results date the 组织部 finalises its 结果运用:
-- each branch's 五星级 judgement as it was (eligible or not, the reasons in words, the names as
-- they read then), which later edits do not change. The audit trail's last entry at that moment
-- is kept, so what changed afterwards can be shown beside a judgement that now differs. The
-- 星级 finally awarded is recorded per branch.
CREATE TABLE campaign_results (
    campaign_id    INTEGER PRIMARY KEY REFERENCES campaigns (id),
    finalised_at   TEXT NOT NULL DEFAULT (datetime('now')),
    finalised_by   INTEGER NOT NULL REFERENCES users (id),
    judged_on      TEXT NOT NULL CHECK (date(judged_on) IS judged_on),
    audit_mark     INTEGER NOT NULL
);

CREATE TABLE branch_results (
    campaign_id    INTEGER NOT NULL REFERENCES campaign_results (campaign_id),
    branch_id      INTEGER NOT NULL REFERENCES branches (id),
    committee_name TEXT NOT NULL,
    branch_name    TEXT NOT NULL,
    ledger_state   TEXT NOT NULL,
    eligible       INTEGER NOT NULL CHECK (eligible IN (0, 1)),
    reasons        TEXT NOT NULL DEFAULT '',    -- joined with '；', as judged
    stars          INTEGER CHECK (stars IS NULL OR stars BETWEEN 1 AND 5),   -- 星级 awarded
    stars_note     TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (campaign_id, branch_id),
    CHECK (eligible = 1 OR length(reasons) > 0)
);

-- What was finalised stays as it was: only the 星级 awarded (and its note) is recorded later.
CREATE TRIGGER campaign_results_frozen BEFORE UPDATE ON campaign_results BEGIN
    SELECT RAISE(ABORT, 'finalised results are kept as they were');
END;

CREATE TRIGGER campaign_results_kept BEFORE DELETE ON campaign_results BEGIN
    SELECT RAISE(ABORT, 'finalised results are kept');
END;

CREATE TRIGGER branch_results_frozen
BEFORE UPDATE OF campaign_id, branch_id, committee_name, branch_name, ledger_state, eligible, reasons ON branch_results
BEGIN
    SELECT RAISE(ABORT, 'finalised results are kept as they were');
END;

CREATE TRIGGER branch_results_kept BEFORE DELETE ON branch_results BEGIN
    SELECT RAISE(ABORT, 'finalised results are kept');
END;
