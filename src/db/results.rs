//! 评星 results frozen (migration 000019): each branch's 五星级 judgement as finalised, and the 星级
//! awarded. Campus-wide: only the 组织部 reads and writes them.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::audit::{self, Entry, HistoryRow};
use crate::domain::history::AuditAction;
use crate::domain::states::LedgerState;
use crate::domain::{BranchId, CampaignId, UserId};

/// When and on what day a campaign's results were finalised.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Finalised {
    /// UTC, as stored.
    pub finalised_at: String,
    pub finalised_by_name: Option<String>,
    pub judged_on: Date,
    /// The last audit entry at that moment: later ones explain a judgement that differs now.
    pub audit_mark: i64,
}

/// A branch's judgement as frozen, with the 星级 awarded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BranchResult {
    pub branch_id: BranchId,
    pub committee_name: String,
    pub branch_name: String,
    pub ledger_state: LedgerState,
    pub eligible: bool,
    pub reasons: String,
    pub stars: Option<i64>,
    pub stars_note: String,
    pub version: i64,
}

/// A branch's judgement to freeze, as judged live at finalisation.
pub struct ToFreeze<'a> {
    pub branch_id: BranchId,
    pub committee_name: &'a str,
    pub branch_name: &'a str,
    pub ledger_state: LedgerState,
    pub eligible: bool,
    pub reasons: String,
}

/// The campaign's finalised results (campus-wide readers: the 组织部's pages).
pub async fn campus(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Option<(Finalised, Vec<BranchResult>)>> {
    let finalised: Option<Finalised> = sqlx::query_as(
        "SELECT r.finalised_at, u.display_name AS finalised_by_name, r.judged_on, r.audit_mark
         FROM campaign_results r LEFT JOIN users u ON u.id = r.finalised_by WHERE r.campaign_id = ?",
    )
    .bind(campaign)
    .fetch_optional(pool)
    .await?;
    let Some(finalised) = finalised else {
        return Ok(None);
    };
    let rows = sqlx::query_as(
        "SELECT r.branch_id, r.committee_name, r.branch_name, r.ledger_state, r.eligible, r.reasons, r.stars,
                r.stars_note, r.version
         FROM branch_results r JOIN branches b ON b.id = r.branch_id JOIN committees c ON c.id = b.committee_id
         WHERE r.campaign_id = ?
         ORDER BY c.sort_order, c.id, b.sort_order, b.id",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    Ok(Some((finalised, rows)))
}

/// What changed on `branches`' rows after the finalisation (`mark`), oldest first: why a live
/// judgement differs from the frozen one.
pub async fn changes_after(
    pool: &SqlitePool, branches: &[BranchId], mark: i64,
) -> sqlx::Result<Vec<(BranchId, HistoryRow)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        branch_id: BranchId,
        #[sqlx(flatten)]
        entry: HistoryRow,
    }
    let ids = serde_json::to_string(&branches.iter().map(|b| b.0).collect::<Vec<_>>()).unwrap_or_default();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.branch_id, a.at, u.display_name AS user_name, a.action, a.entity_id, NULL AS ledger_item_id,
                a.before_json, a.after_json
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         WHERE a.id > ? AND a.branch_id IN (SELECT value FROM json_each(?))
           AND a.action NOT IN ('login', 'logout', 'password.change', 'results.stars')
           AND a.action NOT LIKE 'practice.%' 
         ORDER BY a.id",
    )
    .bind(mark)
    .bind(ids)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.branch_id, r.entry)).collect())
}

pub async fn is_finalised(conn: &mut SqliteConnection, campaign: CampaignId) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM campaign_results WHERE campaign_id = ?)")
        .bind(campaign)
        .fetch_one(conn)
        .await
}

#[derive(Serialize)]
struct Summary {
    judged_on: String,
    branches: usize,
    eligible: usize,
}

/// Freezes every branch's judgement, with the audit trail's mark.
pub async fn finalise(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, judged_on: Date, rows: &[ToFreeze<'_>],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO campaign_results (campaign_id, finalised_by, judged_on, audit_mark)
         VALUES (?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM audit_log))",
    )
    .bind(campaign)
    .bind(by)
    .bind(judged_on)
    .execute(&mut *conn)
    .await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO branch_results (campaign_id, branch_id, committee_name, branch_name, ledger_state, eligible, reasons)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(campaign)
        .bind(r.branch_id)
        .bind(r.committee_name)
        .bind(r.branch_name)
        .bind(r.ledger_state)
        .bind(r.eligible)
        .bind(&r.reasons)
        .execute(&mut *conn)
        .await?;
    }
    let e = Entry::new(by, AuditAction::ResultsFinalise, campaign.0).after(&Summary {
        judged_on: crate::domain::dates::format_date(judged_on),
        branches: rows.len(),
        eligible: rows.iter().filter(|r| r.eligible).count(),
    });
    audit::record(conn, &e).await
}

/// One branch's frozen result, read inside a write transaction.
pub async fn get_in(
    conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Option<BranchResult>> {
    sqlx::query_as(
        "SELECT branch_id, committee_name, branch_name, ledger_state, eligible, reasons, stars, stars_note, version
         FROM branch_results WHERE campaign_id = ? AND branch_id = ?",
    )
    .bind(campaign)
    .bind(branch)
    .fetch_optional(conn)
    .await
}

#[derive(Serialize)]
struct Stars<'a> {
    stars: Option<i64>,
    stars_note: &'a str,
}

/// A step on a result seen at another version: not taken.
pub struct Stale;

/// Records the 星级 awarded to a branch, as seen at `seen_version`.
pub async fn set_stars(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, before: &BranchResult, seen_version: i64,
    stars: Option<i64>, note: &str,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE branch_results SET stars = ?, stars_note = ?, version = version + 1
         WHERE campaign_id = ? AND branch_id = ? AND version = ?",
    )
    .bind(stars)
    .bind(note)
    .bind(campaign)
    .bind(before.branch_id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = Entry::new(by, AuditAction::ResultsStars, campaign.0)
        .branch(before.branch_id)
        .before(&Stars {
            stars: before.stars,
            stars_note: &before.stars_note,
        })
        .after(&Stars {
            stars,
            stars_note: note,
        });
    audit::record(conn, &e).await?;
    Ok(Ok(()))
}
