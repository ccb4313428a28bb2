//! Typed access to what the session holds. Only ids and timestamps are stored; the user is
//! reloaded from the database on every request so deactivation and role changes bite at once.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tower_sessions::Session;
use tower_sessions::session::Id;

use crate::domain::UserId;
use crate::error::AppResult;

use super::password::random_token;

const USER_ID: &str = "user_id";
const LOGIN_AT: &str = "login_at";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
const CREDENTIAL: &str = "credential_version";
const SEEN_AT: &str = "seen_at";

pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Whether a session that began at `login_at` has passed its absolute lifetime at `now`: idle
/// expiry alone would let a session kept busy live for ever.
pub fn outlived(login_at: i64, now: i64, absolute_hours: i64) -> bool {
    now - login_at > absolute_hours * 3600
}

/// Whether a session last marked seen at `seen_at` should be written again at `now` to push its
/// idle expiry on. The expiry moves only when the session is written, and a page view writes
/// nothing; so a user who only reads would be logged out `idle_minutes` after their last save.
/// Writing at most every tenth of the idle period (and at least a minute apart) keeps a reading
/// user in, at one small write every few minutes per session.
pub fn needs_refresh(seen_at: i64, now: i64, idle_minutes: i64) -> bool {
    now - seen_at >= (idle_minutes * 6).max(60)
}

/// Marks the session seen now if it is due (see [`needs_refresh`]).
pub async fn keep_alive(session: &Session, idle_minutes: i64) -> AppResult<()> {
    let now = now_unix();
    let seen_at = session.get::<i64>(SEEN_AT).await?.unwrap_or(0);
    if needs_refresh(seen_at, now, idle_minutes) {
        session.insert(SEEN_AT, now).await?;
    }
    Ok(())
}

/// The session's CSRF token, created if the session has none yet (e.g. on the login page).
pub async fn csrf_token(session: &Session) -> AppResult<String> {
    if let Some(t) = session.get::<String>(CSRF).await? {
        return Ok(t);
    }
    let t = random_token(32);
    session.insert(CSRF, &t).await?;
    Ok(t)
}

pub async fn stored_csrf_token(session: &Session) -> AppResult<Option<String>> {
    Ok(session.get::<String>(CSRF).await?)
}

/// Logs `user` in: a new session id (so a session fixed before login is worthless), a fresh
/// CSRF token, the login time for the absolute lifetime, and the account's credential version.
pub async fn log_in(session: &Session, user: UserId, credential_version: i64) -> AppResult<()> {
    session.cycle_id().await?;
    session.insert(USER_ID, user.0).await?;
    session.insert(LOGIN_AT, now_unix()).await?;
    session.insert(SEEN_AT, now_unix()).await?;
    session.insert(CREDENTIAL, credential_version).await?;
    session.insert(CSRF, random_token(32)).await?;
    Ok(())
}

/// Ends the session and deletes its record.
pub async fn log_out(session: &Session) -> AppResult<()> {
    session.flush().await?;
    Ok(())
}

/// After a password change: new id and token and the new credential version; the login time
/// stays, so changing the password does not extend the session's absolute lifetime.
pub async fn renew(session: &Session, credential_version: i64) -> AppResult<()> {
    session.cycle_id().await?;
    session.insert(CREDENTIAL, credential_version).await?;
    session.insert(CSRF, random_token(32)).await?;
    Ok(())
}

/// Messages waiting for the next page view, by session, in memory. A message lives from a
/// form's redirect to the page it lands on (milliseconds); kept in the session record, it cost
/// every save a second write on the one write connection. A restart in between loses it, and
/// the page then shows without its "已保存".
static FLASHES: LazyLock<Mutex<HashMap<Id, (String, Instant)>>> = LazyLock::new(Default::default);

/// How long a message waits for a page view that may never come (a closed tab).
const FLASH_KEPT: Duration = Duration::from_secs(600);

/// A one-line message for the next page shown ("已保存"), after a redirect.
pub async fn flash(session: &Session, message: impl Into<String>) -> AppResult<()> {
    match session.id() {
        Some(id) => {
            let mut flashes = FLASHES.lock().expect("not poisoned");
            flashes.retain(|_, (_, at)| at.elapsed() < FLASH_KEPT);
            flashes.insert(id, (message.into(), Instant::now()));
        }
        // A session whose id is about to change (just logged in, password just changed) keeps
        // the message in its record, which moves to the new id.
        None => session.insert(FLASH, message.into()).await?,
    }
    Ok(())
}

/// The pending message, removed as it is shown.
pub async fn take_flash(session: &Session) -> AppResult<Option<String>> {
    if let Some(id) = session.id()
        && let Some((message, _)) = FLASHES.lock().expect("not poisoned").remove(&id)
    {
        return Ok(Some(message));
    }
    // Removing marks the session changed (and so written back) even when the key is absent:
    // look first, so an ordinary page view writes nothing.
    if session.get::<String>(FLASH).await?.is_none() {
        return Ok(None);
    }
    Ok(session.remove::<String>(FLASH).await?)
}

/// Who is logged in: the user, when they logged in, and the credential version they logged in
/// with.
pub struct LoggedIn {
    pub user: UserId,
    pub at: i64,
    pub credential_version: i64,
}

pub async fn user(session: &Session) -> AppResult<Option<LoggedIn>> {
    let Some(id) = session.get::<i64>(USER_ID).await? else {
        return Ok(None);
    };
    Ok(Some(LoggedIn {
        user: UserId(id),
        at: session.get::<i64>(LOGIN_AT).await?.unwrap_or(0),
        credential_version: session.get::<i64>(CREDENTIAL).await?.unwrap_or(0),
    }))
}

#[cfg(test)]
mod tests {
    use super::{needs_refresh, outlived};

    #[test]
    fn a_reading_user_keeps_the_session_with_a_write_every_tenth_of_the_idle_period() {
        let seen = 1_000_000;
        // 30 minutes idle: written again after 3 minutes, not before.
        assert!(!needs_refresh(seen, seen + 179, 30));
        assert!(needs_refresh(seen, seen + 180, 30));
        // Never more often than once a minute, however short the idle period.
        assert!(!needs_refresh(seen, seen + 59, 1));
        assert!(needs_refresh(seen, seen + 60, 1));
        // A session from before this was recorded (0) is written at once.
        assert!(needs_refresh(0, seen, 30));
    }

    #[test]
    fn a_session_ends_after_its_absolute_lifetime_however_busy() {
        let login = 1_000_000;
        assert!(!outlived(login, login + 12 * 3600, 12));
        assert!(outlived(login, login + 12 * 3600 + 1, 12));
        // A session without a recorded login time (0) is treated as ancient.
        assert!(outlived(0, login, 12));
    }
}
