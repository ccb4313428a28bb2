//! 党总支（党委） and 党支部.

use sqlx::{SqliteConnection, SqlitePool};

use super::audit::Actor;
use super::scope::{BindScope, scoped};
use crate::auth::{Reach, Scope, User};
use crate::domain::{BranchId, CampaignId, CommitteeId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommitteeRow {
    pub id: CommitteeId,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BranchRow {
    pub id: BranchId,
    pub name: String,
    pub committee_id: CommitteeId,
    pub committee_name: String,
    pub full_member_count: i64,
    pub secretary_name: String,
}

/// A committee, if it exists and the scope covers it.
pub async fn committee(
    conn: impl sqlx::SqliteExecutor<'_>, scope: Scope, id: CommitteeId,
) -> sqlx::Result<Option<CommitteeRow>> {
    if !scope.covers_committee(id) {
        return Ok(None);
    }
    sqlx::query_as("SELECT id, name FROM committees WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The active committees a scope can see, in the 组织部's order: every one for the campus,
/// its own for a reviewer, none for a secretary.
pub async fn committees(pool: &SqlitePool, scope: Scope) -> sqlx::Result<Vec<CommitteeRow>> {
    let only = match scope.reach() {
        Reach::Campus => None,
        Reach::Committee(c) => Some(c),
        Reach::Branch(_) => return Ok(Vec::new()),
    };
    sqlx::query_as(
        "SELECT c.id, c.name FROM committees c WHERE c.active = 1 AND (?1 IS NULL OR c.id = ?1)
         ORDER BY c.sort_order, c.id",
    )
    .bind(only)
    .fetch_all(pool)
    .await
}

/// A branch, if it exists and is within the scope.
pub async fn branch(
    conn: impl sqlx::SqliteExecutor<'_>, scope: Scope, id: BranchId,
) -> sqlx::Result<Option<BranchRow>> {
    sqlx::query_as(&scoped(
        "SELECT b.id, b.name, b.committee_id, c.name AS committee_name, b.full_member_count, b.secretary_name
         FROM branches b JOIN committees c ON c.id = b.committee_id
         WHERE b.id = ?3 AND b.id IN (SELECT id FROM scoped)",
    ))
    .bind_scope(scope)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The branch `id` and an actor for changing its rows in the current campaign: `None` unless
/// the user's scope covers the branch (and a campaign is current). Read in the write
/// transaction, so the check and the change see the same rows.
pub async fn actor(
    conn: &mut SqliteConnection, user: &User, id: BranchId,
) -> sqlx::Result<Option<(BranchRow, CampaignId, Actor)>> {
    let Some(branch) = branch(&mut *conn, user.scope(), id).await? else {
        return Ok(None);
    };
    let campaign: Option<CampaignId> = sqlx::query_scalar("SELECT id FROM campaigns WHERE is_current = 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(campaign.map(|c| {
        let actor = Actor::new(user.id(), branch.id, c);
        (branch, c, actor)
    }))
}

pub async fn insert_committee(conn: &mut SqliteConnection, name: &str, sort_order: i64) -> sqlx::Result<CommitteeId> {
    let id: i64 = sqlx::query_scalar("INSERT INTO committees (name, sort_order) VALUES (?, ?) RETURNING id")
        .bind(name)
        .bind(sort_order)
        .fetch_one(conn)
        .await?;
    Ok(CommitteeId(id))
}

pub struct NewBranch<'a> {
    pub committee_id: CommitteeId,
    pub name: &'a str,
    pub full_member_count: i64,
    pub secretary_name: &'a str,
    pub sort_order: i64,
}

pub async fn insert_branch(conn: &mut SqliteConnection, b: &NewBranch<'_>) -> sqlx::Result<BranchId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO branches (committee_id, name, full_member_count, secretary_name, sort_order)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(b.committee_id)
    .bind(b.name)
    .bind(b.full_member_count)
    .bind(b.secretary_name)
    .bind(b.sort_order)
    .fetch_one(conn)
    .await?;
    Ok(BranchId(id))
}

/// Whether the campus has no units and no accounts yet (only the schema and the ledger, as after
/// a first `serve`): the one state `seed-demo` may fill.
pub async fn campus_is_empty(pool: &SqlitePool) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM committees) + (SELECT COUNT(*) FROM branches) + (SELECT COUNT(*) FROM users)",
    )
    .fetch_one(pool)
    .await?;
    Ok(n == 0)
}

pub async fn committee_exists(pool: &SqlitePool, id: CommitteeId) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM committees WHERE id = ?)")
        .bind(id)
        .fetch_one(pool)
        .await
}

pub async fn branch_exists(pool: &SqlitePool, id: BranchId) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM branches WHERE id = ?)")
        .bind(id)
        .fetch_one(pool)
        .await
}
