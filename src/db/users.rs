//! Accounts.

use sqlx::{SqliteConnection, SqlitePool};

use crate::domain::{BranchId, CommitteeId, Role, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub committee_id: Option<CommitteeId>,
    pub branch_id: Option<BranchId>,
    pub active: bool,
    pub must_change_password: bool,
    pub credential_version: i64,
    pub version: i64,
}

const COLUMNS: &str = "id, username, display_name, password_hash, role, committee_id, branch_id, active, must_change_password, credential_version, version";

pub async fn find_by_username(pool: &SqlitePool, username: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE username = ?"))
        .bind(username)
        .fetch_optional(pool)
        .await
}

pub async fn find_by_id(pool: &SqlitePool, id: UserId) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// A new account; the unit column that the role calls for must be set (the schema CHECKs it).
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub committee_id: Option<CommitteeId>,
    pub branch_id: Option<BranchId>,
    pub must_change_password: bool,
}

pub async fn insert(conn: &mut SqliteConnection, user: &NewUser<'_>) -> sqlx::Result<UserId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, role, committee_id, branch_id, must_change_password)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(user.committee_id)
    .bind(user.branch_id)
    .bind(user.must_change_password)
    .fetch_one(conn)
    .await?;
    Ok(UserId(id))
}

/// Sets a new password the user chose, clearing must-change. `false` if the row changed meanwhile.
pub async fn set_own_password(
    conn: &mut SqliteConnection, id: UserId, seen_version: i64, password_hash: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = ?, must_change_password = 0, version = version + 1,
                          credential_version = credential_version + 1,
                          updated_at = datetime('now')
         WHERE id = ? AND version = ?",
    )
    .bind(password_hash)
    .bind(id)
    .bind(seen_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_active_overseers(pool: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'overseer' AND active = 1")
        .fetch_one(pool)
        .await
}

/// Activates or deactivates an account; a deactivated user is logged out at their next request.
pub async fn set_active(conn: &mut SqliteConnection, id: UserId, active: bool) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE users SET active = ?, version = version + 1, updated_at = datetime('now') WHERE id = ?")
            .bind(active)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
