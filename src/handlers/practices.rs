//! 经验总结和典型做法: every user reads the promoted ones (/practices, newest first, by category,
//! one XLSX); a unit submits its own (/branches/{id}/practices); the 组织部 promotes.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use axum::extract::multipart::{Multipart, MultipartRejection};

use super::{Form, Nav, Path, SentMultipart, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, RequireOverseer, session};
use crate::db;
use crate::db::practices::PracticeRow;
use crate::db::units::BranchRow;
use crate::domain::BranchId;
use crate::domain::dates::display_moment;
use crate::domain::input::FieldErrors;
use crate::domain::practices::{TEXT_MAX, TITLE_MAX};
use crate::error::{AppError, AppResult};
use crate::export::workbooks::{self, PracticeLine};

#[derive(Template, WebTemplate)]
#[template(path = "practices.html")]
pub struct PracticesPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    campaign_title: String,
    promoted: Vec<PracticeRow>,
    /// Not yet promoted, as the reader may see them (the 组织部: all; others: their own).
    waiting: Vec<PracticeRow>,
    overseer: bool,
    reviewer: bool,
}

impl PracticesPage {
    fn when(&self, at: &str) -> String {
        display_moment(at)
    }
}

async fn list(state: &AppState, user: &CurrentUser) -> AppResult<(String, Vec<PracticeRow>, Vec<PracticeRow>)> {
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let all = db::practices::visible(&state.db.read, user.scope(), campaign.id).await?;
    let (promoted, waiting) = all.into_iter().partition(|p| p.promoted_at.is_some());
    Ok((campaign.title, promoted, waiting))
}

pub async fn show(State(state): State<AppState>, session: Session, user: CurrentUser) -> AppResult<PracticesPage> {
    let (campaign_title, promoted, waiting) = list(&state, &user).await?;
    Ok(PracticesPage {
        nav: Nav::for_user(&user, "/practices"),
        csrf: user.csrf.clone(),
        flash: session::take_flash(&session).await?,
        overseer: user.scope().is_campus(),
        reviewer: user.role() == crate::domain::Role::Reviewer,
        campaign_title,
        promoted,
        waiting,
    })
}

/// The promoted practices as one workbook.
pub async fn xlsx(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let (campaign_title, promoted, _) = list(&state, &user).await?;
    let lines: Vec<PracticeLine> = promoted
        .into_iter()
        .map(|p| PracticeLine {
            unit: p.who,
            category: p.category_title.unwrap_or_default(),
            title: p.title,
            text: p.text,
            measures: p.grew_from.measures,
        })
        .collect();
    let title = format!("{campaign_title} 经验总结和典型做法");
    let bytes = crate::export::render(move || workbooks::practices(&title, &lines)).await?;
    Ok(super::named_download(
        super::XLSX,
        "典型做法.xlsx",
        "practices.xlsx",
        bytes,
    ))
}

/// The promoted practices as one PDF, one section each, by category.
pub async fn pdf(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let (campaign_title, promoted, _) = list(&state, &user).await?;
    let sections = promoted
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut lines = vec![format!(
                "{}{}",
                p.who,
                p.category_title.map(|t| format!("（{t}）")).unwrap_or_default()
            )];
            lines.extend(
                p.text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            );
            if !p.grew_from.measures.is_empty() {
                let measures: Vec<&str> = p.grew_from.measures.lines().collect();
                lines.push(format!("源自的整改措施：{}", measures.join("；")));
            }
            (format!("{}. {}", i + 1, p.title), lines)
        })
        .collect();
    let doc = crate::export::SummaryDoc {
        title: format!("{campaign_title}经验总结和典型做法"),
        unit_name: "组织部".into(),
        meta: vec!["（组织部推广）".into()],
        campaign_title,
        sections,
    };
    let bytes = crate::export::render(move || crate::export::pdf::summary(&doc)).await?;
    Ok(super::named_download(
        "application/pdf",
        "典型做法.pdf",
        "practices.pdf",
        bytes,
    ))
}

/// An attachment of a practice the user may read.
pub async fn file(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let file = db::practices::file(&state.db.read, user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(super::close_out::file_response(file))
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PromoteData {
    version: i64,
    /// "1" to promote, "0" to take the mark back.
    promote: String,
}

pub async fn promote(
    State(state): State<AppState>, session: Session, RequireOverseer(user): RequireOverseer, Path(id): Path<i64>,
    Form(form): Form<PromoteData>,
) -> AppResult<Response> {
    let promoted = form.promote != "0";
    match actions::practices::promote(&state.db, &user, id, form.version, promoted).await? {
        Outcome::Done(()) => {
            let said = if promoted {
                "已推广，全校可见"
            } else {
                "已取消推广"
            };
            done(&session, said, &format!("/practices#practice-{id}")).await
        }
        other => Err(refusal(other)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "branch/practice.html")]
pub struct SubmitPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    branch: BranchRow,
    categories: Vec<db::ledger::CategoryRow>,
    /// The unit's measures to pick from: (id, text, ticked).
    measures: Vec<(i64, String, bool)>,
    sent: HashMap<String, String>,
    errors: FieldErrors,
    mine: Vec<PracticeRow>,
    title_max: usize,
    text_max: usize,
}

impl SubmitPage {
    fn sent(&self, k: &str) -> &str {
        self.sent.get(k).map(String::as_str).unwrap_or("")
    }

    fn is_category(&self, id: &crate::domain::CategoryId) -> bool {
        self.sent("category_id") == id.to_string()
    }
}

async fn submit_page(
    state: &AppState, user: &CurrentUser, branch: BranchId, sent: HashMap<String, String>, errors: FieldErrors,
) -> AppResult<SubmitPage> {
    let row = db::units::branch(&state.db.read, user.scope(), branch)
        .await?
        .ok_or(AppError::NotFound)?;
    super::keeper_only(state, user, branch).await?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let measures = db::ledger::measures(&state.db.read, user.scope(), campaign.id, branch)
        .await?
        .into_iter()
        .map(|m| (m.id.0, m.text.clone(), sent.contains_key(&format!("measure_{}", m.id))))
        .collect();
    let mine = db::practices::visible(&state.db.read, user.scope(), campaign.id)
        .await?
        .into_iter()
        .filter(|p| p.branch_id == branch)
        .collect();
    Ok(SubmitPage {
        nav: Nav::for_user(user, &format!("/branches/{branch}")),
        csrf: user.csrf.clone(),
        flash: None,
        categories: db::ledger::categories(&state.db, campaign.id).await?,
        branch: row,
        measures,
        sent,
        errors,
        mine,
        title_max: TITLE_MAX,
        text_max: TEXT_MAX,
    })
}

pub async fn form(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>,
) -> AppResult<SubmitPage> {
    let mut p = submit_page(&state, &user, BranchId(branch), HashMap::new(), FieldErrors::default()).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

pub async fn submit(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    let Ok(multipart) = multipart else {
        super::keeper_only(&state, &user, branch).await?;
        return Err(super::not_a_form());
    };
    let mut sent = SentMultipart::read(multipart).await;
    let files = sent.files("files");
    let form = sent.all_text();
    match actions::practices::submit(&state.db, &user, branch, &form, files, sent.broken).await? {
        Outcome::Done(id) => {
            let said = "已提交典型做法；组织部推广后全校可见";
            done(&session, said, &format!("/branches/{branch}/practices#practice-{id}")).await
        }
        Outcome::Invalid(e) => {
            let p = submit_page(&state, &user, branch, form, e).await?;
            Ok((StatusCode::BAD_REQUEST, p).into_response())
        }
        other => Err(refusal(other)),
    }
}
