-- Issue 19: 报送 as an act. After signing 附件3 the committee hands its materials to the 组织部:
-- the system keeps the package it sent (the signed 附件3 and every 附件2, PDF and XLSX, each with
-- its verification code, and a 清单) exactly as sent; the committee may add a scan of the sealed
-- paper copy; the 组织部 records the paper copy's receipt, or returns the 报送 with a reason (the
-- committee then hands in again: a returned 报送 stays on record).
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: history is keyed by it
    campaign_id      INTEGER NOT NULL REFERENCES campaigns (id),
    committee_id     INTEGER NOT NULL REFERENCES committees (id),
    delivered_at     TEXT NOT NULL DEFAULT (datetime('now')),  -- UTC; 逾期报送 is judged on its campus date
    delivered_by     INTEGER NOT NULL REFERENCES users (id),
    package_name     TEXT NOT NULL CHECK (length(trim(package_name)) > 0),
    package          BLOB NOT NULL,
    package_size     INTEGER NOT NULL CHECK (package_size > 0),
    state            TEXT NOT NULL DEFAULT 'delivered' CHECK (state IN ('delivered', 'returned')),
    return_reason    TEXT NOT NULL DEFAULT '',
    returned_at      TEXT,
    returned_by      INTEGER REFERENCES users (id),
    -- The sealed paper copy, as the 组织部 received it.
    paper_received_on TEXT CHECK (paper_received_on IS NULL OR date(paper_received_on) IS paper_received_on),
    paper_received_by TEXT NOT NULL DEFAULT '',
    paper_note       TEXT NOT NULL DEFAULT '',
    -- A scan of the sealed paper copy, uploaded by the committee.
    scan_name        TEXT,
    scan_type        TEXT,
    scan             BLOB,
    scan_size        INTEGER,
    version          INTEGER NOT NULL DEFAULT 1,
    CHECK ((state = 'returned') = (returned_at IS NOT NULL AND length(trim(return_reason)) > 0)),
    CHECK ((scan IS NULL) = (scan_name IS NULL) AND (scan IS NULL) = (scan_type IS NULL))
);

-- At most one 报送 stands per committee and campaign.
CREATE UNIQUE INDEX deliveries_one_standing ON deliveries (campaign_id, committee_id) WHERE state = 'delivered';

-- What was sent is never changed or removed.
CREATE TRIGGER deliveries_package_unchangeable
BEFORE UPDATE OF campaign_id, committee_id, delivered_at, delivered_by, package_name, package, package_size ON deliveries
BEGIN
    SELECT RAISE(ABORT, 'a delivered package is kept as it was sent');
END;

CREATE TRIGGER deliveries_kept BEFORE DELETE ON deliveries BEGIN
    SELECT RAISE(ABORT, 'a delivery is kept');
END;
