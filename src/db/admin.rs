//! The 组织部's keeping of units and accounts. Every reader here is campus-wide: only the
//! 组织部's pages and actions (which check the campus scope) call them. Every change is audited;
//! edits carry `version`.

use crate::domain::history::AuditAction;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::Stale;
use super::audit::{self, Entry};
use crate::domain::units::{BranchInput, CommitteeInput};
use crate::domain::{BranchId, CommitteeId, Role, UserId};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Committee {
    #[serde(skip)]
    pub id: CommitteeId,
    pub name: String,
    pub active: bool,
    /// 党组织负责人: the reviewer account that signs 附件3 (its name, for the history).
    #[serde(skip)]
    pub leader_user_id: Option<UserId>,
    pub leader: Option<String>,
    /// Its work group's robot (issue 20): the kind, the webhook, the 加签 secret's last four
    /// characters (never shown whole once saved).
    #[serde(skip)]
    pub robot_kind: Option<crate::domain::notify::RobotKind>,
    #[serde(skip)]
    pub robot_url: String,
    #[serde(skip)]
    pub robot_secret_tail: String,
    #[serde(skip)]
    pub version: i64,
}

const COMMITTEE: &str = "SELECT c.id, c.name, c.active, c.leader_user_id,
            (SELECT u.display_name FROM users u WHERE u.id = c.leader_user_id) AS leader,
            c.robot_kind, c.robot_url, substr(c.robot_secret, -4) AS robot_secret_tail, c.version
     FROM committees c";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Branch {
    #[serde(skip)]
    pub id: BranchId,
    #[serde(skip)]
    pub committee_id: CommitteeId,
    pub name: String,
    pub secretary_name: String,
    pub active: bool,
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Account {
    #[serde(skip)]
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub committee_id: Option<CommitteeId>,
    pub branch_id: Option<BranchId>,
    pub active: bool,
    pub must_change_password: bool,
    /// Where its messages go by e-mail (issue 20), if anywhere.
    pub email: Option<String>,
    #[serde(skip)]
    pub version: i64,
}

pub async fn committees(pool: &SqlitePool) -> sqlx::Result<Vec<Committee>> {
    sqlx::query_as(&format!("{COMMITTEE} ORDER BY c.sort_order, c.id"))
        .fetch_all(pool)
        .await
}

pub async fn branches(pool: &SqlitePool) -> sqlx::Result<Vec<Branch>> {
    sqlx::query_as(
        "SELECT b.id, b.committee_id, b.name, b.secretary_name, b.active, b.version
         FROM branches b JOIN committees c ON c.id = b.committee_id WHERE b.level = 'branch'
         ORDER BY c.sort_order, c.id, b.sort_order, b.id",
    )
    .fetch_all(pool)
    .await
}

/// One committee (active or not), for the 组织部's edits.
pub async fn committee(conn: impl sqlx::SqliteExecutor<'_>, id: CommitteeId) -> sqlx::Result<Option<Committee>> {
    sqlx::query_as(&format!("{COMMITTEE} WHERE c.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// One branch (active or not), for the 组织部's edits (a committee's own unit is not one).
pub async fn branch(conn: impl sqlx::SqliteExecutor<'_>, id: BranchId) -> sqlx::Result<Option<Branch>> {
    sqlx::query_as(
        "SELECT id, committee_id, name, secretary_name, active, version FROM branches
         WHERE id = ? AND level = 'branch'",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn accounts(pool: &SqlitePool) -> sqlx::Result<Vec<Account>> {
    sqlx::query_as(
        "SELECT id, username, display_name, role, committee_id, branch_id, active, must_change_password, email, version
         FROM users ORDER BY CASE role WHEN 'overseer' THEN 0 WHEN 'reviewer' THEN 1 ELSE 2 END, committee_id, branch_id, id",
    )
    .fetch_all(pool)
    .await
}

pub async fn create_committee(
    conn: &mut SqliteConnection, by: UserId, c: &CommitteeInput,
) -> sqlx::Result<CommitteeId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO committees (name, sort_order) VALUES (?, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM committees)) RETURNING id",
    )
    .bind(&c.name)
    .fetch_one(&mut *conn)
    .await?;
    super::units::add_own_units(&mut *conn).await?;
    let e = Entry::new(by, AuditAction::CommitteeCreate, id).committee(CommitteeId(id));
    audit::record(conn, &e.after(&serde_json::json!({ "name": c.name }))).await?;
    Ok(CommitteeId(id))
}

/// Renames, (de)activates a committee and names its 党组织负责人 (one of its reviewers, checked
/// by the caller and by a trigger).
pub async fn update_committee(
    conn: &mut SqliteConnection, by: UserId, before: &Committee, seen_version: i64, c: &CommitteeInput, active: bool,
    leader: Option<UserId>,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE committees SET name = ?, active = ?, leader_user_id = ?, version = version + 1 WHERE id = ? AND version = ?",
    )
    .bind(&c.name)
    .bind(active)
    .bind(leader)
    .bind(before.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let after = committee(&mut *conn, before.id).await?;
    let e = Entry::new(by, AuditAction::CommitteeUpdate, before.id.0)
        .committee(before.id)
        .before(before);
    audit::record(conn, &e.after(&after)).await?;
    Ok(Ok(()))
}

/// Names a committee's 党组织负责人 without audit (the demo campus).
pub async fn set_leader(conn: &mut SqliteConnection, committee: CommitteeId, user: UserId) -> sqlx::Result<()> {
    sqlx::query("UPDATE committees SET leader_user_id = ? WHERE id = ?")
        .bind(user)
        .bind(committee)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether `user` is an active reviewer of `committee` (who may be named its 负责人).
pub async fn is_reviewer_of(conn: &mut SqliteConnection, user: UserId, committee: CommitteeId) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = ? AND role = 'reviewer' AND committee_id = ? AND active = 1)",
    )
    .bind(user)
    .bind(committee)
    .fetch_one(conn)
    .await
}

