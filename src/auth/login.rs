//! Checking a login attempt (also the current password on the password page): throttling
//! (rules in domain::throttle), then the password.

use std::time::Duration;

use axum::http::StatusCode;

use super::{password, session};
use crate::db::users::UserRow;
use crate::db::{self, Db};
use crate::domain::password_policy::check_username;
use crate::domain::throttle::{self, Counter, Gate, minutes_to_wait};

pub enum Outcome {
    Success(UserRow),
    /// Wrong password, unknown or inactive user: one answer for all, so nothing is revealed.
    WrongCredentials,
    /// Too many failures for this username; seconds left.
    AccountLocked(i64),
    /// A wrong password from an address with many recent failures (answered slowly).
    AddressSlowed,
}

impl Outcome {
    /// Status and message for a refused attempt.
    pub fn refusal(&self) -> (StatusCode, String) {
        match self {
            Outcome::Success(_) | Outcome::WrongCredentials => (StatusCode::UNAUTHORIZED, "用户名或密码错误。".into()),
            Outcome::AccountLocked(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "该账号登录失败次数过多，已临时锁定，请 {} 分钟后再试。",
                    minutes_to_wait(*wait)
                ),
            ),
            Outcome::AddressSlowed => (
                StatusCode::TOO_MANY_REQUESTS,
                "用户名或密码错误。此网络地址近期登录失败较多，系统已放慢响应；输入正确的用户名和密码仍可正常登录。"
                    .into(),
            ),
        }
    }
}

/// Longest password accepted for checking: argon2 hashes anything, but megabytes would cost CPU.
const MAX_PASSWORD_CHARS: usize = 1024;

/// How long a failure from an address over its limit is held before the answer.
const ADDRESS_PENALTY: Duration = Duration::from_secs(2);

pub async fn attempt(db: &Db, dummy_hash: &str, username: &str, password: &str, addr: &str) -> anyhow::Result<Outcome> {
    let now = session::now_unix();
    let keys = [
        throttle::pair_key(username, addr),
        throttle::account_key(username),
        throttle::address_key(addr),
    ];
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();

    // A username no account can have, or an absurd password: no key is stored for it (the table
    // must not grow with junk), but the address is charged like any failure.
    if check_username(username.trim()).is_err() || password.chars().count() > MAX_PASSWORD_CHARS {
        let before = db::throttle::update(db, &keys[2..], |_, c| c.after_failure(now, throttle::ADDRESS)).await?;
        return Ok(slow_if(before[0].after_failure(now, throttle::ADDRESS), now).await);
    }

    let mut gate = Gate::Proceed;
    let charged = db::throttle::update_all(db, &keys, |counters| {
        let (g, next) = throttle::charge(now, counters);
        gate = g;
        next
    })
    .await?;
    if let Gate::Locked(wait) = gate {
        return Ok(Outcome::AccountLocked(wait));
    }

    let user = db::users::find_by_username(&db.read, username.trim())
        .await?
        .filter(|u| u.active);
    // Unknown and inactive accounts are checked against the dummy hash: same time, same answer.
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash.to_string());
    let ok = password::verify(stored, password.to_string()).await?;

    match user.filter(|_| ok) {
        Some(user) => {
            db::throttle::update_all(db, &keys, throttle::settle_success).await?;
            Ok(Outcome::Success(user))
        }
        None => {
            tracing::info!(%addr, "failed login");
            let [pair, account, address] = charged;
            if let Some(wait) = pair.locked_for(now).max(account.locked_for(now)) {
                return Ok(Outcome::AccountLocked(wait));
            }
            Ok(slow_if(address, now).await)
        }
    }
}

/// A wrong password: slowly, if its address is over its limit.
async fn slow_if(address: Counter, now: i64) -> Outcome {
    if address.locked_for(now).is_some() {
        tokio::time::sleep(ADDRESS_PENALTY).await;
        Outcome::AddressSlowed
    } else {
        Outcome::WrongCredentials
    }
}
