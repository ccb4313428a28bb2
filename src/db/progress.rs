//! How far each branch has got in a campaign: the one summary behind the committee page and the
//! campus overview, so both count the same way.

use sqlx::SqlitePool;
use time::Date;

use super::scope::{BindScope, scoped};
use super::units::UNIT_NAME;
use crate::auth::Scope;
use crate::domain::states::{LedgerState, ReportState};
use crate::domain::units::Level;
use crate::domain::{BranchId, CampaignId, CommitteeId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BranchProgress {
    pub branch_id: BranchId,
    pub branch_name: String,
    pub committee_id: CommitteeId,
    pub committee_name: String,
    pub secretary_name: String,
    pub ledger_state: Option<LedgerState>,
    /// Ledger items answered (对账查摆), of the campaign's item count.
    pub answered: i64,
    pub findings: i64,
    /// 督查发现 not yet approved (planned, handed in and reviewed on their own, or with the ledger).
    pub inspection_open: i64,
    /// Of those, handed in on their own and waiting for the level above.
    pub inspection_handed_in: i64,
    pub measures_not_started: i64,
    pub measures_in_progress: i64,
    pub measures_done: i64,
    pub measures_closed_out: i64,
    /// Past their deadline (the approved one) or an open milestone's date, and not closed off
    /// (逾期, see domain::dates::is_overdue and domain::progress::first_due).
    pub measures_overdue: i64,
    /// The same against the original deadlines, as if no 延期 had been approved.
    pub measures_overdue_original: i64,
    /// Measures whose deadline was moved by an approved 延期申请.
    pub measures_extended: i64,
    /// Closed off by their deadline (按期): the approved one, and the original one.
    pub closed_on_time: i64,
    pub closed_on_time_original: i64,
    /// UTC moment of the latest change to the ledger's answers, findings, measures, state or
    /// 专题支委会 record.
    pub last_change: Option<String>,
    /// Overdue on the day 五星级 eligibility is judged (domain::eligibility::as_of), against
    /// the deadline the campaign's setting names (approved or original).
    pub overdue_at_judgement: i64,
    /// 回头看 re-checks that found 反弹.
    pub rebounds: i64,
    /// UTC moment the ledger was first handed in (已提交): its 对账查摆 answered and every
    /// finding's measures planned, as the submission gate requires.
    pub first_submitted_at: Option<String>,
}

impl BranchProgress {
    /// The ledger's state: no ledger row yet means nobody has started.
    pub fn state(&self) -> LedgerState {
        LedgerState::of(self.ledger_state)
    }

    /// The campus date the ledger was first handed in.
    pub fn first_handed_in(&self) -> Option<time::Date> {
        self.first_submitted_at
            .as_deref()
            .and_then(crate::domain::dates::campus_date)
    }

    /// 迟交: first handed in after `due` (the campaign's 对账查摆 deadline), or not yet handed in
    /// with `due` past on `today`.
    pub fn handed_in_late(&self, due: time::Date, today: time::Date) -> bool {
        crate::domain::delivery::is_late(self.first_handed_in().unwrap_or(today), due)
    }

    /// The first hand-in's date (empty if none) and whether it is 迟交, as the lists show them.
    pub fn hand_in(&self, due: &time::Date, today: &time::Date) -> (String, bool) {
        let on = self.first_handed_in().map(crate::domain::dates::format_date);
        (on.unwrap_or_default(), self.handed_in_late(*due, *today))
    }

    pub fn measures_total(&self) -> i64 {
        self.measures_not_started + self.measures_in_progress + self.measures_done + self.measures_closed_out
    }

    /// What waits for the reviewer here: a submitted ledger (1), 督查发现 handed in on their
    /// own, and 销号 requests.
    pub fn waiting(&self) -> i64 {
        i64::from(self.state() == LedgerState::Submitted) + self.inspection_handed_in + self.measures_done
    }

    /// Beside an overdue figure, once any 延期 was approved: the figure against the original
    /// deadlines and how many measures were extended.
    pub fn extension_note(&self) -> Option<String> {
        (self.measures_extended > 0).then(|| {
            format!(
                "按原定时限 {} · 延期 {} 条",
                self.measures_overdue_original, self.measures_extended
            )
        })
    }

    /// The latest change in campus time, or a dash.
    pub fn last_change_words(&self) -> String {
        self.last_change
            .as_deref()
            .map(crate::domain::dates::display_moment)
            .unwrap_or_else(|| "—".into())
    }
}

pub async fn branches(
    db: &super::Db, scope: Scope, campaign: CampaignId, today: Date,
) -> sqlx::Result<Vec<BranchProgress>> {
    let rows = db
        .memos
        .progress
        .get_or_load(db, (scope, campaign, today), || {
            branches_judged(&db.read, scope, campaign, today, today)
        })
        .await?;
    Ok(Vec::clone(&rows))
}

/// The same, with overdue counted also on `judged_on` for 五星级 eligibility.
pub async fn branches_judged(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, today: Date, judged_on: Date,
) -> sqlx::Result<Vec<BranchProgress>> {
    units_judged(pool, scope, campaign, today, judged_on, Level::Branch).await
}

/// How far each committee in scope has got with its own 本级 ledger (its own items only), for
/// the 组织部 who reviews them.
pub async fn own_units(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, today: Date,
) -> sqlx::Result<Vec<BranchProgress>> {
    units_judged(pool, scope, campaign, today, today, Level::Committee).await
}

/// The units of `level` in scope, each counting the answers to the items of its level.
async fn units_judged(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, today: Date, judged_on: Date, level: Level,
) -> sqlx::Result<Vec<BranchProgress>> {
    // Every aggregate below reads only the rows of the units in scope (`scoped`).
    sqlx::query_as(&scoped(
        "WITH
           items AS (
             SELECT i.id FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id
             WHERE c.campaign_id = ?3 AND i.level = ?6),
           answers AS (
             SELECT sc.branch_id, COUNT(*) AS answered, MAX(sc.updated_at) AS last_at
             FROM self_checks sc WHERE sc.ledger_item_id IN (SELECT id FROM items) AND sc.branch_id IN (SELECT id FROM scoped)
             GROUP BY sc.branch_id),
           fs AS (
             SELECT branch_id, COUNT(*) AS findings, MAX(updated_at) AS last_at,
                    SUM(inspection_id IS NOT NULL AND review_state <> 'approved') AS inspection_open,
                    SUM(handed_in_at IS NOT NULL) AS inspection_handed_in
             FROM findings WHERE campaign_id = ?3 AND branch_id IN (SELECT id FROM scoped) GROUP BY branch_id),
           ms AS (
             SELECT fd.branch_id,
                    SUM(m.status = 'not_started') AS not_started,
                    SUM(m.status = 'in_progress') AS in_progress,
                    SUM(m.status = 'done') AS done,
                    SUM(m.status = 'closed_out') AS closed_out,
                    -- 逾期: past the (approved) deadline or an open milestone's date.
                    SUM(m.status <> 'closed_out' AND (m.deadline < ?4 OR m.milestone_due < ?4)) AS overdue,
                    SUM(m.status <> 'closed_out' AND (m.deadline < ?5 OR m.milestone_due < ?5)) AS overdue_judged,
                    -- 按期: closed off on or before the deadline's campus day (UTC+8: before 16:00 UTC);
                    -- one without a deadline (立行立改 done on the spot) cannot be late.
                    SUM(m.status = 'closed_out'
                        AND (m.deadline IS NULL OR m.closed_out_at < m.deadline || ' 16:00:00')) AS on_time,
                    MAX(m.updated_at) AS last_at
             FROM measures m JOIN findings fd ON fd.id = m.finding_id
             WHERE fd.campaign_id = ?3 AND fd.branch_id IN (SELECT id FROM scoped) GROUP BY fd.branch_id),
           -- The measures a 延期申请 moved (few, on their own index): how the figures above read
           -- against the original deadlines instead.
           ext AS (
             SELECT fd.branch_id,
                    COUNT(*) AS extended,
                    SUM(m.status <> 'closed_out' AND m.original_deadline < ?4
                        AND NOT (m.deadline < ?4 OR COALESCE(m.milestone_due < ?4, 0))) AS late_now,
                    SUM(m.status <> 'closed_out' AND m.original_deadline < ?5
                        AND NOT (m.deadline < ?5 OR COALESCE(m.milestone_due < ?5, 0))) AS late_judged,
                    SUM(m.status = 'closed_out' AND m.closed_out_at < m.deadline || ' 16:00:00'
                        AND m.closed_out_at >= m.original_deadline || ' 16:00:00') AS late_closed
             -- INDEXED BY: driven from the few extended measures, not from every finding in scope.
             FROM measures m INDEXED BY measures_extended JOIN findings fd ON fd.id = m.finding_id
             WHERE m.extensions > 0 AND fd.campaign_id = ?3 AND fd.branch_id IN (SELECT id FROM scoped)
             GROUP BY fd.branch_id),
           lb AS (
             SELECT l.branch_id, COUNT(*) AS rebounds
             FROM look_backs l JOIN measures m ON m.id = l.measure_id JOIN findings fd ON fd.id = m.finding_id
             WHERE fd.campaign_id = ?3 AND l.outcome = 'rebound' AND l.branch_id IN (SELECT id FROM scoped)
             GROUP BY l.branch_id)
         SELECT b.id AS branch_id, {UNIT_NAME} AS branch_name, c.id AS committee_id, c.name AS committee_name,
                b.secretary_name, bl.state AS ledger_state,
                COALESCE(a.answered, 0) AS answered,
                COALESCE(fs.findings, 0) AS findings,
                COALESCE(fs.inspection_open, 0) AS inspection_open,
                COALESCE(fs.inspection_handed_in, 0) AS inspection_handed_in,
                COALESCE(ms.not_started, 0) AS measures_not_started,
                COALESCE(ms.in_progress, 0) AS measures_in_progress,
                COALESCE(ms.done, 0) AS measures_done,
                COALESCE(ms.closed_out, 0) AS measures_closed_out,
                COALESCE(ms.overdue, 0) AS measures_overdue,
                COALESCE(ms.overdue, 0) + COALESCE(ext.late_now, 0) AS measures_overdue_original,
                COALESCE(ext.extended, 0) AS measures_extended,
                COALESCE(ms.on_time, 0) AS closed_on_time,
                COALESCE(ms.on_time, 0) - COALESCE(ext.late_closed, 0) AS closed_on_time_original,
                NULLIF(MAX(COALESCE(a.last_at, ''), COALESCE(fs.last_at, ''), COALESCE(ms.last_at, ''),
                           COALESCE(bl.updated_at, ''), COALESCE(bm.updated_at, '')), '') AS last_change,
                COALESCE(ms.overdue_judged, 0)
                  + iif(cb.basis = 'original', COALESCE(ext.late_judged, 0), 0) AS overdue_at_judgement,
                COALESCE(lb.rebounds, 0) AS rebounds,
                COALESCE((SELECT MIN(au.at) FROM audit_log au
                          WHERE au.branch_id = b.id AND au.entity = 'branch_ledgers' AND au.action = 'ledger.submit'
                            AND au.entity_id = ?3),
                         bl.submitted_at) AS first_submitted_at
         FROM scoped s
         JOIN branches b ON b.id = s.id
         JOIN committees c ON c.id = b.committee_id
         LEFT JOIN branch_ledgers bl ON bl.branch_id = b.id AND bl.campaign_id = ?3
         LEFT JOIN branch_meetings bm ON bm.campaign_id = ?3 AND bm.branch_id = b.id
         LEFT JOIN answers a ON a.branch_id = b.id
         LEFT JOIN fs ON fs.branch_id = b.id
         LEFT JOIN ms ON ms.branch_id = b.id
         LEFT JOIN ext ON ext.branch_id = b.id
         CROSS JOIN (SELECT eligibility_deadline AS basis FROM campaigns WHERE id = ?3) cb
         LEFT JOIN lb ON lb.branch_id = b.id
         WHERE b.active = 1 AND c.active = 1 AND b.level = ?6
         ORDER BY c.sort_order, c.id, b.sort_order, b.id",
    ).replace("{UNIT_NAME}", UNIT_NAME))
    .bind_scope(scope)
    .bind(campaign)
    .bind(today)
    .bind(judged_on)
    .bind(level)
    .fetch_all(pool)
    .await
}

/// The change counters the triggers of migration 000009 keep: (seq, structure). `seq` moves
/// with every change of a branch's own rows, `structure` with every change of units,
/// campaigns or the ledger.
pub(super) async fn change_counters(pool: &SqlitePool) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as("SELECT seq, structure FROM change_seq WHERE id = 1")
        .fetch_one(pool)
        .await
}

