//! How far each branch has got in a campaign: the one summary behind the committee page and the
//! campus overview, so both count the same way.

use sqlx::SqlitePool;
use time::Date;

use crate::domain::{BranchId, CampaignId, CommitteeId, Scope};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BranchProgress {
    pub branch_id: BranchId,
    pub branch_name: String,
    pub committee_id: CommitteeId,
    pub committee_name: String,
    pub secretary_name: String,
    pub ledger_state: Option<String>,
    /// Ledger items answered (对账查摆), of the campaign's item count.
    pub answered: i64,
    pub findings: i64,
    pub measures_not_started: i64,
    pub measures_in_progress: i64,
    pub measures_done: i64,
    pub measures_closed_out: i64,
    /// Past their deadline and not closed off (逾期, see domain::dates::is_overdue).
    pub measures_overdue: i64,
    /// UTC moment of the latest change to the ledger's answers, findings or measures.
    pub last_change: Option<String>,
    /// Overdue on the day 五星级 eligibility is judged (domain::eligibility::as_of).
    pub overdue_at_judgement: i64,
    /// 回头看 re-checks that found 反弹.
    pub rebounds: i64,
}

pub async fn branches(
    db: &super::Db,
    scope: Scope,
    campaign: CampaignId,
    today: Date,
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
    pool: &SqlitePool,
    scope: Scope,
    campaign: CampaignId,
    today: Date,
    judged_on: Date,
) -> sqlx::Result<Vec<BranchProgress>> {
    let f = scope.filter();
    // Every aggregate below reads only the rows of the branches in scope (`scoped`).
    sqlx::query_as(&format!(
        "WITH
           items AS (
             SELECT i.id FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id
             WHERE c.campaign_id = ?1),
           {},
           answers AS (
             SELECT sc.branch_id, COUNT(*) AS answered, MAX(sc.updated_at) AS last_at
             FROM self_checks sc WHERE sc.ledger_item_id IN (SELECT id FROM items) AND sc.branch_id IN (SELECT id FROM scoped)
             GROUP BY sc.branch_id),
           fs AS (
             SELECT branch_id, COUNT(*) AS findings, MAX(updated_at) AS last_at
             FROM findings WHERE campaign_id = ?1 AND branch_id IN (SELECT id FROM scoped) GROUP BY branch_id),
           ms AS (
             SELECT fd.branch_id,
                    SUM(m.status = 'not_started') AS not_started,
                    SUM(m.status = 'in_progress') AS in_progress,
                    SUM(m.status = 'done') AS done,
                    SUM(m.status = 'closed_out') AS closed_out,
                    SUM(m.deadline IS NOT NULL AND m.deadline < ?2 AND m.status <> 'closed_out') AS overdue,
                    SUM(m.deadline IS NOT NULL AND m.deadline < ?5 AND m.status <> 'closed_out') AS overdue_judged,
                    MAX(m.updated_at) AS last_at
             FROM measures m JOIN findings fd ON fd.id = m.finding_id
             WHERE fd.campaign_id = ?1 AND fd.branch_id IN (SELECT id FROM scoped) GROUP BY fd.branch_id),
           lb AS (
             SELECT l.branch_id, COUNT(*) AS rebounds
             FROM look_backs l JOIN measures m ON m.id = l.measure_id JOIN findings fd ON fd.id = m.finding_id
             WHERE fd.campaign_id = ?1 AND l.outcome = 'rebound' AND l.branch_id IN (SELECT id FROM scoped)
             GROUP BY l.branch_id)
         SELECT b.id AS branch_id, b.name AS branch_name, c.id AS committee_id, c.name AS committee_name,
                b.secretary_name, bl.state AS ledger_state,
                COALESCE(a.answered, 0) AS answered,
                COALESCE(fs.findings, 0) AS findings,
                COALESCE(ms.not_started, 0) AS measures_not_started,
                COALESCE(ms.in_progress, 0) AS measures_in_progress,
                COALESCE(ms.done, 0) AS measures_done,
                COALESCE(ms.closed_out, 0) AS measures_closed_out,
                COALESCE(ms.overdue, 0) AS measures_overdue,
                NULLIF(MAX(COALESCE(a.last_at, ''), COALESCE(fs.last_at, ''), COALESCE(ms.last_at, ''),
                           COALESCE(bl.updated_at, '')), '') AS last_change,
                COALESCE(ms.overdue_judged, 0) AS overdue_at_judgement,
                COALESCE(lb.rebounds, 0) AS rebounds
         FROM scoped s
         JOIN branches b ON b.id = s.id
         JOIN committees c ON c.id = b.committee_id
         LEFT JOIN branch_ledgers bl ON bl.branch_id = b.id AND bl.campaign_id = ?1
         LEFT JOIN answers a ON a.branch_id = b.id
         LEFT JOIN fs ON fs.branch_id = b.id
         LEFT JOIN ms ON ms.branch_id = b.id
         LEFT JOIN lb ON lb.branch_id = b.id
         WHERE b.active = 1 AND c.active = 1
         ORDER BY c.sort_order, c.id, b.sort_order, b.id",
        super::scoped_branches("?3", "?4")
    ))
    .bind(campaign)
    .bind(today)
    .bind(f.committee)
    .bind(f.branch)
    .bind(judged_on)
    .fetch_all(pool)
    .await
}

/// The number of ledger items in a campaign (25 in 2022's).
pub async fn item_count(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id WHERE c.campaign_id = ?",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
}

/// Findings per ledger category in a campaign, campus-wide: (position, title, count).
pub async fn findings_per_category(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT c.position, c.title, COUNT(f.id) FROM ledger_categories c
         LEFT JOIN findings f ON f.category_id = c.id
         WHERE c.campaign_id = ? GROUP BY c.id ORDER BY c.position",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// Every measure's deadline and the day it was closed off, for the overdue-over-time chart.
/// Grouped by the two days, with how many measures share them: a campus has about a hundred
/// thousand measures but only some thousands of such pairs, and every row handed over costs.
pub async fn deadlines(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Vec<(Date, Option<Date>, i64)>> {
    sqlx::query_as(
        "SELECT m.deadline, date(m.closed_out_at), COUNT(*) FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE f.campaign_id = ? AND m.deadline IS NOT NULL
         GROUP BY m.deadline, date(m.closed_out_at)",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// Findings per committee and category position, campus-wide, of the active branches of active
/// committees (those the overview lists), in that order: (committee, position, count).
pub async fn findings_per_committee_category(
    pool: &SqlitePool,
    campaign: CampaignId,
) -> sqlx::Result<Vec<(CommitteeId, i64, i64)>> {
    sqlx::query_as(
        "SELECT b.committee_id, c.position, COUNT(*) FROM findings f
         JOIN ledger_categories c ON c.id = f.category_id
         JOIN branches b ON b.id = f.branch_id
         JOIN committees k ON k.id = b.committee_id
         WHERE f.campaign_id = ? AND b.active = 1 AND k.active = 1
         GROUP BY b.committee_id, c.position
         ORDER BY b.committee_id, c.position",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// Each committee's 附件3 state in a campaign: (committee, "draft" | "signed").
pub async fn report_states(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Vec<(CommitteeId, String)>> {
    sqlx::query_as("SELECT committee_id, state FROM committee_reports WHERE campaign_id = ?")
        .bind(campaign)
        .fetch_all(pool)
        .await
}
