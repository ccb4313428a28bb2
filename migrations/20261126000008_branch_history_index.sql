-- The ledger page reads a branch's answer and review history by entity, newest first
-- (db::audit::branch_history): this index reads exactly those rows, in order, instead of
-- every audit row of the branch.
CREATE INDEX audit_by_branch_entity ON audit_log (branch_id, entity, id);
