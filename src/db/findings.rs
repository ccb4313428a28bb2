//! 查摆问题: findings of a branch in a campaign.

use crate::domain::history::AuditAction;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::Stale;
use super::audit::{self, Actor};
use super::scope::scoped_row;
use crate::auth::Scope;
use crate::domain::states::{FindingSource, ReviewState};
use crate::domain::{BranchId, CampaignId, CategoryId, FindingId, LedgerItemId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Finding {
    pub id: FindingId,
    pub branch_id: BranchId,
    pub campaign_id: CampaignId,
    pub category_id: CategoryId,
    pub ledger_item_id: Option<LedgerItemId>,
    pub text: String,
    pub source: FindingSource,
    pub review_state: ReviewState,
    pub review_comment: String,
    /// On a signed-off ledger, a 督查发现 handed in on its own (migration 000022), not yet decided.
    pub handed_in: bool,
    pub version: i64,
}

impl Finding {
    /// Its place in review, for domain::inspection's rules.
    pub fn row(&self) -> crate::domain::inspection::Row {
        crate::domain::inspection::Row {
            source: self.source,
            review: self.review_state,
            handed_in: self.handed_in,
        }
    }
}

/// A finding's source as readers name it: a finding an inspection raised is 督查发现 (its stored
/// `source` predates that word; migration 000022).
#[macro_export]
macro_rules! finding_source {
    ($f:literal) => {
        concat!(
            "CASE WHEN ",
            $f,
            ".inspection_id IS NOT NULL THEN 'inspection' ELSE ",
            $f,
            ".source END"
        )
    };
}

/// What the audit trail keeps of a finding.
#[derive(Serialize)]
struct Snapshot<'a> {
    text: &'a str,
}

macro_rules! columns {
    () => {
        concat!(
            "f.id, f.branch_id, f.campaign_id, f.category_id, f.ledger_item_id, f.text, ",
            $crate::finding_source!("f"),
            " AS source, f.review_state, f.review_comment, f.handed_in_at IS NOT NULL AS handed_in, f.version"
        )
    };
}

const COLUMNS: &str = columns!();

/// One row by id within the scope (see super::scope::scoped_row).
const FIND: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM findings f
         WHERE f.id = ?3 AND f.branch_id IN (SELECT id FROM scoped) AND (?4 IS NULL OR f.branch_id = ?4)"
);

/// A finding, if it is within the scope.
pub async fn get(pool: &SqlitePool, scope: Scope, id: FindingId) -> sqlx::Result<Option<Finding>> {
    scoped_row(pool, scope, FIND, id.0, None).await
}

/// The same, only if it belongs to `branch`.
pub async fn of_branch(
    pool: &SqlitePool, scope: Scope, branch: BranchId, id: FindingId,
) -> sqlx::Result<Option<Finding>> {
    scoped_row(pool, scope, FIND, id.0, Some(branch)).await
}

/// A finding of the actor's branch (already scope-checked) in the actor's campaign, read inside a
/// write transaction: a past campaign's rows are never found for changing.
pub async fn get_of_branch(conn: &mut SqliteConnection, at: Actor, id: FindingId) -> sqlx::Result<Option<Finding>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM findings f WHERE f.id = ? AND f.branch_id = ? AND f.campaign_id = ?"
    ))
    .bind(id)
    .bind(at.branch_id)
    .bind(at.campaign_id)
    .fetch_optional(conn)
    .await
}

/// Whether `category` is in the campaign's ledger.
pub async fn category_in_campaign(
    conn: &mut SqliteConnection, campaign: CampaignId, category: CategoryId,
) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM ledger_categories WHERE id = ? AND campaign_id = ?)")
        .bind(category)
        .bind(campaign)
        .fetch_one(conn)
        .await
}

/// How many findings the branch has under `item`.
pub async fn count_under_item(conn: &mut SqliteConnection, branch: BranchId, item: LedgerItemId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE branch_id = ? AND ledger_item_id = ?")
        .bind(branch)
        .bind(item)
        .fetch_one(conn)
        .await
}

/// Adds a finding at the end of its category and records it.
pub async fn create(
    conn: &mut SqliteConnection, actor: Actor, campaign: CampaignId, category: CategoryId, item: Option<LedgerItemId>,
    text: &str, source: FindingSource,
) -> sqlx::Result<FindingId> {
    let position: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM findings WHERE branch_id = ? AND campaign_id = ? AND category_id = ?",
    )
    .bind(actor.branch_id)
    .bind(campaign)
    .bind(category)
    .fetch_one(&mut *conn)
    .await?;
    let id = insert(
        conn,
        &NewFinding {
            branch_id: actor.branch_id,
            campaign_id: campaign,
            category_id: category,
            ledger_item_id: item,
            position,
            text,
            created_by: actor.user_id,
            source,
        },
    )
    .await?;
    let action = if source == FindingSource::Imported {
        AuditAction::FindingImport
    } else {
        AuditAction::FindingCreate
    };
    audit::record(conn, &actor.entry(action, id.0, Some(id)).after(&Snapshot { text })).await?;
    Ok(id)
}

