//! 销号 requests: the secretary says a measure is done, with a note and evidence files; and the
//! scope-checked download of those files.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{Form, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome};
use crate::auth::CurrentUser;
use crate::db;
use crate::db::evidence::EvidenceMeta;
use crate::db::measures::Measure;
use crate::domain::evidence::{MAX_BYTES, MAX_FILES_PER_MEASURE, MAX_UPLOAD_BYTES};
use crate::domain::input::{FieldErrors, NOTE_MAX};
use crate::domain::states::MeasureStatus;
use crate::domain::{BranchId, EvidenceId, MeasureId};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/close_out.html")]
pub struct CloseOutPage {
    nav: Nav,
    csrf: String,
    branch_id: BranchId,
    measure: Measure,
    evidence: Vec<EvidenceMeta>,
    note: String,
    errors: FieldErrors,
    note_max: usize,
    max_files: usize,
    max_mb: usize,
    max_total_mb: usize,
}

/// The page for a measure of `branch` in the user's scope, with `note` and `errors` shown.
async fn page(
    state: &AppState, user: &CurrentUser, branch: BranchId, measure: MeasureId, note: Option<String>,
    errors: FieldErrors,
) -> AppResult<CloseOutPage> {
    let measure = db::measures::of_branch(&state.db.read, user.scope(), branch, measure)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let evidence = db::evidence::of_branch(&state.db.read, user.scope(), campaign.id, branch)
        .await?
        .into_iter()
        .filter(|e| e.measure_id == measure.id)
        .collect();
    Ok(CloseOutPage {
        nav: Nav::for_user(user, ""),
        csrf: user.csrf.clone(),
        branch_id: branch,
        evidence,
        note: note.unwrap_or_else(|| measure.completion_note.clone()),
        errors,
        measure,
        note_max: NOTE_MAX,
        max_files: MAX_FILES_PER_MEASURE,
        max_total_mb: MAX_UPLOAD_BYTES / 1024 / 1024,
        max_mb: MAX_BYTES / 1024 / 1024,
    })
}

pub async fn form(
    State(state): State<AppState>, user: CurrentUser, Path((branch, measure)): Path<(i64, i64)>,
) -> AppResult<CloseOutPage> {
    super::keeper_only(&state, &user, BranchId(branch)).await?;
    let p = page(
        &state,
        &user,
        BranchId(branch),
        MeasureId(measure),
        None,
        FieldErrors::default(),
    )
    .await?;
    if !p.measure.status.branch_may_edit() {
        return Err(AppError::Refused("这条措施已销号。".into()));
    }
    Ok(p)
}

/// What the multipart form carried: the note, the version seen, the files; `broken` when the
/// upload did not arrive whole (the note, sent before the files, is usually still there).
async fn read_form(multipart: Multipart) -> actions::close_out::Request {
    let mut sent = super::SentMultipart::read(multipart).await;
    actions::close_out::Request {
        note: sent.text("note"),
        version: sent.version(),
        files: sent.files("files"),
        broken: sent.broken,
    }
}

/// 申请销号 (or adding to a pending request): the completion note and evidence files.
pub async fn submit(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, measure)): Path<(i64, i64)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), MeasureId(measure));
    let Ok(multipart) = multipart else {
        // Another unit's measure is not found, and another's step forbidden, whatever was sent.
        super::keeper_only(&state, &user, branch).await?;
        db::measures::of_branch(&state.db.read, user.scope(), branch, id)
            .await?
            .ok_or(AppError::NotFound)?;
        return Err(super::not_a_form());
    };
    let sent = read_form(multipart).await;
    let note = sent.note.clone();
    let errors = match actions::close_out::request(&state.db, &user, branch, id, sent).await? {
        Outcome::Done(finding) => {
            return done(
                &session,
                "已提交销号申请，等待上级党组织确认",
                &format!("/branches/{branch}/findings/{finding}#measure-{id}"),
            )
            .await;
        }
        Outcome::Invalid(e) => e,
        Outcome::Stale(m) => {
            let mut e = FieldErrors::default();
            e.add("files", m);
            e
        }
        other => return Err(refusal(other)),
    };
    let p = page(&state, &user, branch, id, Some(note), errors).await?;
    Ok((StatusCode::BAD_REQUEST, p).into_response())
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct VersionData {
    version: i64,
}

/// Takes a pending 销号 request back (已完成 → 整改中).
pub async fn withdraw(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<VersionData>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), MeasureId(measure));
    match actions::close_out::withdraw(&state.db, &user, branch, id, form.version).await? {
        Outcome::Done(finding) => {
            done(
                &session,
                "已撤回销号申请",
                &format!("/branches/{branch}/findings/{finding}#measure-{id}"),
            )
            .await
        }
        other => Err(refusal(other)),
    }
}

/// Removes an evidence file of a measure not yet closed off.
pub async fn delete_evidence(
    State(state): State<AppState>, session: Session, user: CurrentUser,
    Path((branch, measure, file)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), MeasureId(measure));
    match actions::close_out::delete_evidence(&state.db, &user, branch, id, EvidenceId(file)).await? {
        Outcome::Done(()) => {
            done(
                &session,
                "已删除证明材料",
                &format!("/branches/{branch}/measures/{id}/close-out"),
            )
            .await
        }
        other => Err(refusal(other)),
    }
}

/// Downloads an evidence file, only within scope. Images open in the browser; PDFs download.
/// `sandbox` keeps any script in a file from running as this site.
pub async fn download(
    State(state): State<AppState>, user: CurrentUser, Path((branch, file)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let file = db::evidence::file(&state.db.read, user.scope(), BranchId(branch), EvidenceId(file))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}

/// A stored file as a response: images open in the browser, PDFs download; `sandbox` keeps any
/// script in a file from running as this site.
pub fn file_response(file: db::evidence::EvidenceFile) -> Response {
    let inline = file.content_type.starts_with("image/");
    file_response_as(file, inline)
}

/// A stored file opened in the browser (`inline`) or downloaded, under its name.
pub fn file_response_as(file: db::evidence::EvidenceFile, inline: bool) -> Response {
    let disposition = if inline { "inline" } else { "attachment" };
    (
        [
            (header::CONTENT_TYPE, file.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                super::content_disposition(disposition, &file.file_name),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; frame-ancestors 'none'".to_string(),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        file.data,
    )
        .into_response()
}
