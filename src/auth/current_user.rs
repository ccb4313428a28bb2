//! The logged-in user as an extractor. A handler that takes `CurrentUser` cannot run for anyone
//! not logged in; its `scope()` is the only source of row filters.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::AppState;
use crate::db;
use crate::domain::{BranchId, CommitteeId, Role, Scope, UserId};
use crate::error::AppError;

use super::session;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub must_change_password: bool,
    /// The session's CSRF token, for the forms on the page.
    pub csrf: String,
    /// The row version, for optimistic updates of the account itself.
    pub version: i64,
    /// What waits for this user in the current campaign (the navigation's badges); counted for
    /// page views only.
    pub waiting: db::review::Waiting,
}

impl CurrentUser {
    /// Where this user starts: their own branch, committee, or the campus overview.
    pub fn home(&self) -> String {
        match self.scope {
            Scope::Branch(b) => format!("/branches/{b}"),
            Scope::Committee(c) => format!("/committees/{c}"),
            Scope::Campus => "/overview".to_string(),
        }
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
        let row = match db::users::find_by_id(&state.db.read, logged_in.user).await? {
            Some(row) if row.active && row.credential_version == logged_in.credential_version => row,
            _ => {
                session::log_out(&session).await?;
                return Err(login_required());
            }
        };
        session::keep_alive(&session, state.config.session_idle_minutes).await?;
        let role = row.role;
        let scope = scope_of(role, row.committee_id, row.branch_id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user {} has no unit for role {}", row.id, row.role)))?;
        if row.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path.as_str()) {
            return Err(AppError::MustChangePassword);
        }
        // The badges in the navigation; the 组织部's navigation shows none.
        let waiting = if parts.method == axum::http::Method::GET && scope != crate::domain::Scope::Campus {
            match db::campaigns::current(&state.db).await? {
                Some(c) => db::review::waiting(&state.db, scope, c.id).await?,
                None => db::review::Waiting::default(),
            }
        } else {
            db::review::Waiting::default()
        };
        let user = CurrentUser {
            waiting,
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role,
            scope,
            must_change_password: row.must_change_password,
            csrf: session::csrf_token(&session).await?,
            version: row.version,
        };
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// The scope a role and unit give. `None` if the unit the role needs is missing (the schema's
/// CHECK makes that impossible; this refuses rather than widening the scope).
pub fn scope_of(role: Role, committee: Option<CommitteeId>, branch: Option<BranchId>) -> Option<Scope> {
    match role {
        Role::Overseer => Some(Scope::Campus),
        Role::Reviewer => committee.map(Scope::Committee),
        Role::Secretary => branch.map(Scope::Branch),
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
    fn a_role_without_its_unit_gets_no_scope_rather_than_a_wider_one() {
        assert_eq!(scope_of(Role::Secretary, Some(CommitteeId(1)), None), None);
        assert_eq!(scope_of(Role::Reviewer, None, Some(BranchId(1))), None);
        assert_eq!(
            scope_of(Role::Secretary, None, Some(BranchId(4))),
            Some(Scope::Branch(BranchId(4)))
        );
        assert_eq!(scope_of(Role::Overseer, None, None), Some(Scope::Campus));
    }

    #[test]
    fn downloads_are_recognised_by_extension() {
        assert!(is_download("/branches/1/checklist.pdf"));
        assert!(!is_download("/branches/1"));
    }
}