/// A finding the committee approved goes back to 待审核 when the branch changes it or its
/// measures' plan: a sign-off must never cover text nobody reviewed.
pub async fn unapprove(conn: &mut SqliteConnection, finding: FindingId) -> sqlx::Result<()> {
    sqlx::query("UPDATE findings SET review_state = 'pending', version = version + 1 WHERE id = ? AND review_state = 'approved'")
        .bind(finding)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the text of a finding the user saw at `seen_version` (an approval lapses).
pub async fn update_text(
    conn: &mut SqliteConnection, actor: Actor, before: &Finding, seen_version: i64, text: &str,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE findings SET text = ?, updated_at = datetime('now'), version = version + 1,
                             review_state = CASE WHEN review_state = 'approved' THEN 'pending' ELSE review_state END
         WHERE id = ? AND branch_id = ? AND version = ?",
    )
    .bind(text)
    .bind(before.id)
    .bind(actor.branch_id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let entry = actor
        .entry(AuditAction::FindingUpdate, before.id.0, Some(before.id))
        .before(&Snapshot { text: &before.text })
        .after(&Snapshot { text });
    audit::record(conn, &entry).await?;
    Ok(Ok(()))
}

/// How many measures a finding has, and how many of them are closed off (已销号).
pub async fn measure_counts(conn: &mut SqliteConnection, finding: FindingId) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(status = 'closed_out'), 0) FROM measures WHERE finding_id = ?")
        .bind(finding)
        .fetch_one(conn)
        .await
}

/// Deletes a finding (and its measures and their evidence) the user saw at `seen_version`. Each
/// measure's deletion is recorded too, so nothing leaves the audit trail unnoticed.
pub async fn delete(
    conn: &mut SqliteConnection, actor: Actor, before: &Finding, seen_version: i64,
) -> sqlx::Result<Result<(), Stale>> {
    let measures: Vec<i64> = sqlx::query_scalar("SELECT id FROM measures WHERE finding_id = ?")
        .bind(before.id)
        .fetch_all(&mut *conn)
        .await?;
    for m in measures {
        if let Some(m) = super::measures::get_of_branch(conn, actor, crate::domain::MeasureId(m)).await? {
            super::measures::record_deletion(conn, actor, &m).await?;
        }
    }
    let done = sqlx::query("DELETE FROM findings WHERE id = ? AND branch_id = ? AND version = ?")
        .bind(before.id)
        .bind(actor.branch_id)
        .bind(seen_version)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let entry = actor
        .entry(AuditAction::FindingDelete, before.id.0, Some(before.id))
        .before(&Snapshot { text: &before.text });
    audit::record(conn, &entry).await?;
    Ok(Ok(()))
}

#[derive(Debug)]
pub struct NewFinding<'a> {
    pub branch_id: BranchId,
    pub campaign_id: CampaignId,
    pub category_id: CategoryId,
    pub ledger_item_id: Option<LedgerItemId>,
    pub position: i64,
    pub text: &'a str,
    pub created_by: UserId,
    pub source: FindingSource,
}

/// Inserts a finding without checks or audit (the demo campus; `create` for users).
pub async fn insert(conn: &mut SqliteConnection, f: &NewFinding<'_>) -> sqlx::Result<FindingId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO findings (branch_id, campaign_id, category_id, ledger_item_id, position, text, created_by, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(f.branch_id)
    .bind(f.campaign_id)
    .bind(f.category_id)
    .bind(f.ledger_item_id)
    .bind(f.position)
    .bind(f.text)
    .bind(f.created_by)
    .bind(f.source)
    .fetch_one(conn)
    .await?;
    Ok(FindingId(id))
}

/// Records a reviewer's verdict on a finding (已通过, or 已退回 with a comment).
pub async fn set_review(
    conn: &mut SqliteConnection, finding: FindingId, state: ReviewState, comment: &str, by: UserId,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE findings SET review_state = ?, review_comment = ?, reviewed_by = ?, reviewed_at = datetime('now'),
                             version = version + 1
         WHERE id = ?",
    )
    .bind(state)
    .bind(comment)
    .bind(by)
    .bind(finding)
    .execute(conn)
    .await?;
    Ok(())
}
