//! 销号 requests: the secretary says a measure is done, with a note and evidence files; and the
//! scope-checked download of those files.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::work::Work;
use super::{Form, Nav, Path};
use crate::AppState;
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::evidence::EvidenceMeta;
use crate::db::measures::Measure;
use crate::domain::evidence::{self, MAX_BYTES, MAX_FILES_PER_MEASURE};
use crate::domain::input::{FieldErrors, NOTE_MAX, completion_note};
use crate::domain::states::MeasureStatus;
use crate::domain::{BranchId, EvidenceId, MeasureId};
use crate::error::{AppError, AppResult};

/// The most one upload request carries (several photos at once).
pub const MAX_UPLOAD_BYTES: usize = 30 * 1024 * 1024;

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

async fn load(state: &AppState, user: &CurrentUser, branch: i64, measure: i64) -> AppResult<(Work, Measure)> {
    let work = Work::load(state, user, branch).await?;
    let m = db::measures::of_branch(&state.db.read, user.scope, work.branch.id, MeasureId(measure))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((work, m))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    work: &Work,
    measure: Measure,
    note: String,
    errors: FieldErrors,
) -> AppResult<CloseOutPage> {
    let evidence = db::evidence::of_branch(&state.db.read, user.scope, work.campaign.id, work.branch.id)
        .await?
        .into_iter()
        .filter(|e| e.measure_id == measure.id)
        .collect();
    Ok(CloseOutPage {
        nav: Nav::for_user(user, ""),
        csrf: user.csrf.clone(),
        branch_id: work.branch.id,
        evidence,
        note,
        errors,
        measure,
        note_max: NOTE_MAX,
        max_files: MAX_FILES_PER_MEASURE,
        max_total_mb: MAX_UPLOAD_BYTES / 1024 / 1024,
        max_mb: MAX_BYTES / 1024 / 1024,
    })
}

pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((branch, measure)): Path<(i64, i64)>,
) -> AppResult<CloseOutPage> {
    let (work, m) = load(&state, &user, branch, measure).await?;
    if !m.status.branch_may_edit() {
        return Err(AppError::Refused("这条措施已销号。".into()));
    }
    let note = m.completion_note.clone();
    page(&state, &user, &work, m, note, FieldErrors::default()).await
}

/// A file as uploaded.
struct Upload {
    name: String,
    bytes: Vec<u8>,
}

/// What the multipart form carried. `broken` says the upload did not arrive whole (too large in
/// total, or the connection dropped); the note, sent before the files, is usually still there.
struct Sent {
    note: String,
    version: i64,
    files: Vec<Upload>,
    broken: bool,
}

async fn read_form(mut multipart: Multipart) -> Sent {
    let mut sent = Sent {
        note: String::new(),
        version: 0,
        files: Vec::new(),
        broken: false,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                sent.broken = true;
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().unwrap_or("").to_string();
        let Ok(bytes) = field.bytes().await else {
            sent.broken = true;
            break;
        };
        match name.as_str() {
            "note" => sent.note = String::from_utf8_lossy(&bytes).into_owned(),
            "version" => sent.version = String::from_utf8_lossy(&bytes).trim().parse().unwrap_or(0),
            "files" if !bytes.is_empty() || !file_name.is_empty() => sent.files.push(Upload {
                name: file_name,
                bytes: bytes.to_vec(),
            }),
            _ => {}
        }
    }
    sent
}

