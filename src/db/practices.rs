//! 典型做法 (migration 000020): written up by a unit, promoted (推广) by the 组织部. Everyone reads
//! the promoted ones; a unit's own, and those in a reviewer's committee, are read within scope.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::audit::{self, Actor, Entry};
use super::scope::{BindScope, scoped};
use crate::auth::Scope;
use crate::domain::history::AuditAction;
use crate::domain::practices::PracticeInput;
use crate::domain::{BranchId, CampaignId, CategoryId, MeasureId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PracticeRow {
    pub id: i64,
    pub branch_id: BranchId,
    /// "committee · unit"
    pub who: String,
    pub category_title: Option<String>,
    pub title: String,
    pub text: String,
    #[sqlx(flatten)]
    pub grew_from: GrewFrom,
    pub created_at: String,
    pub promoted_at: Option<String>,
    pub version: i64,
}

/// What a practice points to: the measures it grew from, and its attachments.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrewFrom {
    /// The measures, one per line.
    pub measures: String,
    /// The attachments: "id:name" per line.
    pub files: String,
}

/// The campaign's practices the scope may read: every promoted one, and (not yet promoted) those
/// of units in the scope. Promoted first; by ledger category, those of none last; newest first.
pub async fn visible(pool: &SqlitePool, scope: Scope, campaign: CampaignId) -> sqlx::Result<Vec<PracticeRow>> {
    sqlx::query_as(&scoped(&format!(
        "SELECT p.id, p.branch_id, c.name || ' · ' || {} AS who, lc.title AS category_title, p.title, p.text,
                COALESCE((SELECT GROUP_CONCAT(m.text, char(10)) FROM practice_measures pm JOIN measures m ON m.id = pm.measure_id
                          WHERE pm.practice_id = p.id), '') AS measures,
                COALESCE((SELECT GROUP_CONCAT(pf.id || ':' || pf.file_name, char(10)) FROM practice_files pf
                          WHERE pf.practice_id = p.id), '') AS files,
                p.created_at, p.promoted_at, p.version
         FROM practices p JOIN branches b ON b.id = p.branch_id JOIN committees c ON c.id = b.committee_id
         LEFT JOIN ledger_categories lc ON lc.id = p.category_id
         WHERE p.campaign_id = ?3 AND (p.promoted_at IS NOT NULL OR p.branch_id IN (SELECT id FROM scoped))
         ORDER BY p.promoted_at IS NULL, lc.position IS NULL, lc.position, p.id DESC",
        super::units::UNIT_NAME
    )))
    .bind_scope(scope)
    .bind(campaign)
    .fetch_all(pool)
    .await
}

#[derive(Serialize)]
struct Added<'a> {
    title: &'a str,
    text: &'a str,
}

/// An attachment, if the practice it belongs to is one the scope may read (promoted, or of a
/// unit in the scope).
pub async fn file(pool: &SqlitePool, scope: Scope, id: i64) -> sqlx::Result<Option<super::evidence::EvidenceFile>> {
    sqlx::query_as(&scoped(
        "SELECT pf.file_name, pf.content_type, pf.data FROM practice_files pf JOIN practices p ON p.id = pf.practice_id
         WHERE pf.id = ?3 AND (p.promoted_at IS NOT NULL OR p.branch_id IN (SELECT id FROM scoped))",
    ))
    .bind_scope(scope)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Adds the actor's unit's practice, with the measures (of its own) it grew from and its
/// attachments (checked by domain::evidence).
pub async fn add(
    conn: &mut SqliteConnection, actor: Actor, input: &PracticeInput, category: Option<CategoryId>,
    measures: &[MeasureId], files: &[crate::domain::evidence::Accepted],
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO practices (campaign_id, branch_id, category_id, title, text, created_by)
         VALUES (?, ?, (SELECT id FROM ledger_categories WHERE id = ? AND campaign_id = ?), ?, ?, ?) RETURNING id",
    )
    .bind(actor.campaign_id)
    .bind(actor.branch_id)
    .bind(category)
    .bind(actor.campaign_id)
    .bind(&input.title)
    .bind(&input.text)
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    let ids = serde_json::to_string(&measures.iter().map(|m| m.0).collect::<Vec<_>>()).unwrap_or_default();
    sqlx::query(
        "INSERT INTO practice_measures (practice_id, measure_id)
         SELECT ?, m.id FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE m.id IN (SELECT value FROM json_each(?)) AND f.branch_id = ? AND f.campaign_id = ?",
    )
    .bind(id)
    .bind(ids)
    .bind(actor.branch_id)
    .bind(actor.campaign_id)
    .execute(&mut *conn)
    .await?;
    for f in files {
        let owner = ("practice_files", "practice_id", id);
        super::evidence::insert_file(conn, actor, owner, &f.name, f.content_type, &f.bytes).await?;
    }
    let e = actor.entry(AuditAction::PracticeAdd, id, None).after(&Added {
        title: &input.title,
        text: &input.text,
    });
    audit::record(conn, &e).await?;
    Ok(id)
}

/// Marks a practice of the campaign 推广 (or takes the mark back), as seen at `seen_version`.
/// `None` when there is no such practice; `Some(false)` when it changed meanwhile.
pub async fn set_promoted(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, id: i64, seen_version: i64, promoted: bool,
) -> sqlx::Result<Option<bool>> {
    let branch: Option<BranchId> =
        sqlx::query_scalar("SELECT branch_id FROM practices WHERE id = ? AND campaign_id = ?")
            .bind(id)
            .bind(campaign)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(branch) = branch else {
        return Ok(None);
    };
    let done = sqlx::query(
        "UPDATE practices SET promoted_at = CASE WHEN ? THEN datetime('now') END, promoted_by = CASE WHEN ? THEN ? END,
                              version = version + 1
         WHERE id = ? AND version = ?",
    )
    .bind(promoted)
    .bind(promoted)
    .bind(by)
    .bind(id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Some(false));
    }
    let action = if promoted {
        AuditAction::PracticePromote
    } else {
        AuditAction::PracticeUnpromote
    };
    #[derive(Serialize)]
    struct Promoted {
        promoted: bool,
    }
    let e = Entry::new(by, action, id)
        .branch(branch)
        .before(&Promoted { promoted: !promoted })
        .after(&Promoted { promoted });
    audit::record(conn, &e).await?;
    Ok(Some(true))
}
