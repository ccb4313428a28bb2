//! A user's own account: changing the password (also the forced change after a reset).

use crate::domain::history::AuditAction;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::auth::ClientAddr;
use super::{Form, Nav};
use crate::AppState;
use crate::auth::login::{self, Outcome};
use crate::auth::{CurrentUser, password, session};
use crate::db;
use crate::domain::password_policy::check_new_password;
use crate::domain::throttle::minutes_to_wait;
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
    new_error: Option<&'static str>,
    confirm_error: Option<&'static str>,
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

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn change(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut page = PasswordPage::new(&user);
    if form.current_password.is_empty() {
        page.current_error = Some("请输入当前密码".into());
    }
    if let Err(msg) = check_new_password(&user.username, &form.new_password) {
        page.new_error = Some(msg);
    } else if form.new_password == form.current_password {
        page.new_error = Some("新密码不能与当前密码相同");
    }
    if form.confirm_password != form.new_password {
        page.confirm_error = Some("两次输入的新密码不一致");
    }
    if page.current_error.is_some() || page.new_error.is_some() || page.confirm_error.is_some() {
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }

    // The current password is checked like a login attempt, throttle included: a borrowed or
    // stolen session must not become a way to guess the password.
    let row = match login::attempt(&state, &user.username, &form.current_password, &addr).await? {
        Outcome::Success(row) if row.id == user.id => row,
        Outcome::AccountLocked(wait) => {
            page.current_error = Some(format!("当前密码错误次数过多，请 {} 分钟后再试", minutes_to_wait(wait)));
            return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
        }
        _ => {
            page.current_error = Some("当前密码不正确".into());
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let hash = password::hash(form.new_password).await?;
    let mut tx = state.db.write.begin().await?;
    if !db::users::set_own_password(&mut tx, user.id, row.version, &hash).await? {
        page.error = Some("账号信息刚刚被修改过（可能是管理员重置了密码），请重新输入。".into());
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    db::audit::record(
        &mut tx,
        &db::audit::Entry::account(user.id, AuditAction::PasswordChange),
    )
    .await?;
    tx.commit().await?;
    session::renew(&session, row.credential_version + 1).await?;
    tracing::info!(user = %user.username, "password changed");
    Ok(Redirect::to(&user.home()).into_response())
}
