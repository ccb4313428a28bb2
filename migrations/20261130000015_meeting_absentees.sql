-- 专题支委会: who was absent and why (缺席人员及原因), required when fewer attended than expected
-- (domain::meeting). Records made before this have none.
ALTER TABLE branch_meetings ADD COLUMN absentees TEXT NOT NULL DEFAULT '';
