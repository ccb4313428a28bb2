use axum::response::Redirect;

use crate::auth::CurrentUser;

pub async fn healthz() -> &'static str {
    "ok"
}

/// `/` sends each role to its home.
pub async fn root(user: CurrentUser) -> Redirect {
    Redirect::to(&user.home())
}
