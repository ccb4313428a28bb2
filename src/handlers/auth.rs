//! Logging in and out.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, FromRequestParts, RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Form, Nav, query_value};
use crate::AppState;
use crate::actions;
use crate::auth::login::Outcome;
use crate::auth::{CurrentUser, session};
use crate::error::AppResult;

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    nav: Nav,
    csrf: String,
    username: String,
    next: String,
    notice: Option<&'static str>,
    error: Option<String>,
    username_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

pub async fn login_form(session: Session, user: Option<CurrentUser>, RawQuery(query): RawQuery) -> AppResult<Response> {
    if let Some(user) = user {
        return Ok(Redirect::to(&user.home()).into_response());
    }
    let q = |key| query_value(query.as_deref(), key);
    Ok(LoginPage {
        nav: Nav::anonymous(),
        csrf: session::csrf_token(&session).await?,
        username: q("username").unwrap_or_default(),
        next: q("next").as_deref().and_then(safe_next).unwrap_or_default().to_string(),
        notice: q("expired").is_some().then_some("页面停留时间过长已失效，请重新登录。"),
        error: None,
        username_error: None,
        password_error: None,
    }
    .into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

pub async fn login(
    State(state): State<AppState>, session: Session, ClientAddr(addr): ClientAddr, Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let username = form.username.trim().to_string();
    let next = safe_next(&form.next).unwrap_or_default().to_string();
    let mut page = LoginPage {
        nav: Nav::anonymous(),
        csrf: String::new(),
        username: username.clone(),
        next: next.clone(),
        notice: None,
        error: None,
        username_error: username.is_empty().then_some("请输入用户名"),
        password_error: form.password.is_empty().then_some("请输入密码"),
    };
    let status = if page.username_error.is_some() || page.password_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        match actions::sessions::log_in(&state.db, &state.dummy_hash, &username, &form.password, &addr).await? {
            Outcome::Success(user) => {
                session::log_in(&session, user.id, user.credential_version).await?;
                let target = match (user.must_change_password, next.is_empty()) {
                    (true, _) => "/account/password",
                    (false, false) => next.as_str(),
                    (false, true) => "/",
                };
                return Ok(Redirect::to(target).into_response());
            }
            refused => {
                let (status, message) = refused.refusal();
                page.error = Some(message);
                status
            }
        }
    };
    page.csrf = session::csrf_token(&session).await?;
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/logout.html")]
pub struct LogoutPage {
    nav: Nav,
    csrf: String,
}

/// A typed or bookmarked /logout: logging out is a POST, so ask with a button.
pub async fn logout_page(user: Option<CurrentUser>) -> Response {
    match user {
        Some(user) => LogoutPage {
            nav: Nav::for_user(&user, ""),
            csrf: user.csrf.clone(),
        }
        .into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, session: Session) -> AppResult<Redirect> {
    let who = session::user(&session).await?;
    session::log_out(&session).await?;
    // The end of a session is in the audit trail like its start.
    if let Some(who) = who {
        actions::sessions::log_out(&state.db, who.user).await?;
    }
    Ok(Redirect::to("/login"))
}

/// A `next` target only if it is a path on this site: no `//host` or `\` tricks, and nothing but
/// visible ASCII (a browser drops tabs and newlines, turning `/<tab>/evil` into `//evil`, and a
/// control character cannot go in a header at all).
fn safe_next(next: &str) -> Option<&str> {
    let plain = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    (plain && next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/login")).then_some(next)
}

/// The client's address for throttling: the TCP peer, or — only when configured to sit behind a
/// proxy — the right-most `X-Forwarded-For` entry, the one the proxy itself appended.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.config.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|s| !s.is_empty());
            if let Some(addr) = forwarded {
                return Ok(ClientAddr(addr.to_string()));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddr(peer.unwrap_or_else(|| "unknown".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next("/branches/3"), Some("/branches/3"));
        assert_eq!(safe_next("//evil.example/"), None);
        assert_eq!(safe_next("https://evil.example/"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
        assert_eq!(safe_next(""), None);
        assert_eq!(safe_next("/\t/evil.example/"), None);
        assert_eq!(safe_next("/x\ny"), None);
        assert_eq!(safe_next("/a\u{0}b"), None);
        assert_eq!(safe_next("/branches/1?campaign=1"), Some("/branches/1?campaign=1"));
    }
}
