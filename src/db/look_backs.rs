//! 整改"回头看": the 组织部 re-checks closed-off measures.

use crate::domain::history::AuditAction;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::audit::{self, Actor};
use super::measures::Measure;
use super::scope::{BindScope, scoped};
use crate::auth::Scope;
use crate::domain::states::{LookBackOutcome, MeasureStatus};
use crate::domain::{BranchId, CampaignId, MeasureId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LookBack {
    pub id: i64,
    pub measure_id: MeasureId,
    pub reason: String,
    pub flagged_by_name: Option<String>,
    pub flagged_at: String,
    pub first_closed_out_at: Option<String>,
    pub outcome: LookBackOutcome,
    pub outcome_note: String,
    pub version: i64,
}

/// A 回头看 of the measure still waits for its outcome.
pub async fn pending(conn: &mut SqliteConnection, measure: MeasureId) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM look_backs WHERE measure_id = ? AND outcome = 'pending')")
        .bind(measure)
        .fetch_one(conn)
        .await
}

#[derive(Serialize)]
struct Flagged<'a> {
    look_back_reason: &'a str,
}

/// Flags a closed-off measure for 回头看; it stays 已销号 (its closure kept with the flag) until
/// the re-check finds 反弹. `false` if it was not closed off (any more).
pub async fn flag(conn: &mut SqliteConnection, actor: Actor, measure: &Measure, reason: &str) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO look_backs (measure_id, branch_id, reason, flagged_by, first_closed_out_by, first_closed_out_at)
         SELECT m.id, ?2, ?3, ?4, m.closed_out_by, m.closed_out_at FROM measures m WHERE m.id = ?1 AND m.status = 'closed_out'",
    )
    .bind(measure.id)
    .bind(actor.branch_id)
    .bind(reason)
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() != 1 {
        return Ok(false);
    }
    let entry = actor
        .entry(AuditAction::MeasureLookBack, measure.id.0, Some(measure.finding_id))
        .after(&Flagged {
            look_back_reason: reason,
        });
    audit::record(conn, &entry).await?;
    Ok(true)
}

#[derive(Serialize)]
struct Flag<'a> {
    status: MeasureStatus,
    close_out_comment: &'a str,
}

/// 反弹: the closed-off measure reopens (整改中) for the branch and the committee, saying why.
pub async fn reopen(conn: &mut SqliteConnection, actor: Actor, measure: &Measure, note: &str) -> sqlx::Result<()> {
    let comment = format!("整改“回头看”发现反弹：{note}");
    let reopened = sqlx::query(
        "UPDATE measures SET status = 'in_progress', closed_out_by = NULL, closed_out_at = NULL, close_out_comment = ?,
                             close_out_rejected = 0, updated_at = datetime('now'), version = version + 1
         WHERE id = ? AND status = 'closed_out'",
    )
    .bind(&comment)
    .bind(measure.id)
    .execute(&mut *conn)
    .await?;
    // A look-back opened under the old rule (migration-free: it reopened the measure at once)
    // finds the measure open already: nothing changes, nothing is recorded.
    if reopened.rows_affected() != 1 {
        return Ok(());
    }
    let entry = actor
        .entry(AuditAction::MeasureRebound, measure.id.0, Some(measure.finding_id))
        .before(&Flag {
            status: MeasureStatus::ClosedOut,
            close_out_comment: "",
        })
        .after(&Flag {
            status: MeasureStatus::InProgress,
            close_out_comment: &comment,
        });
    audit::record(conn, &entry).await
}

#[derive(Serialize)]
struct Outcome<'a> {
    outcome: LookBackOutcome,
    outcome_note: &'a str,
}

