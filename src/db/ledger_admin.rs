//! Keeping a campaign's 问题台账 (categories and items): editable only until the first unit
//! answers or records a finding, so answers never point at changed text.

use crate::domain::history::AuditAction;
use sqlx::SqliteConnection;

use super::Stale;
use super::audit::{self, Entry};
use crate::domain::units::Level;
use crate::domain::{CampaignId, CategoryId, LedgerItemId, UserId};

/// Whether any branch has used the ledger (an answer or a finding): then it is locked.
pub async fn in_use(conn: &mut SqliteConnection, campaign: CampaignId) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM self_checks sc JOIN ledger_items i ON i.id = sc.ledger_item_id
                        JOIN ledger_categories c ON c.id = i.category_id WHERE c.campaign_id = ?1)
             OR EXISTS (SELECT 1 FROM findings WHERE campaign_id = ?1)",
    )
    .bind(campaign)
    .fetch_one(conn)
    .await
}

/// `Ok(false)`: no such category in the campaign; `Err(Stale)` inside: changed since seen.
pub async fn set_category_title(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, id: CategoryId, seen_version: i64, title: &str,
) -> sqlx::Result<Result<bool, Stale>> {
    let before: Option<String> =
        sqlx::query_scalar("SELECT title FROM ledger_categories WHERE id = ? AND campaign_id = ?")
            .bind(id)
            .bind(campaign)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(before) = before else { return Ok(Ok(false)) };
    let done =
        sqlx::query("UPDATE ledger_categories SET title = ?, version = version + 1 WHERE id = ? AND version = ?")
            .bind(title)
            .bind(id)
            .bind(seen_version)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = Entry::new(by, AuditAction::LedgerCategory, id.0)
        .before(&serde_json::json!({ "title": before }))
        .after(&serde_json::json!({ "title": title }));
    audit::record(conn, &e).await?;
    Ok(Ok(true))
}

/// The item, if it belongs to the campaign: (category, position, text).
async fn item(
    conn: &mut SqliteConnection, campaign: CampaignId, id: LedgerItemId,
) -> sqlx::Result<Option<(CategoryId, i64, String)>> {
    sqlx::query_as(
        "SELECT i.category_id, i.position, i.text FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id
         WHERE i.id = ? AND c.campaign_id = ?",
    )
    .bind(id)
    .bind(campaign)
    .fetch_optional(conn)
    .await
}

/// What the 组织部 changes on an item: its text, or who answers it (every branch, or each
/// committee for itself).
pub enum ItemField<'a> {
    Text(&'a str),
    Level(Level),
}

/// Changes one field of an item seen at `seen_version`. `Ok(false)`: no such item in the
/// campaign; `Err(Stale)` inside: changed since seen.
pub async fn set_item(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, id: LedgerItemId, seen_version: i64,
    field: ItemField<'_>,
) -> sqlx::Result<Result<bool, Stale>> {
    if item(conn, campaign, id).await?.is_none() {
        return Ok(Ok(false));
    }
    // Both are stored as text (a level as its code), so one statement serves both.
    let (column, value) = match field {
        ItemField::Text(t) => ("text", t.to_string()),
        ItemField::Level(l) => ("level", l.code().to_string()),
    };
    let before: String = sqlx::query_scalar(&format!("SELECT {column} FROM ledger_items WHERE id = ?"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let done = sqlx::query(&format!(
        "UPDATE ledger_items SET {column} = ?, version = version + 1 WHERE id = ? AND version = ?"
    ))
    .bind(&value)
    .bind(id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = Entry::new(by, AuditAction::LedgerItem, id.0)
        .before(&serde_json::json!({ column: before }))
        .after(&serde_json::json!({ column: value }));
    audit::record(conn, &e).await?;
    Ok(Ok(true))
}

/// Moves an item one place up (-1) or down (+1) within its category, swapping with its
/// neighbour (through a free position, as (category, position) is unique).
pub async fn move_item(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, id: LedgerItemId, step: i64,
) -> sqlx::Result<bool> {
    let Some((category, position, _)) = item(conn, campaign, id).await? else {
        return Ok(false);
    };
    let neighbour: Option<i64> =
        sqlx::query_scalar("SELECT id FROM ledger_items WHERE category_id = ? AND position = ?")
            .bind(category)
            .bind(position + step)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(neighbour) = neighbour else { return Ok(true) };
    // Through a position no item has (positions are CHECKed positive).
    const PARKED: i64 = 1_000_000;
    for (row, to) in [(id.0, PARKED), (neighbour, position), (id.0, position + step)] {
        sqlx::query("UPDATE ledger_items SET position = ?, version = version + 1 WHERE id = ?")
            .bind(to)
            .bind(row)
            .execute(&mut *conn)
            .await?;
    }
    audit::record(
        conn,
        &Entry::new(by, AuditAction::LedgerItemMove, id.0).after(&serde_json::json!({ "position": position + step })),
    )
    .await?;
    Ok(true)
}

pub async fn add_item(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, category: CategoryId, text: &str,
) -> sqlx::Result<bool> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM ledger_categories WHERE id = ? AND campaign_id = ?)")
            .bind(category)
            .bind(campaign)
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        return Ok(false);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ledger_items (category_id, position, text)
         VALUES (?1, (SELECT COALESCE(MAX(position), 0) + 1 FROM ledger_items WHERE category_id = ?1), ?2) RETURNING id",
    )
    .bind(category)
    .bind(text)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        &Entry::new(by, AuditAction::LedgerItemAdd, id).after(&serde_json::json!({ "text": text })),
    )
    .await?;
    Ok(true)
}

/// Deletes an item and closes the gap in its category's numbering.
pub async fn delete_item(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, id: LedgerItemId,
) -> sqlx::Result<bool> {
    let Some((category, position, text)) = item(conn, campaign, id).await? else {
        return Ok(false);
    };
    sqlx::query("DELETE FROM ledger_items WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let later: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM ledger_items WHERE category_id = ? AND position > ? ORDER BY position")
            .bind(category)
            .bind(position)
            .fetch_all(&mut *conn)
            .await?;
    for row in later {
        sqlx::query("UPDATE ledger_items SET position = position - 1 WHERE id = ?")
            .bind(row)
            .execute(&mut *conn)
            .await?;
    }
    audit::record(
        conn,
        &Entry::new(by, AuditAction::LedgerItemDelete, id.0).before(&serde_json::json!({ "text": text })),
    )
    .await?;
    Ok(true)
}