/// 申请销号 (or adding to a pending request): the completion note and evidence files.
pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, measure)): Path<(i64, i64)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let (work, m) = load(&state, &user, branch, measure).await?;
    let Sent {
        note: note_text,
        version,
        files,
        broken,
    } = read_form(multipart.map_err(|_| super::not_a_form())?).await;
    let mut errors = FieldErrors::default();
    if broken {
        errors.add(
            "files",
            format!(
                "文件没有完整上传：一次提交合计不能超过 {} MB（也可能是网络中断），请分几次上传，或压缩照片后重试。",
                MAX_UPLOAD_BYTES / 1024 / 1024
            ),
        );
    }
    let note = match completion_note(&note_text) {
        Ok(n) => n,
        Err(e) => {
            errors = e;
            String::new()
        }
    };
    let mut accepted = Vec::new();
    for f in files.iter().filter(|f| !f.bytes.is_empty()) {
        match evidence::sniff(&f.bytes) {
            _ if f.bytes.len() > MAX_BYTES => errors.add(
                "files",
                format!("“{}”超过 {} MB，请压缩后再上传", f.name, MAX_BYTES / 1024 / 1024),
            ),
            None => errors.add("files", format!("“{}”不是照片（JPG/PNG/WebP）或 PDF 文件", f.name)),
            Some(kind) => accepted.push((evidence::clean_file_name(&f.name, kind), kind, &f.bytes)),
        }
    }
    if !errors.is_empty() {
        if !accepted.is_empty() || files.iter().any(|f| !f.bytes.is_empty()) {
            errors.add("files", "出于安全原因，浏览器不会保留已选择的文件，请重新选择后提交。");
        }
        let p = page(&state, &user, &work, m, note_text, errors).await?;
        return Ok((StatusCode::BAD_REQUEST, p).into_response());
    }
    let id = m.id;
    let outcome = work
        .report(&state, async |tx| {
            let before = db::measures::get_of_branch(tx, work.actor, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !before.status.branch_may_edit() {
                return Err(AppError::Refused("这条措施已销号。".into()));
            }
            let existing = db::evidence::count_for_measure(tx, id).await? as usize;
            if existing + accepted.len() > MAX_FILES_PER_MEASURE {
                return Ok(Err(format!(
                    "每条措施最多 {MAX_FILES_PER_MEASURE} 个证明材料文件，已有 {existing} 个"
                )));
            }
            if db::measures::set_progress(tx, work.actor, &before, version, MeasureStatus::Done, &note)
                .await?
                .is_err()
            {
                return Ok(Err(
                    "这条措施刚刚被他人修改过，销号申请没有提交；您填写的说明已保留，请核对后重新提交（文件需重新选择）。"
                        .to_string(),
                ));
            }
            let after = db::measures::get_of_branch(tx, work.actor, id)
                .await?
                .ok_or(AppError::NotFound)?;
            for (name, kind, bytes) in &accepted {
                db::evidence::add(tx, work.actor, &after, name, kind, bytes).await?;
            }
            Ok(Ok(before.finding_id))
        })
        .await?;
    match outcome {
        Ok(finding) => {
            session::flash(&session, "已提交销号申请，等待党总支（党委）确认").await?;
            Ok(Redirect::to(&format!("{}/findings/{finding}#measure-{id}", work.ledger_url())).into_response())
        }
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("files", message);
            let p = page(&state, &user, &work, m, note_text, errors).await?;
            Ok((StatusCode::BAD_REQUEST, p).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
pub struct VersionData {
    #[serde(default)]
    version: i64,
}

/// Takes a pending 销号 request back (已完成 → 整改中).
pub async fn withdraw(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<VersionData>,
) -> AppResult<Response> {
    let (work, m) = load(&state, &user, branch, measure).await?;
    work.report(&state, async |tx| {
        let before = db::measures::get_of_branch(tx, work.actor, m.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !before.status.may_withdraw_close_out() {
            return Err(AppError::Refused("这条措施没有待确认的销号申请。".into()));
        }
        let note = before.completion_note.clone();
        if db::measures::set_progress(tx, work.actor, &before, form.version, MeasureStatus::InProgress, &note)
            .await?
            .is_err()
        {
            return Err(AppError::Conflict(
                "这条措施刚刚被他人修改过，没有撤回。请返回查看最新内容。".into(),
            ));
        }
        Ok(())
    })
    .await?;
    session::flash(&session, "已撤回销号申请").await?;
    Ok(Redirect::to(&format!(
        "{}/findings/{}#measure-{}",
        work.ledger_url(),
        m.finding_id,
        m.id
    ))
    .into_response())
}

/// Removes an evidence file of a measure not yet closed off.
pub async fn delete_evidence(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, measure, file)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    let (work, m) = load(&state, &user, branch, measure).await?;
    work.report(&state, async |tx| {
        let current = db::measures::get_of_branch(tx, work.actor, m.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !current.status.branch_may_edit() {
            return Err(AppError::Refused("这条措施已销号，证明材料不能再删除。".into()));
        }
        if !db::evidence::delete(tx, work.actor, &current, EvidenceId(file)).await? {
            return Err(AppError::NotFound);
        }
        Ok(())
    })
    .await?;
    session::flash(&session, "已删除证明材料").await?;
    Ok(Redirect::to(&format!("{}/measures/{}/close-out", work.ledger_url(), m.id)).into_response())
}

/// Downloads an evidence file, only within scope. Images open in the browser; PDFs download.
/// `sandbox` keeps any script in a file from running as this site.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((branch, file)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let file = db::evidence::file(&state.db.read, user.scope, BranchId(branch), EvidenceId(file))
        .await?
        .ok_or(AppError::NotFound)?;
    let disposition = if file.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    Ok((
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
        .into_response())
}
