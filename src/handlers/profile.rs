//! A branch's data that 附件1 checks it against (上次换届, 任期, 支委, 正式党员, 书记空缺), kept by
//! its committee and the 组织部 for the current campaign, with its history.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::views::HistoryView;
use super::{Form, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::units::ProfileForm;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, RequireReviewer};
use crate::db;
use crate::db::units::BranchRow;
use crate::domain::BranchId;
use crate::domain::dates::{self, format_date};
use crate::domain::hints::{Hint, hints};
use crate::domain::input::FieldErrors;
use crate::domain::units::Level;
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/profile.html")]
pub struct ProfilePage {
    nav: Nav,
    csrf: String,
    branch: BranchRow,
    campaign_title: String,
    form: ProfileForm,
    errors: FieldErrors,
    conflict: bool,
    /// What the saved data says today.
    hints: Vec<Hint>,
    history: Vec<HistoryView>,
}

async fn page(
    state: &AppState, user: &CurrentUser, id: BranchId, sent: Option<(ProfileForm, FieldErrors)>,
) -> AppResult<ProfilePage> {
    let db = &state.db.read;
    let branch = db::units::branch(db, user.scope(), id)
        .await?
        .filter(|b| b.level == Level::Branch)
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let saved = db::profiles::get(db, user.scope(), campaign.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = saved.profile();
    let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let (form, errors, conflict) = match sent {
        Some((mut form, errors)) => {
            let conflict = errors.is_empty();
            if conflict {
                // Changed by someone else: their version, so that saving again, after checking, goes through.
                form.version = saved.version;
            }
            (form, errors, conflict)
        }
        None => (
            ProfileForm {
                last_election_on: p.last_election_on.map(format_date).unwrap_or_default(),
                term_years: p.term_years.to_string(),
                committee_members: text(p.committee_members),
                full_members: text(p.full_members),
                secretary_vacant_since: p.secretary_vacant_since.map(format_date).unwrap_or_default(),
                version: saved.version,
            },
            FieldErrors::default(),
            false,
        ),
    };
    let history = db::audit::profile_history(db, user.scope(), id).await?;
    Ok(ProfilePage {
        nav: Nav::for_user(user, ""),
        csrf: user.csrf.clone(),
        campaign_title: campaign.title,
        hints: hints(&p, dates::today(), &state.config.hints),
        history: history.into_iter().map(HistoryView::from).collect(),
        branch,
        form,
        errors,
        conflict,
    })
}

pub async fn show(
    State(state): State<AppState>, RequireReviewer(user): RequireReviewer, Path(id): Path<i64>,
) -> AppResult<ProfilePage> {
    page(&state, &user, BranchId(id), None).await
}

pub async fn save(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let branch = BranchId(id);
    let (errors, status) = match actions::units::save_profile(&state.db, &user, branch, &form).await? {
        Outcome::Done(()) => return done(&session, "支部基本情况已保存", &format!("/branches/{id}#profile")).await,
        Outcome::Invalid(e) => (e, StatusCode::BAD_REQUEST),
        Outcome::Stale(_) => (FieldErrors::default(), StatusCode::CONFLICT),
        other => return Err(refusal(other)),
    };
    Ok((status, page(&state, &user, branch, Some((form, errors))).await?).into_response())
}