/// The branches whose own rows changed after counter value `seq`.
pub(super) async fn branches_changed_since(pool: &SqlitePool, seq: i64) -> sqlx::Result<Vec<BranchId>> {
    sqlx::query_scalar("SELECT branch_id FROM branch_changes WHERE seq > ?")
        .bind(seq)
        .fetch_all(pool)
        .await
}

/// Runs `sql`, a query of one JSON array over a campaign's findings `f`, for one branch or all:
/// `{branch}` in it becomes `AND f.branch_id = ?2` for one branch and nothing for all (a
/// `(?2 IS NULL OR …)` would make SQLite read every finding of the campaign in both cases).
async fn per_branch_json<T: serde::de::DeserializeOwned>(
    pool: &SqlitePool, sql: &str, campaign: CampaignId, branch: Option<BranchId>,
) -> sqlx::Result<Vec<T>> {
    let only = if branch.is_some() {
        "AND f.branch_id = ?2"
    } else {
        "AND ?2 IS NULL"
    };
    let rows: String = sqlx::query_scalar(&sql.replace("{branch}", only))
        .bind(campaign)
        .bind(branch)
        .fetch_one(pool)
        .await?;
    super::json_rows(&rows)
}

/// Campus-wide (for the overview only, see super::overview): findings per branch and category
/// position in a campaign, of one branch or of all (active or not; committees' own units left
/// out): (branch, position, count).
pub(super) async fn findings_per_branch_category(
    pool: &SqlitePool, campaign: CampaignId, branch: Option<BranchId>,
) -> sqlx::Result<Vec<(BranchId, i64, i64)>> {
    per_branch_json(
        pool,
        "SELECT json_group_array(json_array(branch_id, position, n)) FROM (
           SELECT f.branch_id, c.position, COUNT(*) AS n
           FROM findings f JOIN ledger_categories c ON c.id = f.category_id JOIN branches b ON b.id = f.branch_id
           WHERE f.campaign_id = ?1 {branch} AND b.level = 'branch'
           GROUP BY f.branch_id, c.position)",
        campaign,
        branch,
    )
    .await
}

