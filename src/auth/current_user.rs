//! The logged-in user. `User` is an account as loaded from the database, with the scope its
//! role and unit give; `CurrentUser` is the extractor a handler takes: the user of this
//! request's session, plus what its pages need (the CSRF token, the navigation's badges). A
//! handler that takes `CurrentUser` cannot run for anyone not logged in; its `scope()` is the
//! only source of row filters.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::AppState;
use crate::db::{self, Db};
use crate::domain::{Role, UserId};
use crate::error::AppError;

use super::scope::{Reach, Scope};
use super::session;

/// An account that may act: active, with the scope of its role and unit. Made only by
/// [`User::load`], so its scope is always the account's own.
#[derive(Debug, Clone)]
pub struct User {
    id: UserId,
    role: Role,
    scope: Scope,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    /// The row version, for optimistic updates of the account itself.
    pub version: i64,
    /// Bumped by every password change or reset: a session from before it is over.
    pub credential_version: i64,
}

impl User {
    /// The active account `id` (for the session extractor; for commands and tests acting as an
    /// account). `None` if it does not exist, is deactivated, or its role lacks its unit.
    pub async fn load(db: &Db, id: UserId) -> sqlx::Result<Option<User>> {
        let Some(row) = db::users::find_by_id(&db.read, id).await? else {
            return Ok(None);
        };
        if !row.active {
            return Ok(None);
        }
        let Some(scope) = Scope::of(row.role, row.committee_id, row.branch_id) else {
            tracing::error!(user = %row.id, "an account without the unit its role needs");
            return Ok(None);
        };
        Ok(Some(User {
            id: row.id,
            role: row.role,
            scope,
            username: row.username,
            display_name: row.display_name,
            must_change_password: row.must_change_password,
            version: row.version,
            credential_version: row.credential_version,
        }))
    }

    pub fn id(&self) -> UserId {
        self.id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Where this user starts: their own branch, committee, or the campus overview.
    pub fn home(&self) -> String {
        match self.scope.reach() {
            Reach::Branch(b) => format!("/branches/{b}"),
            Reach::Committee(c) => format!("/committees/{c}"),
            Reach::Campus => "/overview".to_string(),
        }
    }
}

/// The user of this request's session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    /// The session's CSRF token, for the forms on the page.
    pub csrf: String,
    /// What waits for this user in the current campaign (the navigation's badges); counted for
    /// page views only.
    pub waiting: db::review::Waiting,
    /// Messages not yet read (the navigation's 消息 badge); counted for page views only.
    pub unread: i64,
}

impl std::ops::Deref for CurrentUser {
    type Target = User;

    fn deref(&self) -> &User {
        &self.user
    }
}

/// Paths a user who must change their password may still reach.
const ALLOWED_BEFORE_PASSWORD_CHANGE: &[&str] = &["/account/password", "/logout"];

/// Downloads answer 401 instead of redirecting to the login form.
fn is_download(path: &str) -> bool {
    [".xlsx", ".pdf", ".zip"].iter().any(|ext| path.ends_with(ext))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let path = parts.uri.path().to_string();
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let login_required = || AppError::LoginRequired {
            page: !is_download(&path),
            next: next.clone(),
        };
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::Internal(anyhow::anyhow!("session layer missing: {msg}")))?;

        let Some(logged_in) = session::user(&session).await? else {
            return Err(login_required());
        };
        if session::outlived(logged_in.at, session::now_unix(), state.config.session_absolute_hours) {
            session::log_out(&session).await?;
            return Err(login_required());
        }
        // Deactivated, or the password changed since this session logged in: it ends now.
        let user = match User::load(&state.db, logged_in.user).await? {
            Some(user) if user.credential_version == logged_in.credential_version => user,
            _ => {
                session::log_out(&session).await?;
                return Err(login_required());
            }
        };
        session::keep_alive(&session, state.config.session_idle_minutes).await?;
        if user.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path.as_str()) {
            return Err(AppError::MustChangePassword);
        }
        // The badges in the navigation; the 组织部's navigation shows none.
        let waiting = if parts.method == axum::http::Method::GET && !user.scope.is_campus() {
            match db::campaigns::current(&state.db).await? {
                Some(c) => db::review::waiting(&state.db, user.scope, c.id).await?,
                None => db::review::Waiting::default(),
            }
        } else {
            db::review::Waiting::default()
        };
        let unread = if parts.method == axum::http::Method::GET && !is_download(&path) {
            db::notify::unread(&state.db.read, user.id).await?
        } else {
            0
        };
        let current = CurrentUser {
            user,
            waiting,
            unread,
            csrf: session::csrf_token(&session).await?,
        };
        parts.extensions.insert(current.clone());
        Ok(current)
    }
}

/// `Option<CurrentUser>`: `None` for visitors who are not (or no longer) logged in.
impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, AppError> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::LoginRequired { .. } | AppError::MustChangePassword) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_recognised_by_extension() {
        assert!(is_download("/branches/1/checklist.pdf"));
        assert!(!is_download("/branches/1"));
    }
}
