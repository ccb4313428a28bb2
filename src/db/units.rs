//! 党总支（党委） and 党支部, and the units with a ledger: every branch, and each committee's own
//! unit (本级, `branches.level = 'committee'`, migration 000010), which answers the committee's
//! own items. The scope (db::scope) holds a committee's own unit with its branches, so that the
//! readers of one unit's rows by id serve both; every list or count *of branches* says
//! `b.level = 'branch'` (progress, queues, exports' branch lists, the admin lists, the charts).

use sqlx::{SqliteConnection, SqlitePool};

use super::audit::Actor;
use super::scope::{BindScope, scoped};
use crate::auth::{Reach, Scope, User};
use crate::domain::units::{Level, Part};
use crate::domain::{BranchId, CampaignId, CommitteeId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommitteeRow {
    pub id: CommitteeId,
    pub name: String,
}

/// A unit with a ledger: a branch, or a committee's own unit (本级, see migration 000010), whose
/// name reads "<committee>（本级）".
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BranchRow {
    pub id: BranchId,
    pub name: String,
    pub level: Level,
    pub committee_id: CommitteeId,
    pub committee_name: String,
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

/// What a unit is called, in SQL over `branches b JOIN committees c`: a branch's name, or
/// "<committee>（本级）" for a committee's own unit.
pub(crate) const UNIT_NAME: &str = "CASE WHEN b.level = 'committee' THEN c.name || '（本级）' ELSE b.name END";

/// A unit (a branch or a committee's own unit), if it exists and is within the scope.
pub async fn branch(
    conn: impl sqlx::SqliteExecutor<'_>, scope: Scope, id: BranchId,
) -> sqlx::Result<Option<BranchRow>> {
    sqlx::query_as(&scoped(&format!(
        "SELECT b.id, {UNIT_NAME} AS name, b.level, b.committee_id, c.name AS committee_name, b.secretary_name
             FROM branches b JOIN committees c ON c.id = b.committee_id
             WHERE b.id = ?3 AND b.id IN (SELECT id FROM scoped)"
    )))
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
    let (Some(campaign), Some(part)) = (campaign, Part::of(user.role(), branch.level)) else {
        return Ok(None);
    };
    let actor = Actor::new(user.id(), branch.id, campaign, part, branch.level);
    Ok(Some((branch, campaign, actor)))
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
    pub secretary_name: &'a str,
    pub sort_order: i64,
}

pub async fn insert_branch(conn: &mut SqliteConnection, b: &NewBranch<'_>) -> sqlx::Result<BranchId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO branches (committee_id, name, secretary_name, sort_order)
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(b.committee_id)
    .bind(b.name)
    .bind(b.secretary_name)
    .bind(b.sort_order)
    .fetch_one(conn)
    .await?;
    Ok(BranchId(id))
}

/// The committee's own unit (本级), if the scope covers the committee.
pub async fn own_unit(
    conn: impl sqlx::SqliteExecutor<'_>, scope: Scope, committee: CommitteeId,
) -> sqlx::Result<Option<BranchRow>> {
    if !scope.covers_committee(committee) {
        return Ok(None);
    }
    sqlx::query_as(&format!(
        "SELECT b.id, {UNIT_NAME} AS name, b.level, b.committee_id, c.name AS committee_name, b.secretary_name
         FROM branches b JOIN committees c ON c.id = b.committee_id
         WHERE b.committee_id = ? AND b.level = 'committee'"
    ))
    .bind(committee)
    .fetch_optional(conn)
    .await
}

/// The id of a committee's own unit, in a write transaction.
pub async fn own_unit_in_tx(conn: &mut SqliteConnection, committee: CommitteeId) -> sqlx::Result<Option<BranchId>> {
    sqlx::query_scalar("SELECT id FROM branches WHERE committee_id = ? AND level = 'committee'")
        .bind(committee)
        .fetch_optional(conn)
        .await
}

/// Gives every committee that has none its own unit (本级): after committees are made. Kept
/// apart from making a committee, so that a campus made in one go (seed-demo, an import) numbers
/// its real branches first.
pub async fn add_own_units(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO branches (committee_id, name, level, sort_order)
         SELECT c.id, '本级', 'committee', 0 FROM committees c
         WHERE NOT EXISTS (SELECT 1 FROM branches b WHERE b.committee_id = c.id AND b.level = 'committee')
         ORDER BY c.sort_order, c.id",
    )
    .execute(conn)
    .await?;
    Ok(())
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

/// Whether `id` is a branch (not a committee's own unit, which has no secretary).
pub async fn branch_exists(pool: &SqlitePool, id: BranchId) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM branches WHERE id = ? AND level = 'branch')")
        .bind(id)
        .fetch_one(pool)
        .await
}
