//! A synthetic campus of any size, for the benchmark (`duizhang generate`): committees,
//! branches, one account per unit, 对账查摆 answers, findings and measures in every state, and
//! the audit rows their creation would have written. Deterministic: the same sizes and seed give
//! the same database. Everything is set-based SQL, so a 1,000-branch campus takes seconds.

use sqlx::SqliteConnection;

use super::Db;

#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub committees: i64,
    pub branches_per_committee: i64,
    /// On average, per branch that has started.
    pub findings_per_branch: i64,
    pub seed: i64,
}

#[derive(Debug)]
pub struct Summary {
    pub committees: i64,
    pub branches: i64,
    pub users: i64,
    pub self_checks: i64,
    pub findings: i64,
    pub measures: i64,
    pub audit_rows: i64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} committees, {} branches, {} accounts, {} answers, {} findings, {} measures, {} audit rows",
            self.committees, self.branches, self.users, self.self_checks, self.findings, self.measures, self.audit_rows
        )
    }
}

async fn count(conn: &mut SqliteConnection, table: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(conn)
        .await
}

/// Fills an empty campus (the caller checks it is empty). Every account's password hash is
/// `password_hash`. Returns what was made.
pub async fn campus(db: &Db, size: Size, password_hash: &str) -> sqlx::Result<Summary> {
    let summary = db.write(async |tx| -> sqlx::Result<Summary> {
    let seed = size.seed;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO committees (name, sort_order) SELECT printf('测试学院%03d党委', i), i FROM n",
    )
    .bind(size.committees)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1)
         INSERT INTO branches (committee_id, name, secretary_name, sort_order)
         SELECT c.id, printf('%s第%d党支部', c.name, k.i), printf('书记%d', k.i), k.i
         FROM committees c, k ORDER BY c.id, k.i",
    )
    .bind(size.branches_per_committee)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO branch_profiles (campaign_id, branch_id, full_members)
         SELECT 1, id, 3 + (committee_id * 7 + sort_order * 13 + ?1) % 40 FROM branches",
    )
    .bind(seed)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role) VALUES ('overseer', '组织部', ?1, 'overseer')",
    )
    .bind(password_hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, committee_id)
         SELECT 'reviewer' || id, name || '审核人', ?1, 'reviewer', id FROM committees ORDER BY id",
    )
    .bind(password_hash)
    .execute(&mut *tx)
    .await?;
    // Each committee's one reviewer is its 党组织负责人, who signs 附件3.
    sqlx::query(
        "UPDATE committees SET leader_user_id = (SELECT u.id FROM users u WHERE u.role = 'reviewer' AND u.committee_id = committees.id)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, branch_id)
         SELECT 'secretary' || id, secretary_name, ?1, 'secretary', id FROM branches ORDER BY id",
    )
    .bind(password_hash)
    .execute(&mut *tx)
    .await?;
    // One branch in ten has not started; of the rest, three in nine are in hand, two submitted,
    // one returned, three signed off.
    sqlx::query(
        "WITH s AS (SELECT id, committee_id, (id * 2654435761 + ?1) % 10 AS h FROM branches)
         INSERT INTO branch_ledgers (campaign_id, branch_id, state, submitted_at, signed_off_by, signed_off_at, four_in_place)
         SELECT 1, s.id,
                CASE WHEN h <= 3 THEN 'in_progress' WHEN h <= 5 THEN 'submitted' WHEN h = 6 THEN 'returned' ELSE 'signed_off' END,
                CASE WHEN h >= 4 THEN '2022-10-14 08:00:00' END,
                CASE WHEN h >= 7 THEN (SELECT u.id FROM users u WHERE u.role = 'reviewer' AND u.committee_id = s.committee_id) END,
                CASE WHEN h >= 7 THEN '2022-10-18 08:00:00' END,
                h >= 7
         FROM s WHERE h <> 0",
    )
    .bind(seed)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO self_checks (branch_id, ledger_item_id, verdict, updated_by)
         SELECT bl.branch_id, i.id,
                CASE WHEN (bl.branch_id * 31 + i.id * 17 + ?1) % 3 = 0 THEN 'problem' ELSE 'no_problem' END,
                (SELECT u.id FROM users u WHERE u.branch_id = bl.branch_id)
         FROM branch_ledgers bl, ledger_items i JOIN ledger_categories c ON c.id = i.category_id
         WHERE c.campaign_id = 1 AND bl.campaign_id = 1",
    )
    .bind(seed)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1 * 2)
         INSERT INTO findings (branch_id, campaign_id, category_id, position, text, review_state, created_by)
         SELECT bl.branch_id, 1, 1 + (k.i + bl.branch_id) % 6, k.i,
                printf('第%d条：支部委员会会议对党支部重要工作研讨少，“三会一课”记录不规范，整改责任不清（%d）', k.i, bl.branch_id),
                CASE bl.state WHEN 'signed_off' THEN 'approved' ELSE 'pending' END,
                (SELECT u.id FROM users u WHERE u.branch_id = bl.branch_id)
         FROM branch_ledgers bl, k
         WHERE bl.campaign_id = 1 AND k.i <= ?1 / 2 + (bl.branch_id * 7 + ?2) % (?1 + 1)
         ORDER BY bl.branch_id, k.i",
    )
    .bind(size.findings_per_branch)
    .bind(seed)
    .execute(&mut *tx)
    .await?;
    // 3 or 4 measures per finding, in every state; deadlines from mid-October to mid-December,
    // so some are overdue.
    sqlx::query(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 4),
              m AS (SELECT f.id AS finding_id, f.branch_id, k.i AS position, (f.id * 7 + k.i + ?1) % 5 AS s
                    FROM findings f, k WHERE k.i <= 3 + ((f.id + ?1) % 3 = 0))
         INSERT INTO measures (finding_id, position, text, deadline, owner, status, completed_at, completion_note,
                               closed_out_by, closed_out_at)
         SELECT m.finding_id, m.position, printf('第%d项措施：由支委会逐项整改，形成会议记录并报党总支备案', m.position),
                date('2022-10-15', '+' || ((m.finding_id * 13 + m.position) % 60) || ' days'),
                '王喆',
                CASE m.s WHEN 0 THEN 'not_started' WHEN 1 THEN 'in_progress' WHEN 2 THEN 'done' ELSE 'closed_out' END,
                CASE WHEN m.s >= 2 THEN '2022-10-25 08:00:00' END,
                CASE WHEN m.s >= 2 THEN '已整改完毕，会议记录已归档。' ELSE '' END,
                CASE WHEN m.s >= 3 THEN (SELECT u.id FROM users u JOIN branches b ON b.committee_id = u.committee_id
                                          WHERE b.id = m.branch_id AND u.role = 'reviewer') END,
                CASE WHEN m.s >= 3 THEN '2022-10-28 08:00:00' END
         FROM m ORDER BY m.finding_id, m.position",
    )
    .bind(seed)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, action, entity, entity_id, committee_id, branch_id, finding_id, after_json)
         SELECT '2022-10-12 08:00:00', f.created_by, 'finding.create', 'findings', f.id, b.committee_id, f.branch_id, f.id,
                json_object('text', f.text)
         FROM findings f JOIN branches b ON b.id = f.branch_id",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, action, entity, entity_id, committee_id, branch_id, finding_id, after_json)
         SELECT '2022-10-13 08:00:00', f.created_by, 'measure.create', 'measures', m.id, b.committee_id, f.branch_id, f.id,
                json_object('text', m.text, 'deadline', m.deadline, 'owner', m.owner)
         FROM measures m JOIN findings f ON f.id = m.finding_id JOIN branches b ON b.id = f.branch_id",
    )
    .execute(&mut *tx)
    .await?;
    // Each committee's own unit (本级), after the branches and their rows.
    super::units::add_own_units(&mut *tx).await?;
    let summary = Summary {
        committees: count(&mut *tx, "committees").await?,
        branches: count(&mut *tx, "branches WHERE level = 'branch'").await?,
        users: count(&mut *tx, "users").await?,
        self_checks: count(&mut *tx, "self_checks").await?,
        findings: count(&mut *tx, "findings").await?,
        measures: count(&mut *tx, "measures").await?,
        audit_rows: count(&mut *tx, "audit_log").await?,
    };
    Ok(summary)
    })
    .await?;
    // Statistics for the planner, as a campus that has run for a while would have them; but
    // not STAT4's samples, see `forget_stat4_samples`.
    db.write(async |tx| {
        sqlx::query("ANALYZE").execute(&mut *tx).await?;
        super::forget_stat4_samples(tx).await
    })
    .await?;
    Ok(summary)
}
