//! 消息: each account's in-app list (every message it was sent, newest first, each linking to its
//! row) with its e-mail settings; the 组织部's outbox (/admin/outbox: queued, sent, failed, with
//! reasons; a failed one can be sent again).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Form, Nav, Path, done, query_value, refusal};
use crate::AppState;
use crate::actions::notify::MailForm;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, RequireOverseer, session};
use crate::db;
use crate::db::notify::{NotificationRow, OutboxRow};
use crate::domain::dates::display_moment;
use crate::domain::input::FieldErrors;
use crate::domain::notify::{MailChoice, OutboxState};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    entries: Vec<NotificationRow>,
    /// The newest entry shown (全部标为已读 marks up to it).
    newest: i64,
    form: MailForm,
    errors: FieldErrors,
    choices: &'static [MailChoice],
    /// E-mail leaves the system (a transport is configured).
    mail_on: bool,
}

impl NotificationsPage {
    fn when(&self, at: &str) -> String {
        display_moment(at)
    }

    fn unread(&self) -> usize {
        self.entries.iter().filter(|e| e.unread).count()
    }
}

async fn page(
    state: &AppState, user: &CurrentUser, form: Option<MailForm>, errors: FieldErrors,
) -> AppResult<NotificationsPage> {
    let entries = db::notify::list(&state.db.read, user.id()).await?;
    let saved = db::notify::mail_settings(&state.db.read, user.id())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(NotificationsPage {
        nav: Nav::for_user(user, "/notifications"),
        csrf: user.csrf.clone(),
        flash: None,
        newest: entries.first().map_or(0, |e| e.id),
        entries,
        form: form.unwrap_or(MailForm {
            email: saved.email.unwrap_or_default(),
            mail_choice: saved.mail_choice.code().to_string(),
            version: saved.version,
        }),
        errors,
        choices: MailChoice::ALL,
        mail_on: state.db.mail_on(),
    })
}

pub async fn show(State(state): State<AppState>, session: Session, user: CurrentUser) -> AppResult<NotificationsPage> {
    let mut p = page(&state, &user, None, FieldErrors::default()).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

/// Opens one entry: marked read, then its row.
pub async fn open(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let entry = db::notify::one(&state.db.read, user.id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if entry.unread {
        actions::notify::mark_read_one(&state.db, &user, id).await?;
    }
    Ok(Redirect::to(&entry.link).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReadForm {
    pub upto: i64,
}

pub async fn mark_read(
    State(state): State<AppState>, session: Session, user: CurrentUser, Form(form): Form<ReadForm>,
) -> AppResult<Response> {
    match actions::notify::mark_read(&state.db, &user, form.upto).await? {
        Outcome::Done(n) => done(&session, format!("已将 {n} 条消息标为已读"), "/notifications").await,
        other => Err(refusal(other)),
    }
}

pub async fn save_mail(
    State(state): State<AppState>, session: Session, user: CurrentUser, Form(form): Form<MailForm>,
) -> AppResult<Response> {
    match actions::notify::set_mail(&state.db, &user, &form).await? {
        Outcome::Done(()) => done(&session, "已保存邮件提醒设置", "/notifications#mail").await,
        other => {
            let (errors, status) = super::form_refusal(other, "form")?;
            let p = page(&state, &user, Some(form), errors).await?;
            Ok((status, p).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "overseer/outbox.html")]
pub struct OutboxPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    rows: Vec<OutboxRow>,
    counts: Vec<(OutboxState, i64)>,
    shown: Option<OutboxState>,
    mail_on: bool,
}

impl OutboxPage {
    fn when(&self, at: &str) -> String {
        display_moment(at)
    }

    fn is_shown(&self, s: &OutboxState) -> bool {
        self.shown == Some(*s)
    }
}

pub async fn outbox(
    State(state): State<AppState>, session: Session, _: RequireOverseer, user: CurrentUser,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> AppResult<OutboxPage> {
    let shown = query_value(query.as_deref(), "state").and_then(|s| OutboxState::parse(&s));
    Ok(OutboxPage {
        nav: Nav::for_user(&user, "/admin/outbox"),
        csrf: user.csrf.clone(),
        flash: session::take_flash(&session).await?,
        rows: db::notify::outbox(&state.db.read, shown).await?,
        counts: db::notify::outbox_counts(&state.db.read).await?,
        shown,
        mail_on: state.db.mail_on(),
    })
}

pub async fn resend(
    State(state): State<AppState>, session: Session, _: RequireOverseer, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<Response> {
    match actions::notify::resend(&state.db, &user, id).await? {
        Outcome::Done(()) => done(&session, "已重新排入发送队列", "/admin/outbox").await,
        other => Err(refusal(other)),
    }
}
