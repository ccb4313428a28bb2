//! Evidence files of 销号 requests, stored in the database (so backups hold them) and read only
//! within scope.

use crate::domain::history::AuditAction;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::audit::{self, Actor};
use super::measures::Measure;
use super::scope::{BindScope, scoped};
use crate::auth::Scope;
use crate::domain::{BranchId, CampaignId, EvidenceId, MeasureId};

/// An evidence file without its bytes, for lists.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EvidenceMeta {
    #[serde(skip)]
    pub id: EvidenceId,
    #[serde(skip)]
    pub measure_id: MeasureId,
    pub file_name: String,
    #[serde(skip)]
    pub content_type: String,
    #[serde(skip)]
    pub size: i64,
}

impl EvidenceMeta {
    /// "860 字节", "35 KB", "2.4 MB".
    pub fn size_label(&self) -> String {
        crate::domain::evidence::size_label(self.size)
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct EvidenceFile {
    pub file_name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// Stores a file already checked by domain::evidence (type sniffed, size limited, name cleaned).
pub async fn add(
    conn: &mut SqliteConnection, actor: Actor, measure: &Measure, file_name: &str, content_type: &str, data: &[u8],
) -> sqlx::Result<EvidenceId> {
    let id = insert_file(
        conn,
        actor,
        ("evidence", "measure_id", measure.id.0),
        file_name,
        content_type,
        data,
    )
    .await?;
    let meta = EvidenceMeta {
        id: EvidenceId(id),
        measure_id: measure.id,
        file_name: file_name.into(),
        content_type: content_type.into(),
        size: data.len() as i64,
    };
    audit::record(
        conn,
        &actor
            .entry(AuditAction::EvidenceAdd, id, Some(measure.finding_id))
            .after(&meta),
    )
    .await?;
    Ok(EvidenceId(id))
}

/// Inserts an uploaded file into `table` under the actor's unit and the owning row (`table`'s
/// column naming it, and its id); the evidence and meeting-record tables share this shape.
pub(super) async fn insert_file(
    conn: &mut SqliteConnection, actor: Actor, (table, owner_column, owner): (&str, &str, i64), file_name: &str,
    content_type: &str, data: &[u8],
) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "INSERT INTO {table} ({owner_column}, branch_id, file_name, content_type, size, data, uploaded_by)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"
    ))
    .bind(owner)
    .bind(actor.branch_id)
    .bind(file_name)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(data)
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await
}

pub async fn count_for_measure(conn: &mut SqliteConnection, measure: MeasureId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM evidence WHERE measure_id = ?")
        .bind(measure)
        .fetch_one(conn)
        .await
}

/// The evidence of all of a branch's measures in a campaign (without bytes).
pub async fn of_branch(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Vec<EvidenceMeta>> {
    sqlx::query_as(&scoped(
        "SELECT e.id, e.measure_id, e.file_name, e.content_type, e.size
         FROM evidence e
         JOIN measures m ON m.id = e.measure_id
         JOIN findings f ON f.id = m.finding_id
         WHERE e.branch_id = ?3 AND f.campaign_id = ?4 AND e.branch_id IN (SELECT id FROM scoped)
         ORDER BY e.id",
    ))
    .bind_scope(scope)
    .bind(branch)
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// The evidence of `measures` (the 销号 queue's requests) that the scope covers, by measure.
pub async fn of_measures(
    pool: &SqlitePool, scope: Scope, measures: &[MeasureId],
) -> sqlx::Result<std::collections::HashMap<MeasureId, Vec<EvidenceMeta>>> {
    let ids = serde_json::to_string(&measures.iter().map(|m| m.0).collect::<Vec<_>>()).unwrap_or_default();
    let rows: Vec<EvidenceMeta> = sqlx::query_as(&scoped(
        "SELECT e.id, e.measure_id, e.file_name, e.content_type, e.size
         FROM evidence e
         WHERE e.measure_id IN (SELECT value FROM json_each(?3)) AND e.branch_id IN (SELECT id FROM scoped)
         ORDER BY e.id",
    ))
    .bind_scope(scope)
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let mut by_measure: std::collections::HashMap<MeasureId, Vec<EvidenceMeta>> = Default::default();
    for e in rows {
        by_measure.entry(e.measure_id).or_default().push(e);
    }
    Ok(by_measure)
}

/// A file to download, if it belongs to `branch` and the scope covers that branch.
pub async fn file(
    pool: &SqlitePool, scope: Scope, branch: BranchId, id: EvidenceId,
) -> sqlx::Result<Option<EvidenceFile>> {
    stored_file(pool, scope, branch, "evidence", id.0).await
}

/// A file kept in `table` (evidence, a meeting record's files, progress entries), if it belongs to
/// `branch` and the scope covers that branch. A row without a file answers as missing.
pub(super) async fn stored_file(
    pool: &SqlitePool, scope: Scope, branch: BranchId, table: &str, id: i64,
) -> sqlx::Result<Option<EvidenceFile>> {
    let sql = format!(
        "SELECT e.file_name, e.content_type, e.data FROM {table} e
         WHERE e.id = ?3 AND e.branch_id = ?4 AND e.branch_id IN (SELECT id FROM scoped) AND e.data IS NOT NULL"
    );
    super::scope::scoped_row(pool, scope, &sql, id, Some(branch)).await
}

/// Removes a file of a measure the branch may still change.
pub async fn delete(
    conn: &mut SqliteConnection, actor: Actor, measure: &Measure, id: EvidenceId,
) -> sqlx::Result<bool> {
    let meta: Option<EvidenceMeta> = sqlx::query_as(
        "SELECT id, measure_id, file_name, content_type, size FROM evidence WHERE id = ? AND measure_id = ? AND branch_id = ?",
    )
    .bind(id)
    .bind(measure.id)
    .bind(actor.branch_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(meta) = meta else { return Ok(false) };
    sqlx::query("DELETE FROM evidence WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        &actor
            .entry(AuditAction::EvidenceDelete, id.0, Some(measure.finding_id))
            .before(&meta),
    )
    .await?;
    Ok(true)
}
