//! The audit trail: who changed what, when, before and after.

use serde::Serialize;
use sqlx::SqliteConnection;

use crate::domain::{BranchId, CommitteeId, UserId};

pub struct Entry<'a> {
    pub user_id: Option<UserId>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub committee_id: Option<CommitteeId>,
    pub branch_id: Option<BranchId>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    /// An entry about a user's own account (login, password change).
    pub fn account(user_id: UserId, action: &'a str) -> Self {
        Entry {
            user_id: Some(user_id),
            action,
            entity: "users",
            entity_id: Some(user_id.0),
            committee_id: None,
            branch_id: None,
            before: None,
            after: None,
        }
    }
}

pub async fn record(conn: &mut SqliteConnection, e: &Entry<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, committee_id, branch_id, before_json, after_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.user_id)
    .bind(e.action)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.committee_id)
    .bind(e.branch_id)
    .bind(e.before.as_ref().map(|v| v.to_string()))
    .bind(e.after.as_ref().map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Serialises a row snapshot for before/after.
pub fn snapshot(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}
