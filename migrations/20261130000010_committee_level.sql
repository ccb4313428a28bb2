-- Items the 党总支（党委） answers for itself (issue 15).
--
-- Some ledger items are duties of the committee, not of a branch: in the 2022 ledger 1(5)
-- 上级党组织未落实按期换届提醒督促制度, 5(1) 年内未专题研究支部建设工作 and 5(2) 指导督促不够、
-- 未开展书记轮训. `level` says who answers an item: 'branch' (every branch) or 'committee' (each
-- committee, once, for itself). The three are found by their text in every campaign's ledger
-- (a later campaign's ledger is a copy of the 2022 text).
ALTER TABLE ledger_items ADD COLUMN level TEXT NOT NULL DEFAULT 'branch' CHECK (level IN ('branch', 'committee'));
UPDATE ledger_items SET level = 'committee'
WHERE text IN ('上级党组织未落实按期换届提醒督促制度',
               '各党总支（党委）年内未专题研究支部建设工作，对支部发展的领导、参与和指导不够',
               '各党总支（党委）对所属党支部的日常工作指导和督促检查不够，年内未开展党支部书记轮训');

-- The committee answers them as its own unit (本级): a row of `branches` with level 'committee',
-- one per committee, so that its answers, findings, measures, evidence, review and history are
-- kept exactly as a branch's are. Its ledger is kept by the committee's reviewers and reviewed
-- by the 组织部; it has no secretary, and every list or count of branches leaves it out
-- (src/db/units.rs says how). The code creates it with each new committee
-- (db::units::add_own_units); here, for the committees that exist.
ALTER TABLE branches ADD COLUMN level TEXT NOT NULL DEFAULT 'branch' CHECK (level IN ('branch', 'committee'));
CREATE UNIQUE INDEX branches_one_own_unit ON branches (committee_id) WHERE level = 'committee';
INSERT INTO branches (committee_id, name, level, sort_order)
SELECT id, '本级', 'committee', 0 FROM committees ORDER BY sort_order, id;

-- A secretary belongs to a branch, never to a committee's own unit; and the own unit stays its
-- committee's. Checked in code first; these keep any other path from breaking it.
CREATE TRIGGER users_secretary_not_of_own_unit_insert BEFORE INSERT ON users
WHEN NEW.role = 'secretary' AND (SELECT level FROM branches WHERE id = NEW.branch_id) = 'committee'
BEGIN
    SELECT RAISE(ABORT, 'a secretary belongs to a branch, not to a committee''s own unit');
END;
CREATE TRIGGER users_secretary_not_of_own_unit_update BEFORE UPDATE OF role, branch_id ON users
WHEN NEW.role = 'secretary' AND (SELECT level FROM branches WHERE id = NEW.branch_id) = 'committee'
BEGIN
    SELECT RAISE(ABORT, 'a secretary belongs to a branch, not to a committee''s own unit');
END;
CREATE TRIGGER branches_own_unit_stays BEFORE UPDATE OF level, committee_id ON branches
WHEN OLD.level <> NEW.level OR (OLD.level = 'committee' AND OLD.committee_id <> NEW.committee_id)
BEGIN
    SELECT RAISE(ABORT, 'a unit''s level is fixed, and a committee''s own unit stays with it');
END;

-- Findings a branch recorded under these items move to its 延伸自查 of the same category, so
-- nothing is lost; the finding's history says so (the branch's ledger page shows a note). The
-- answers branches gave to these items stay in their history, uncounted.
INSERT INTO audit_log (user_id, action, entity, entity_id, committee_id, branch_id, finding_id, before_json, after_json)
SELECT NULL, 'finding.move_to_extended', 'findings', f.id, b.committee_id, f.branch_id, f.id,
       json_object('ledger_item', c.position || '（' || i.position || '）' || i.text, 'source', f.source),
       json_object('ledger_item', '延伸自查（该项改由党总支（党委）自查）',
                   'source', CASE WHEN f.source = 'imported' THEN 'imported' ELSE 'extended' END)
FROM findings f
JOIN branches b ON b.id = f.branch_id
JOIN ledger_items i ON i.id = f.ledger_item_id
JOIN ledger_categories c ON c.id = i.category_id
WHERE i.level = 'committee' AND b.level = 'branch';
UPDATE findings SET ledger_item_id = NULL, source = CASE WHEN source = 'imported' THEN 'imported' ELSE 'extended' END
WHERE ledger_item_id IN (SELECT id FROM ledger_items WHERE level = 'committee')
  AND branch_id IN (SELECT id FROM branches WHERE level = 'branch');
