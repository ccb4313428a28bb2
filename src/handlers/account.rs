//! A user's own account: changing the password (also the forced change after a reset).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::auth::ClientAddr;
use super::{Form, Nav, refusal};
use crate::AppState;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, session};
use crate::error::AppResult;

const PATH: &str = "/account/password";

#[derive(Template, WebTemplate)]
#[template(path = "auth/password.html")]
pub struct PasswordPage {
    nav: Nav,
    csrf: String,
    forced: bool,
    error: Option<String>,
    current_error: Option<String>,
    new_error: Option<String>,
    confirm_error: Option<String>,
}

impl PasswordPage {
    fn new(user: &CurrentUser) -> Self {
        PasswordPage {
            nav: Nav::for_user(user, PATH),
            csrf: user.csrf.clone(),
            forced: user.must_change_password,
            error: None,
            current_error: None,
            new_error: None,
            confirm_error: None,
        }
    }
}

pub async fn form(user: CurrentUser) -> PasswordPage {
    PasswordPage::new(&user)
}

pub async fn change(
    State(state): State<AppState>, session: Session, user: CurrentUser, ClientAddr(addr): ClientAddr,
    Form(form): Form<actions::accounts::PasswordForm>,
) -> AppResult<Response> {
    let mut page = PasswordPage::new(&user);
    let outcome = actions::accounts::change_password(&state.db, &state.dummy_hash, &user, &addr, &form).await?;
    let status = match outcome {
        Outcome::Done(credential_version) => {
            session::renew(&session, credential_version).await?;
            tracing::info!(user = %user.username, "password changed");
            return Ok(Redirect::to(&user.home()).into_response());
        }
        Outcome::Invalid(e) => {
            page.current_error = e.get("current_password").map(str::to_string);
            page.new_error = e.get("new_password").map(str::to_string);
            page.confirm_error = e.get("confirm_password").map(str::to_string);
            StatusCode::BAD_REQUEST
        }
        Outcome::Refused(m) => {
            page.current_error = Some(m);
            StatusCode::TOO_MANY_REQUESTS
        }
        Outcome::Stale(m) => {
            page.error = Some(m);
            StatusCode::CONFLICT
        }
        other => return Err(refusal(other)),
    };
    Ok((status, page).into_response())
}
