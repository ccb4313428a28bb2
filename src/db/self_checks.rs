//! 对账查摆 answers: one per branch and ledger item.

use crate::domain::history::AuditAction;
use serde::Serialize;
use sqlx::SqliteConnection;

use super::Stale;
use super::audit::{self, Actor};
use super::review::ReturnMark;
use crate::domain::input::VerdictInput;
use crate::domain::states::{ReviewState, Verdict};
use crate::domain::units::Level;
use crate::domain::{BranchId, CampaignId, CategoryId, LedgerItemId, UserId};

/// The answer as it is stored and as the audit trail shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Answer {
    #[serde(skip)]
    pub id: i64,
    pub verdict: Verdict,
    pub reason: String,
    #[serde(skip)]
    pub version: i64,
}

pub async fn get(conn: &mut SqliteConnection, branch: BranchId, item: LedgerItemId) -> sqlx::Result<Option<Answer>> {
    sqlx::query_as("SELECT id, verdict, reason, version FROM self_checks WHERE branch_id = ? AND ledger_item_id = ?")
        .bind(branch)
        .bind(item)
        .fetch_optional(conn)
        .await
}

/// The version of the branch's saved answer to `item` (0: unanswered), for a form shown again
/// after a stale save.
pub async fn version_of(pool: &sqlx::SqlitePool, branch: BranchId, item: LedgerItemId) -> sqlx::Result<i64> {
    let v: Option<i64> =
        sqlx::query_scalar("SELECT version FROM self_checks WHERE branch_id = ? AND ledger_item_id = ?")
            .bind(branch)
            .bind(item)
            .fetch_optional(pool)
            .await?;
    Ok(v.unwrap_or(0))
}

/// Where `item` is in the campaign's ledger: its category and who answers it; `None` if it is not
/// in this campaign's ledger (an id from a URL must not reach another's).
pub async fn item_in_campaign(
    conn: &mut SqliteConnection, item: LedgerItemId, campaign: CampaignId,
) -> sqlx::Result<Option<(CategoryId, Level)>> {
    sqlx::query_as(
        "SELECT i.category_id, i.level FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id
         WHERE i.id = ? AND c.campaign_id = ?",
    )
    .bind(item)
    .bind(campaign)
    .fetch_optional(conn)
    .await
}

/// Saves an answer the user saw at `seen_version` (0 = unanswered when they looked).
pub async fn set(
    conn: &mut SqliteConnection, actor: Actor, item: LedgerItemId, seen_version: i64, input: &VerdictInput,
) -> sqlx::Result<Result<(), Stale>> {
    let before = get(conn, actor.branch_id, item).await?;
    let id = match &before {
        None if seen_version == 0 => {
            insert(conn, actor.branch_id, item, input.verdict, &input.reason, actor.user_id).await?
        }
        Some(b) if b.version == seen_version => {
            sqlx::query(
                "UPDATE self_checks SET verdict = ?, reason = ?, updated_by = ?, updated_at = datetime('now'),
                                        version = version + 1
                 WHERE id = ? AND version = ?",
            )
            .bind(input.verdict)
            .bind(&input.reason)
            .bind(actor.user_id)
            .bind(b.id)
            .bind(seen_version)
            .execute(&mut *conn)
            .await?;
            b.id
        }
        _ => return Ok(Err(Stale)),
    };
    let after = Answer {
        id,
        verdict: input.verdict,
        reason: input.reason.clone(),
        version: 0,
    };
    let mut entry = actor.entry(AuditAction::SelfCheckSet, id, None).after(&after);
    if let Some(b) = &before {
        entry = entry.before(b);
    }
    audit::record(conn, &entry).await?;
    Ok(Ok(()))
}

/// Inserts an answer without checks or audit (the demo campus; `set` for users).
pub async fn insert(
    conn: &mut SqliteConnection, branch: BranchId, item: LedgerItemId, verdict: Verdict, reason: &str, by: UserId,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO self_checks (branch_id, ledger_item_id, verdict, reason, updated_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(branch)
    .bind(item)
    .bind(verdict)
    .bind(reason)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// The level above returns the answer to `item` (`Some(comment)`: 查摆不到位) or takes its return
/// back (`None`), as seen at `seen_version`.
pub async fn review(
    conn: &mut SqliteConnection, actor: Actor, item: LedgerItemId, seen_version: i64, returned: Option<&str>,
) -> sqlx::Result<Result<(), Stale>> {
    let before: Option<(i64, ReviewState, String)> = sqlx::query_as(
        "SELECT id, review_state, review_comment FROM self_checks WHERE branch_id = ? AND ledger_item_id = ?",
    )
    .bind(actor.branch_id)
    .bind(item)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, state_before, comment_before)) = before else {
        return Ok(Err(Stale));
    };
    let mark = ReturnMark::of(returned);
    let done = sqlx::query(
        "UPDATE self_checks SET review_state = ?, review_comment = ?, reviewed_by = ?, reviewed_at = datetime('now'),
                                version = version + 1
         WHERE id = ? AND version = ?",
    )
    .bind(mark.review_state)
    .bind(mark.review_comment)
    .bind(actor.user_id)
    .bind(id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 0 {
        return Ok(Err(Stale));
    }
    let before = ReturnMark {
        review_state: state_before,
        review_comment: &comment_before,
    };
    mark.record(conn, actor, AuditAction::SelfCheckReview, id, before)
        .await?;
    Ok(Ok(()))
}

/// How many answers of the branch in the campaign are returned (for the review's rules).
pub async fn returned_count(conn: &mut SqliteConnection, branch: BranchId, campaign: CampaignId) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM self_checks sc JOIN ledger_items i ON i.id = sc.ledger_item_id
         JOIN ledger_categories c ON c.id = i.category_id
         WHERE sc.branch_id = ? AND c.campaign_id = ? AND sc.review_state = 'returned'",
    )
    .bind(branch)
    .bind(campaign)
    .fetch_one(conn)
    .await
}
