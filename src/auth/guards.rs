//! Role guards. routes.rs layers them on whole route groups, so no handler in a group can forget.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::AppState;
use crate::domain::Role;
use crate::error::AppError;

use super::CurrentUser;

/// 组织部 only.
pub struct RequireOverseer(pub CurrentUser);

/// A reviewer (党总支) or the 组织部, who may do whatever a reviewer may, campus-wide.
pub struct RequireReviewer(pub CurrentUser);

impl FromRequestParts<AppState> for RequireOverseer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match user.role() {
            Role::Overseer => Ok(RequireOverseer(user)),
            _ => Err(AppError::Forbidden),
        }
    }
}

impl FromRequestParts<AppState> for RequireReviewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match user.role() {
            Role::Overseer | Role::Reviewer => Ok(RequireReviewer(user)),
            Role::Secretary => Err(AppError::Forbidden),
        }
    }
}

/// Whoever keeps a ledger: a 党支部书记 (their branch's), or a reviewer (their committee's own
/// 本级 ledger). Which unit is decided by scope inside each query, and whether the user keeps
/// it (not reviews it) by each step (actions::branch_step with `Part::Own`): a reviewer
/// answering one of their branches' items is forbidden there. The 组织部 keeps no ledger.
pub struct RequireKeeper(pub CurrentUser);

impl FromRequestParts<AppState> for RequireKeeper {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match user.role() {
            Role::Secretary | Role::Reviewer => Ok(RequireKeeper(user)),
            Role::Overseer => Err(AppError::Forbidden),
        }
    }
}
