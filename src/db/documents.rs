//! The campaign's reference documents (migration 000013): kept by the 组织部, read by every
//! user of the campus. Files live in the database, so backups hold them.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::audit::{self, Entry};
use super::evidence::EvidenceFile;
use crate::domain::documents::{Document, Source};
use crate::domain::history::AuditAction;
use crate::domain::{CampaignId, UserId};

/// A document without its bytes, for lists.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentMeta {
    #[serde(skip)]
    pub id: i64,
    pub title: String,
    pub doc_number: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    #[serde(skip)]
    pub size: Option<i64>,
}

impl DocumentMeta {
    /// Where users open it: the link, or the download route.
    pub fn href(&self) -> String {
        match &self.url {
            Some(u) => u.clone(),
            None => format!("/documents/{}", self.id),
        }
    }

    pub fn size_label(&self) -> String {
        self.size.map(crate::domain::evidence::size_label).unwrap_or_default()
    }
}

const META: &str = "SELECT id, title, doc_number, url, file_name, size FROM campaign_documents";

/// A campaign's documents, in the 组织部's order.
pub async fn list(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Vec<DocumentMeta>> {
    sqlx::query_as(&format!("{META} WHERE campaign_id = ? ORDER BY sort_order, id"))
        .bind(campaign)
        .fetch_all(pool)
        .await
}

/// A document's file, to download (every user of the campus may read the campaign's documents).
/// Named by its title with the file's extension ("评星定级管理实施办法.pdf").
pub async fn file(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<EvidenceFile>> {
    let row: Option<(String, String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT title, file_name, content_type, data FROM campaign_documents WHERE id = ? AND data IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(title, file_name, content_type, data)| {
        let ext = file_name.rsplit_once('.').map_or("pdf", |(_, e)| e).to_string();
        EvidenceFile {
            file_name: crate::domain::evidence::clean_file_name(&format!("{title}.{ext}"), &content_type),
            content_type,
            data,
        }
    }))
}

pub async fn add(conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, d: &Document) -> sqlx::Result<i64> {
    let (url, file) = match &d.source {
        Source::Link(u) => (Some(u.as_str()), None),
        Source::File {
            name,
            content_type,
            bytes,
        } => (None, Some((name.as_str(), *content_type, bytes.as_slice()))),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO campaign_documents (campaign_id, title, doc_number, url, file_name, content_type, size, data,
                                         sort_order, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                 (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM campaign_documents WHERE campaign_id = ?1), ?9)
         RETURNING id",
    )
    .bind(campaign)
    .bind(&d.title)
    .bind(&d.doc_number)
    .bind(url)
    .bind(file.map(|f| f.0))
    .bind(file.map(|f| f.1))
    .bind(file.map(|f| f.2.len() as i64))
    .bind(file.map(|f| f.2))
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    let meta = get(conn, id).await?;
    audit::record(conn, &Entry::new(by, AuditAction::DocumentAdd, id).after(&meta)).await?;
    Ok(id)
}

async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<DocumentMeta>> {
    sqlx::query_as(&format!("{META} WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Removes a document of the campaign; false if there is none.
pub async fn delete(conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, id: i64) -> sqlx::Result<bool> {
    let Some(meta) = get(conn, id).await? else {
        return Ok(false);
    };
    let done = sqlx::query("DELETE FROM campaign_documents WHERE id = ? AND campaign_id = ?")
        .bind(id)
        .bind(campaign)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    audit::record(conn, &Entry::new(by, AuditAction::DocumentDelete, id).before(&meta)).await?;
    Ok(true)
}

/// A new campaign keeps the documents of the one it was copied from.
pub async fn copy(conn: &mut SqliteConnection, from: CampaignId, to: CampaignId) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO campaign_documents (campaign_id, title, doc_number, url, file_name, content_type, size, data,
                                         sort_order, created_by)
         SELECT ?2, title, doc_number, url, file_name, content_type, size, data, sort_order, created_by
         FROM campaign_documents WHERE campaign_id = ?1",
    )
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(())
}