pub async fn create_branch(
    conn: &mut SqliteConnection, by: UserId, committee: CommitteeId, b: &BranchInput,
) -> sqlx::Result<BranchId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO branches (committee_id, name, secretary_name, sort_order)
         VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM branches WHERE committee_id = ?1)) RETURNING id",
    )
    .bind(committee)
    .bind(&b.name)
    .bind(&b.secretary_name)
    .fetch_one(&mut *conn)
    .await?;
    let e = Entry::new(by, AuditAction::BranchCreate, id).branch(BranchId(id));
    let after = serde_json::json!({ "name": b.name, "secretary_name": b.secretary_name });
    audit::record(conn, &e.after(&after)).await?;
    Ok(BranchId(id))
}

pub async fn update_branch(
    conn: &mut SqliteConnection, by: UserId, before: &Branch, seen_version: i64, b: &BranchInput, active: bool,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE branches SET name = ?, secretary_name = ?, active = ?, version = version + 1
         WHERE id = ? AND version = ?",
    )
    .bind(&b.name)
    .bind(&b.secretary_name)
    .bind(active)
    .bind(before.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = Entry::new(by, AuditAction::BranchUpdate, before.id.0)
        .branch(before.id)
        .before(before);
    let after = serde_json::json!({ "name": b.name, "secretary_name": b.secretary_name, "active": active });
    audit::record(conn, &e.after(&after)).await?;
    Ok(Ok(()))
}

/// Records a new account made by the 组织部 (the insert itself is db::users::insert).
pub async fn record_account_created(
    conn: &mut SqliteConnection, by: UserId, id: UserId, username: &str,
) -> sqlx::Result<()> {
    audit::record(
        conn,
        &Entry::new(by, AuditAction::UserCreate, id.0).after(&serde_json::json!({ "username": username })),
    )
    .await
}

pub async fn update_account(
    conn: &mut SqliteConnection, by: UserId, before: &Account, seen_version: i64, display_name: &str, active: bool,
    email: Option<&str>,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE users SET display_name = ?, active = ?, email = ?, version = version + 1, updated_at = datetime('now')
         WHERE id = ? AND version = ?",
    )
    .bind(display_name)
    .bind(active)
    .bind(email)
    .bind(before.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = Entry::new(by, AuditAction::UserUpdate, before.id.0)
        .before(
            &serde_json::json!({ "display_name": before.display_name, "active": before.active, "email": before.email }),
        )
        .after(&serde_json::json!({ "display_name": display_name, "active": active, "email": email }));
    audit::record(conn, &e).await?;
    Ok(Ok(()))
}

/// Sets a one-time password: the user must change it at next login, and every session of the
/// account ends (the credential version moves on).
pub async fn reset_password(conn: &mut SqliteConnection, by: UserId, id: UserId, hash: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = ?, must_change_password = 1, credential_version = credential_version + 1,
                          version = version + 1, updated_at = datetime('now')
         WHERE id = ?",
    )
    .bind(hash)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    audit::record(conn, &Entry::new(by, AuditAction::UserResetPassword, id.0)).await?;
    Ok(true)
}

pub async fn account(conn: impl sqlx::SqliteExecutor<'_>, id: UserId) -> sqlx::Result<Option<Account>> {
    sqlx::query_as(
        "SELECT id, username, display_name, role, committee_id, branch_id, active, must_change_password, email, version FROM users WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A committee's id by its name.
pub async fn committee_by_name(conn: &mut SqliteConnection, name: &str) -> sqlx::Result<Option<CommitteeId>> {
    sqlx::query_scalar("SELECT id FROM committees WHERE name = ?")
        .bind(name)
        .fetch_optional(conn)
        .await
}

/// A branch's id by its committee's name and its own.
pub async fn branch_by_names(
    conn: &mut SqliteConnection, committee: &str, branch: &str,
) -> sqlx::Result<Option<BranchId>> {
    sqlx::query_scalar(
        "SELECT b.id FROM branches b JOIN committees c ON c.id = b.committee_id
         WHERE c.name = ? AND b.name = ? AND b.level = 'branch'",
    )
    .bind(committee)
    .bind(branch)
    .fetch_optional(conn)
    .await
}

/// An account's e-mail address, as made (its creation is audited with it).
pub async fn set_email(conn: &mut SqliteConnection, id: UserId, email: Option<&str>) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET email = ? WHERE id = ?")
        .bind(email)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
