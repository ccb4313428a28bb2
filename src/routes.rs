//! The whole URL map, grouped by who may call it. Role guards are layered on each group, so no
//! handler can forget them; scope (which rows) is applied inside every query.

use axum::Router;
use axum::middleware::{from_extractor_with_state, from_fn};
use axum::routing::{get, post};

use crate::AppState;
use crate::auth::{CurrentUser, RequireOverseer, RequireReviewer, csrf};
use crate::handlers::{account, auth, branch, committee, home, overview};

pub fn routes(state: &AppState) -> Router<AppState> {
    // Anyone, logged in or not.
    let public = Router::new()
        .route("/healthz", get(home::healthz))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout));

    // Any logged-in user; pages about branches narrow further by scope.
    let users = Router::new()
        .route("/", get(home::root))
        .route(
            "/account/password",
            get(account::form).post(account::change),
        )
        .route("/branches/{branch_id}", get(branch::show))
        .route_layer(from_extractor_with_state::<CurrentUser, AppState>(
            state.clone(),
        ));

    // 党总支 reviewers (and the 组织部).
    let reviewers = Router::new()
        .route("/committees/{committee_id}", get(committee::show))
        .route_layer(from_extractor_with_state::<RequireReviewer, AppState>(
            state.clone(),
        ));

    // 组织部 only.
    let overseers = Router::new()
        .route("/overview", get(overview::show))
        .route_layer(from_extractor_with_state::<RequireOverseer, AppState>(
            state.clone(),
        ));

    Router::new()
        .merge(public)
        .merge(users)
        .merge(reviewers)
        .merge(overseers)
        .layer(from_fn(csrf::guard))
}
