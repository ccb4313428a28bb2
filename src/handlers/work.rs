//! The committee's own campaign work: deployment meetings, guidance of a branch and 书记轮训,
//! recorded by its reviewers (the 组织部 reads them). They fill 附件3 一 in the draft.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{Form, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::units::CommitteeRow;
use crate::db::work::WorkRow;
use crate::domain::CommitteeId;
use crate::domain::input::FieldErrors;
use crate::domain::work::{self, WorkForm, WorkKind};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "review/work.html")]
pub struct WorkPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    committee: CommitteeRow,
    campaign_title: String,
    records: Vec<WorkRow>,
    /// The committee's branches, for guidance.
    branches: Vec<(i64, String)>,
    /// Its reviewers record; the 组织部 reads.
    may_record: bool,
    form: WorkForm,
    errors: FieldErrors,
    title_max: usize,
    attendees_max: usize,
    found_max: usize,
}

impl WorkPage {
    fn kinds(&self) -> &'static [WorkKind] {
        WorkKind::ALL
    }
}

async fn page(
    state: &AppState, user: &CurrentUser, id: i64, sent: Option<(WorkForm, FieldErrors)>,
) -> AppResult<WorkPage> {
    let db = &state.db.read;
    let committee = db::units::committee(db, user.scope(), CommitteeId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let scope = user.scope().within_committee(committee.id).ok_or(AppError::NotFound)?;
    let branches = db::progress::branches(&state.db, scope, campaign.id, crate::domain::dates::today())
        .await?
        .into_iter()
        .map(|b| (b.branch_id.0, b.branch_name))
        .collect();
    let (form, errors) = sent.unwrap_or_else(|| {
        (
            WorkForm {
                kind: WorkKind::Training.code().into(),
                held_on: crate::domain::dates::format_date(crate::domain::dates::today()),
                ..WorkForm::default()
            },
            FieldErrors::default(),
        )
    });
    Ok(WorkPage {
        nav: Nav::for_user(user, &format!("/committees/{id}")),
        csrf: user.csrf.clone(),
        flash: None,
        records: db::work::list(db, user.scope(), campaign.id, committee.id).await?,
        committee,
        campaign_title: campaign.title,
        branches,
        may_record: actions::work::may_record(user),
        form,
        errors,
        title_max: work::TITLE_MAX,
        attendees_max: work::ATTENDEES_MAX,
        found_max: work::FOUND_MAX,
    })
}

pub async fn show(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<WorkPage> {
    let mut p = page(&state, &user, id, None).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

pub async fn add(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>, Form(form): Form<WorkForm>,
) -> AppResult<Response> {
    match actions::work::add(&state.db, &user, CommitteeId(id), &form).await? {
        Outcome::Done(()) => done(&session, "已记录", &format!("/committees/{id}/work")).await,
        Outcome::Invalid(e) => {
            let p = page(&state, &user, id, Some((form, e))).await?;
            Ok((StatusCode::BAD_REQUEST, p).into_response())
        }
        other => Err(refusal(other)),
    }
}

pub async fn delete(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((id, work_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    match actions::work::delete(&state.db, &user, CommitteeId(id), work_id).await? {
        Outcome::Done(()) => done(&session, "已删除这条记录", &format!("/committees/{id}/work")).await,
        other => Err(refusal(other)),
    }
}