/// Records the re-check's outcome (巩固 holds / 反弹 rebound) on a pending 回头看 the user saw at
/// `seen_version`. `false` if it was decided meanwhile.
pub async fn decide(
    conn: &mut SqliteConnection, actor: Actor, look_back: &LookBack, finding: crate::domain::FindingId,
    seen_version: i64, outcome: LookBackOutcome, note: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE look_backs SET outcome = ?, outcome_note = ?, decided_by = ?, decided_at = datetime('now'), version = version + 1
         WHERE id = ? AND branch_id = ? AND version = ? AND outcome = 'pending'",
    )
    .bind(outcome)
    .bind(note)
    .bind(actor.user_id)
    .bind(look_back.id)
    .bind(actor.branch_id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let entry = actor
        .entry(AuditAction::LookBackDecide, look_back.id, Some(finding))
        .before(&Outcome {
            outcome: LookBackOutcome::Pending,
            outcome_note: "",
        })
        .after(&Outcome {
            outcome,
            outcome_note: note,
        });
    audit::record(conn, &entry).await?;
    Ok(true)
}

const COLUMNS: &str =
    "l.id, l.measure_id, l.reason, u.display_name AS flagged_by_name, l.flagged_at, l.first_closed_out_at,
                       l.outcome, l.outcome_note, l.version";

/// A branch's 回头看 records in a campaign, newest first.
pub async fn of_branch(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Vec<LookBack>> {
    sqlx::query_as(&scoped(&format!(
        "SELECT {COLUMNS} FROM look_backs l
         JOIN measures m ON m.id = l.measure_id JOIN findings fd ON fd.id = m.finding_id
         LEFT JOIN users u ON u.id = l.flagged_by
         WHERE l.branch_id = ?3 AND fd.campaign_id = ?4 AND l.branch_id IN (SELECT id FROM scoped)
         ORDER BY l.id DESC"
    )))
    .bind_scope(scope)
    .bind(branch)
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// The measure a 回头看 of `branch` is about, within the scope.
pub async fn measure_of(pool: &SqlitePool, scope: Scope, branch: BranchId, id: i64) -> sqlx::Result<Option<MeasureId>> {
    sqlx::query_scalar(&scoped(
        "SELECT measure_id FROM look_backs WHERE id = ?3 AND branch_id = ?4 AND branch_id IN (SELECT id FROM scoped)",
    ))
    .bind_scope(scope)
    .bind(id)
    .bind(branch)
    .fetch_optional(pool)
    .await
}

/// One 回头看 of `branch` (already scope-checked), inside a write transaction.
pub async fn get_of_branch(conn: &mut SqliteConnection, branch: BranchId, id: i64) -> sqlx::Result<Option<LookBack>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM look_backs l LEFT JOIN users u ON u.id = l.flagged_by WHERE l.id = ? AND l.branch_id = ?"
    ))
    .bind(id)
    .bind(branch)
    .fetch_optional(conn)
    .await
}

/// A closed-off measure, as the 回头看 sampling lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClosedOff {
    pub measure_id: MeasureId,
    pub finding_id: crate::domain::FindingId,
    pub branch_id: BranchId,
    pub branch_name: String,
    pub committee_id: crate::domain::CommitteeId,
    pub committee_name: String,
    pub text: String,
    pub owner: String,
    /// UTC, as stored.
    pub closed_out_at: Option<String>,
    /// Its latest 回头看, if any.
    pub look_back: Option<LookBackOutcome>,
}

/// Every closed-off measure of the campaign, campus-wide (the 组织部's sampling), by committee
/// and branch. Measures reopened by a 反弹 are no longer closed off and are not listed.
pub async fn closed_off_campus(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Vec<ClosedOff>> {
    sqlx::query_as(&format!(
        "SELECT m.id AS measure_id, m.finding_id, b.id AS branch_id, {} AS branch_name, c.id AS committee_id,
                c.name AS committee_name, m.text, m.owner, m.closed_out_at,
                (SELECT l.outcome FROM look_backs l WHERE l.measure_id = m.id ORDER BY l.id DESC LIMIT 1) AS look_back
         FROM measures m JOIN findings f ON f.id = m.finding_id
         JOIN branches b ON b.id = f.branch_id JOIN committees c ON c.id = b.committee_id
         WHERE f.campaign_id = ? AND m.status = 'closed_out' AND b.active = 1 AND c.active = 1
         ORDER BY c.sort_order, c.id, b.sort_order, b.id, m.closed_out_at, m.id",
        super::units::UNIT_NAME
    ))
    .bind(campaign)
    .fetch_all(pool)
    .await
}
