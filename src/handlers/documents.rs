//! The campaign's reference documents: the 组织部's page to attach and remove them, and the
//! download every logged-in user may open (the ledger page lists them).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::documents::DocumentForm;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::documents::DocumentMeta;
use crate::domain::CampaignId;
use crate::domain::documents::{DOC_NUMBER_MAX, TITLE_MAX, URL_MAX};
use crate::domain::evidence::MAX_BYTES;
use crate::domain::input::FieldErrors;
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "overseer/documents.html")]
pub struct DocumentsPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    campaign: Campaign,
    documents: Vec<DocumentMeta>,
    title: String,
    doc_number: String,
    url: String,
    errors: FieldErrors,
    title_max: usize,
    doc_number_max: usize,
    url_max: usize,
    max_mb: usize,
}

async fn page(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<DocumentsPage> {
    let campaign = db::campaigns::by_id(&state.db.read, CampaignId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(DocumentsPage {
        nav: Nav::for_user(user, "/admin/campaigns"),
        csrf: user.csrf.clone(),
        flash: None,
        documents: db::documents::list(&state.db.read, campaign.id).await?,
        campaign,
        title: String::new(),
        doc_number: String::new(),
        url: String::new(),
        errors: FieldErrors::default(),
        title_max: TITLE_MAX,
        doc_number_max: DOC_NUMBER_MAX,
        url_max: URL_MAX,
        max_mb: MAX_BYTES / 1024 / 1024,
    })
}

pub async fn show(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<DocumentsPage> {
    let mut p = page(&state, &user, id).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

async fn read_form(multipart: Multipart) -> DocumentForm {
    let mut sent = super::SentMultipart::read(multipart).await;
    DocumentForm {
        title: sent.text("title"),
        doc_number: sent.text("doc_number"),
        url: sent.text("url"),
        file: sent.files("file").into_iter().next(),
        broken: sent.broken,
    }
}

pub async fn add(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let Ok(multipart) = multipart else {
        return Err(super::not_a_form());
    };
    let form = read_form(multipart).await;
    let (title, doc_number, url, chosen) = (
        form.title.clone(),
        form.doc_number.clone(),
        form.url.clone(),
        form.file.is_some(),
    );
    match actions::documents::add(&state.db, &user, CampaignId(id), form).await? {
        Outcome::Done(()) => done(&session, "已添加参考文件", &format!("/admin/campaigns/{id}/documents")).await,
        Outcome::Invalid(mut e) => {
            if chosen {
                e.add("file", crate::domain::evidence::REPICK);
            }
            let mut p = page(&state, &user, id).await?;
            (p.title, p.doc_number, p.url, p.errors) = (title, doc_number, url, e);
            Ok((StatusCode::BAD_REQUEST, p).into_response())
        }
        other => Err(refusal(other)),
    }
}

pub async fn delete(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((id, doc)): Path<(i64, i64)>,
) -> AppResult<Response> {
    match actions::documents::delete(&state.db, &user, CampaignId(id), doc).await? {
        Outcome::Done(()) => done(&session, "已删除参考文件", &format!("/admin/campaigns/{id}/documents")).await,
        other => Err(refusal(other)),
    }
}

/// Downloads a reference document's file: the campaign's documents are for every user.
pub async fn download(State(state): State<AppState>, _user: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let file = db::documents::file(&state.db.read, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // A PDF opens to be read; a Word file downloads.
    let inline = file.content_type == "application/pdf";
    Ok(super::close_out::file_response_as(file, inline))
}