/// Measures with a deadline, grouped by branch, deadline and the day they were closed off, with
/// how many measures share all three. Read as compact JSON arrays: a campus makes some tens of
/// thousands of groups.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DeadlineGroup(
    pub BranchId,
    #[serde(with = "super::json_date")] pub Date,
    #[serde(with = "super::json_date::option")] pub Option<Date>,
    pub i64,
);

/// Campus-wide (for the overview only): a campaign's measures with a deadline, of one branch or of
/// all, grouped (see [`DeadlineGroup`]).
pub(super) async fn deadline_groups(
    pool: &SqlitePool, campaign: CampaignId, branch: Option<BranchId>,
) -> sqlx::Result<Vec<DeadlineGroup>> {
    per_branch_json(
        pool,
        "SELECT json_group_array(json_array(branch_id, deadline, closed_on, n)) FROM (
           SELECT f.branch_id, m.deadline, date(m.closed_out_at) AS closed_on, COUNT(*) AS n
           FROM findings f JOIN measures m ON m.finding_id = f.id JOIN branches b ON b.id = f.branch_id
           WHERE f.campaign_id = ?1 {branch} AND m.deadline IS NOT NULL AND b.level = 'branch'
           GROUP BY f.branch_id, m.deadline, date(m.closed_out_at))",
        campaign,
        branch,
    )
    .await
}

