-- A campus upgraded in the middle of a campaign has no 党组织负责人 named (migration 000013), so
-- nobody could sign 附件3 until the 组织部 named one for every committee. Where a committee has
-- exactly one active reviewer account, that account is its 负责人 (as `seed-demo` and
-- `generate` make it); with several, the 组织部 chooses on /admin.
UPDATE committees
SET leader_user_id = (SELECT u.id FROM users u WHERE u.role = 'reviewer' AND u.committee_id = committees.id AND u.active = 1),
    version = version + 1
WHERE leader_user_id IS NULL
  AND (SELECT COUNT(*) FROM users u WHERE u.role = 'reviewer' AND u.committee_id = committees.id AND u.active = 1) = 1;
