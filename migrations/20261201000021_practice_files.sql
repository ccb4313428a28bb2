-- Issue 19: a 典型做法 may carry attachments (photos or PDF, checked like 销号 evidence), shown
-- with it to whoever may read it.
CREATE TABLE practice_files (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused
    practice_id   INTEGER NOT NULL REFERENCES practices (id),
    branch_id     INTEGER NOT NULL REFERENCES branches (id),
    file_name     TEXT NOT NULL CHECK (length(trim(file_name)) > 0),
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size > 0),
    data          BLOB NOT NULL,
    uploaded_by   INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX practice_files_by_practice ON practice_files (practice_id);