/// Campus-wide (for the overview only): each committee's 附件3 state in a campaign (committees
/// without a saved report are absent).
pub(super) async fn report_states(
    pool: &SqlitePool, campaign: CampaignId,
) -> sqlx::Result<Vec<(CommitteeId, ReportState)>> {
    sqlx::query_as("SELECT committee_id, state FROM committee_reports WHERE campaign_id = ?")
        .bind(campaign)
        .fetch_all(pool)
        .await
}

/// Campus-wide, for the 组织部's statistics: per ledger item and committee, how many active
/// branches answered it 存在问题.
pub async fn problems_per_item(
    pool: &SqlitePool, campaign: CampaignId,
) -> sqlx::Result<Vec<(crate::domain::LedgerItemId, CommitteeId, i64)>> {
    sqlx::query_as(
        "SELECT sc.ledger_item_id, b.committee_id, COUNT(*)
         FROM self_checks sc JOIN ledger_items i ON i.id = sc.ledger_item_id
         JOIN ledger_categories c ON c.id = i.category_id JOIN branches b ON b.id = sc.branch_id
         JOIN committees k ON k.id = b.committee_id
         WHERE c.campaign_id = ? AND sc.verdict = 'problem' AND b.level = 'branch' AND b.active = 1 AND k.active = 1
         GROUP BY sc.ledger_item_id, b.committee_id",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// Campus-wide: per committee, the 回头看 of its branches' measures whose outcome is recorded.
pub async fn look_backs_decided(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Vec<(CommitteeId, i64)>> {
    sqlx::query_as(
        "SELECT b.committee_id, COUNT(*)
         FROM look_backs l JOIN measures m ON m.id = l.measure_id JOIN findings f ON f.id = m.finding_id
         JOIN branches b ON b.id = l.branch_id JOIN committees k ON k.id = b.committee_id
         WHERE f.campaign_id = ? AND l.outcome <> 'pending' AND b.level = 'branch' AND b.active = 1 AND k.active = 1
         GROUP BY b.committee_id",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
}
