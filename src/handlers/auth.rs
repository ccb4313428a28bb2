//! Logging in and out.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Form, Nav};
use crate::AppState;
use crate::auth::{CurrentUser, password, session};
use crate::db;
use crate::domain::throttle::{self, minutes_to_wait};
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

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
}

pub async fn login_form(
    session: Session,
    user: Option<CurrentUser>,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if let Some(user) = user {
        return Ok(Redirect::to(&user.home()).into_response());
    }
    Ok(LoginPage {
        nav: Nav::anonymous(),
        csrf: session::csrf_token(&session).await?,
        username: String::new(),
        next: safe_next(&q.next).unwrap_or_default().to_string(),
        notice: q
            .expired
            .is_some()
            .then_some("页面停留时间过长已失效，请重新登录。"),
        error: None,
        username_error: None,
        password_error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Longest password accepted for checking: argon2 hashes anything, but megabytes would cost CPU.
const MAX_PASSWORD_CHARS: usize = 1024;

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let username = form.username.trim().to_string();
    let next = safe_next(&form.next).unwrap_or_default().to_string();
    let page = |status: StatusCode,
                error: Option<String>,
                ue: Option<&'static str>,
                pe: Option<&'static str>| {
        let csrf = session.clone();
        let (username, next) = (username.clone(), next.clone());
        async move {
            let page = LoginPage {
                nav: Nav::anonymous(),
                csrf: session::csrf_token(&csrf).await?,
                username,
                next,
                notice: None,
                error,
                username_error: ue,
                password_error: pe,
            };
            AppResult::Ok((status, page).into_response())
        }
    };

    if username.is_empty() || form.password.is_empty() {
        return page(
            StatusCode::BAD_REQUEST,
            None,
            username.is_empty().then_some("请输入用户名"),
            form.password.is_empty().then_some("请输入密码"),
        )
        .await;
    }

    let now = session::now_unix();
    let account_key = throttle::account_key(&username);
    let address_key = throttle::address_key(&addr);
    if let Some(wait) = db::throttle::get(&state.db.read, &account_key)
        .await?
        .locked_for(now)
    {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            Some(account_locked(wait)),
            None,
            None,
        )
        .await;
    }
    let address_locked = db::throttle::get(&state.db.read, &address_key)
        .await?
        .locked_for(now);

    let user = db::users::find_by_username(&state.db.read, &username)
        .await?
        .filter(|u| u.active);
    // Unknown and inactive accounts are checked against the dummy hash: same time, same answer.
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.to_string());
    let password_ok = form.password.chars().count() <= MAX_PASSWORD_CHARS
        && password::verify(stored, form.password.clone()).await?;

    match user {
        Some(user) if password_ok => {
            db::throttle::clear(&state.db.write, &account_key).await?;
            session::log_in(&session, user.id).await?;
            let mut tx = state.db.write.begin().await?;
            db::audit::record(&mut tx, &db::audit::Entry::account(user.id, "login")).await?;
            tx.commit().await?;
            tracing::info!(user = %user.username, "logged in");
            let target = if user.must_change_password {
                "/account/password".to_string()
            } else if !next.is_empty() {
                next
            } else {
                "/".to_string()
            };
            Ok(Redirect::to(&target).into_response())
        }
        _ => {
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
                // Many failures from one address: answer its failures slowly. Correct passwords
                // from the same (possibly shared) address are not held up.
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                let msg = format!(
                    "当前网络地址登录失败次数过多，请 {} 分钟后再试。",
                    minutes_to_wait(wait)
                );
                return page(StatusCode::TOO_MANY_REQUESTS, Some(msg), None, None).await;
            }
            if let Some(wait) = account.locked_for(now) {
                return page(
                    StatusCode::TOO_MANY_REQUESTS,
                    Some(account_locked(wait)),
                    None,
                    None,
                )
                .await;
            }
            page(
                StatusCode::UNAUTHORIZED,
                Some("用户名或密码错误。".into()),
                None,
                None,
            )
            .await
        }
    }
}

fn account_locked(wait: i64) -> String {
    format!(
        "该账号登录失败次数过多，已临时锁定，请 {} 分钟后再试。",
        minutes_to_wait(wait)
    )
}

pub async fn logout(session: Session) -> AppResult<Redirect> {
    session::log_out(&session).await?;
    Ok(Redirect::to("/login"))
}

/// A `next` target only if it is a path on this site (no `//host` or `\` tricks).
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/login"))
    .then_some(next)
}

/// The client's address for throttling: the TCP peer, or — only when configured to sit behind a
/// proxy — the right-most `X-Forwarded-For` entry, the one the proxy itself appended.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
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
    }
}
