-- What changed since the overview last read the campus, so it refreshes only the branches whose
-- progress changed (handlers::overview). `change_seq.seq` counts changes to a branch's own rows;
-- `branch_changes` keeps, per branch, the count at its last change. `change_seq.structure`
-- counts changes that can touch every row (units, campaigns, the ledger), after which the
-- overview reads everything again. Kept by triggers, so no write path can forget it.
--
-- The triggers only UPDATE (every branch has its row from the start): an INSERT OR REPLACE in
-- a trigger takes the conflict policy of the statement that fired it, and failed under upserts.
CREATE TABLE change_seq (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       INTEGER NOT NULL,
    structure INTEGER NOT NULL
);
INSERT INTO change_seq (id, seq, structure) VALUES (1, 0, 0);

CREATE TABLE branch_changes (
    branch_id INTEGER PRIMARY KEY,
    seq       INTEGER NOT NULL
);
CREATE INDEX branch_changes_by_seq ON branch_changes (seq);
INSERT INTO branch_changes (branch_id, seq) SELECT id, 0 FROM branches;

CREATE TRIGGER branches_tracked AFTER INSERT ON branches BEGIN
    INSERT INTO branch_changes (branch_id, seq) VALUES (NEW.id, (SELECT seq FROM change_seq));
END;

CREATE TRIGGER self_checks_changed_on_insert AFTER INSERT ON self_checks BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id;
END;

CREATE TRIGGER self_checks_changed_on_update AFTER UPDATE ON self_checks BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id OR branch_id = OLD.branch_id;
END;

CREATE TRIGGER self_checks_changed_on_delete AFTER DELETE ON self_checks BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = OLD.branch_id;
END;

CREATE TRIGGER findings_changed_on_insert AFTER INSERT ON findings BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id;
END;

CREATE TRIGGER findings_changed_on_update AFTER UPDATE ON findings BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id OR branch_id = OLD.branch_id;
END;

CREATE TRIGGER findings_changed_on_delete AFTER DELETE ON findings BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = OLD.branch_id;
END;

CREATE TRIGGER branch_ledgers_changed_on_insert AFTER INSERT ON branch_ledgers BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id;
END;

CREATE TRIGGER branch_ledgers_changed_on_update AFTER UPDATE ON branch_ledgers BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id OR branch_id = OLD.branch_id;
END;

CREATE TRIGGER branch_ledgers_changed_on_delete AFTER DELETE ON branch_ledgers BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = OLD.branch_id;
END;

CREATE TRIGGER look_backs_changed_on_insert AFTER INSERT ON look_backs BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id;
END;

CREATE TRIGGER look_backs_changed_on_update AFTER UPDATE ON look_backs BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = NEW.branch_id OR branch_id = OLD.branch_id;
END;

CREATE TRIGGER look_backs_changed_on_delete AFTER DELETE ON look_backs BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = OLD.branch_id;
END;

CREATE TRIGGER measures_changed_on_insert AFTER INSERT ON measures BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = (SELECT branch_id FROM findings WHERE id = NEW.finding_id);
END;

CREATE TRIGGER measures_changed_on_update AFTER UPDATE ON measures BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = (SELECT branch_id FROM findings WHERE id = NEW.finding_id) OR branch_id = (SELECT branch_id FROM findings WHERE id = OLD.finding_id);
END;

CREATE TRIGGER measures_changed_on_delete AFTER DELETE ON measures BEGIN
    UPDATE change_seq SET seq = seq + 1;
    UPDATE branch_changes SET seq = (SELECT seq FROM change_seq) WHERE branch_id = (SELECT branch_id FROM findings WHERE id = OLD.finding_id);
END;

CREATE TRIGGER branches_changed_on_insert AFTER INSERT ON branches BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER branches_changed_on_update AFTER UPDATE ON branches BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER branches_changed_on_delete AFTER DELETE ON branches BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER committees_changed_on_insert AFTER INSERT ON committees BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER committees_changed_on_update AFTER UPDATE ON committees BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER committees_changed_on_delete AFTER DELETE ON committees BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER campaigns_changed_on_insert AFTER INSERT ON campaigns BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER campaigns_changed_on_update AFTER UPDATE ON campaigns BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER campaigns_changed_on_delete AFTER DELETE ON campaigns BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER ledger_categories_changed_on_insert AFTER INSERT ON ledger_categories BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER ledger_categories_changed_on_update AFTER UPDATE ON ledger_categories BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER ledger_categories_changed_on_delete AFTER DELETE ON ledger_categories BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER ledger_items_changed_on_insert AFTER INSERT ON ledger_items BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER ledger_items_changed_on_update AFTER UPDATE ON ledger_items BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;

CREATE TRIGGER ledger_items_changed_on_delete AFTER DELETE ON ledger_items BEGIN
    UPDATE change_seq SET structure = structure + 1;
END;
