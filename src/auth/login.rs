//! Checking a login attempt: throttling (rules in domain::throttle), then the password.

use std::time::Duration;

use axum::http::StatusCode;

use super::{password, session};
use crate::AppState;
use crate::db;
use crate::db::users::UserRow;
use crate::domain::throttle::{self, minutes_to_wait};
use crate::error::AppResult;

pub enum Outcome {
    Success(UserRow),
    /// Wrong password, unknown or inactive user: one answer for all, so nothing is revealed.
    WrongCredentials,
    /// Too many failures for this username; seconds left.
    AccountLocked(i64),
    /// Too many failures from this address; seconds left.
    AddressLocked(i64),
}

impl Outcome {
    /// Status and message for a refused attempt.
    pub fn refusal(&self) -> (StatusCode, String) {
        match self {
            Outcome::Success(_) | Outcome::WrongCredentials => {
                (StatusCode::UNAUTHORIZED, "用户名或密码错误。".into())
            }
            Outcome::AccountLocked(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "该账号登录失败次数过多，已临时锁定，请 {} 分钟后再试。",
                    minutes_to_wait(*wait)
                ),
            ),
            Outcome::AddressLocked(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "当前网络地址登录失败次数过多，请 {} 分钟后再试。",
                    minutes_to_wait(*wait)
                ),
            ),
        }
    }
}

/// Longest password accepted for checking: argon2 hashes anything, but megabytes would cost CPU.
const MAX_PASSWORD_CHARS: usize = 1024;

/// How long a failure from an address over its limit is held before the answer.
const ADDRESS_PENALTY: Duration = Duration::from_secs(2);

pub async fn attempt(
    state: &AppState,
    username: &str,
    password: &str,
    addr: &str,
) -> AppResult<Outcome> {
    let now = session::now_unix();
    let account_key = throttle::account_key(username);
    let address_key = throttle::address_key(addr);
    if let Some(wait) = db::throttle::get(&state.db.read, &account_key)
        .await?
        .locked_for(now)
    {
        return Ok(Outcome::AccountLocked(wait));
    }
    let address_locked = db::throttle::get(&state.db.read, &address_key)
        .await?
        .locked_for(now);

    let user = db::users::find_by_username(&state.db.read, username)
        .await?
        .filter(|u| u.active);
    // Unknown and inactive accounts are checked against the dummy hash: same time, same answer.
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.to_string());
    let password_ok = password.chars().count() <= MAX_PASSWORD_CHARS
        && password::verify(stored, password.to_string()).await?;

    if let Some(user) = user.filter(|_| password_ok) {
        db::throttle::clear(&state.db.write, &account_key).await?;
        return Ok(Outcome::Success(user));
    }

    tracing::info!(%addr, "failed login");
    let account = db::throttle::record_failure(&state.db.write, &account_key, |c| {
        c.after_failure(now, throttle::ACCOUNT)
    })
    .await?;
    let address = db::throttle::record_failure(&state.db.write, &address_key, |c| {
        c.after_failure(now, throttle::ADDRESS)
    })
    .await?;
    if let Some(wait) = address_locked.or_else(|| address.locked_for(now)) {
        // Only failures are held up: correct passwords from the same (shared) address are not.
        tokio::time::sleep(ADDRESS_PENALTY).await;
        return Ok(Outcome::AddressLocked(wait));
    }
    if let Some(wait) = account.locked_for(now) {
        return Ok(Outcome::AccountLocked(wait));
    }
    Ok(Outcome::WrongCredentials)
}
