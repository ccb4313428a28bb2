//! 专项行动 and their phase dates.

use sqlx::SqlitePool;
use time::Date;

use crate::domain::CampaignId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Campaign {
    pub id: CampaignId,
    pub title: String,
    pub doc_number: String,
    pub issued_on: Date,
    pub self_check_due: Date,
    pub report_due: Date,
    pub rectify_due: Date,
    pub results_due: Date,
    pub is_current: bool,
}

const COLUMNS: &str =
    "id, title, doc_number, issued_on, self_check_due, report_due, rectify_due, results_due, is_current";

pub async fn current(pool: &SqlitePool) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE is_current = 1"))
        .fetch_optional(pool)
        .await
}

pub async fn by_id(pool: &SqlitePool, id: CampaignId) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The campaign a page shows: the one asked for with `?campaign=ID`, else the current one.
pub async fn resolve(pool: &SqlitePool, asked: Option<CampaignId>) -> sqlx::Result<Option<Campaign>> {
    match asked {
        Some(id) => by_id(pool, id).await,
        None => current(pool).await,
    }
}
