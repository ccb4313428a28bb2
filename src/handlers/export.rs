//! Downloads of 附件2 and 附件3 (PDF, XLSX, and a committee's whole 报送材料 as one ZIP), and
//! /verify, where anyone holding a printed copy can check its code.
//!
//! Every export is stamped with a verification code for its exact content (db::exports), and is
//! rendered off the async runtime, a few at a time, so a committee's big bundle does not hold up
//! other users.

use std::io::Write;
use std::sync::LazyLock;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use tokio::sync::Semaphore;

use super::{CampaignParam, Nav, Path, download, query_value, xlsx_download};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::exports::{Issue, Unit};
use crate::domain::dates::display_moment;
use crate::domain::verification::{DocKind, display_code, parse_code};
use crate::domain::{BranchId, CommitteeId, Scope};
use crate::error::{AppError, AppResult};
use crate::export::{self, Checklist, ReportDoc, Stamp};

fn render_slots() -> usize {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    cores.saturating_sub(1).max(1)
}

/// Renders on all cores but one at a time, so pages stay quick while a committee downloads
/// its bundle; further exports wait their turn.
static RENDERING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(render_slots()));

/// Exports being prepared at once (their data read, rendering or waiting to): one more than
/// render, so the renderer never waits for data, and 64 simultaneous downloads hold two
/// documents' data in memory rather than 64.
static PREPARING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(render_slots() + 1));

async fn preparing() -> AppResult<tokio::sync::SemaphorePermit<'static>> {
    PREPARING.acquire().await.map_err(|e| AppError::Internal(e.into()))
}

async fn render<T: Send + 'static>(job: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> AppResult<T> {
    let _permit = RENDERING.acquire().await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(tokio::task::spawn_blocking(job).await??)
}

async fn campaign(state: &AppState, asked: CampaignParam) -> AppResult<Campaign> {
    db::campaigns::resolve(&state.db, asked.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// 附件2 of a branch or committee as the scope sees it, with whose it is (for the code).
pub async fn load_checklist(
    state: &AppState,
    scope: Scope,
    campaign: &Campaign,
    unit: Unit,
) -> AppResult<(Checklist, CommitteeId, String)> {
    let (committee, unit_name) = match unit {
        Unit::Branch(id) => {
            let b = db::units::branch(&state.db.read, scope, id)
                .await?
                .ok_or(AppError::NotFound)?;
            (
                db::units::CommitteeRow {
                    id: b.committee_id,
                    name: b.committee_name,
                },
                b.name,
            )
        }
        Unit::Committee(id) => {
            let c = db::units::committee(&state.db.read, scope, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let name = c.name.clone();
            (c, name)
        }
    };
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let branches = db::exports::branches(&state.db.read, scope, campaign.id, unit).await?;
    let rows = db::exports::checklist_rows(&state.db.read, scope, campaign.id, unit).await?;
    let doc = export::checklist(
        &state.config.institution,
        &committee.name,
        &campaign.title,
        &categories,
        branches,
        &rows,
    );
    Ok((doc, committee.id, unit_name))
}

pub async fn load_report(
    state: &AppState,
    scope: Scope,
    campaign: &Campaign,
    committee: CommitteeId,
) -> AppResult<ReportDoc> {
    let c = db::units::committee(&state.db.read, scope, committee)
        .await?
        .ok_or(AppError::NotFound)?;
    let report = db::reports::get(&state.db.read, campaign.id, c.id)
        .await?
        .unwrap_or_default();
    Ok(export::report(&c.name, &campaign.title, &report))
}

/// The code for this content, issued now if it is new.
async fn stamp(state: &AppState, issue: Issue<'_>) -> AppResult<Stamp> {
    let code = db::exports::code_for(&state.db.read, &state.db.write, &issue).await?;
    Ok(Stamp {
        code: display_code(&code),
    })
}

async fn checklist_stamped(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    unit: Unit,
) -> AppResult<(Checklist, Stamp, String)> {
    let (doc, committee, unit_name) = load_checklist(state, user.scope, campaign, unit).await?;
    let digest = export::digest(&doc);
    let (kind, branch) = match unit {
        Unit::Branch(b) => (DocKind::BranchChecklist, Some(b)),
        Unit::Committee(_) => (DocKind::CommitteeChecklist, None),
    };
    let stamp = stamp(
        state,
        Issue {
            kind,
            campaign: campaign.id,
            committee,
            branch,
            digest: &digest,
            signed: doc.is_signed(),
            by: user.id,
        },
    )
    .await?;
    Ok((doc, stamp, unit_name))
}

async fn report_stamped(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    committee: CommitteeId,
) -> AppResult<(ReportDoc, Stamp)> {
    let doc = load_report(state, user.scope, campaign, committee).await?;
    let digest = export::digest(&doc);
    let stamp = stamp(
        state,
        Issue {
            kind: DocKind::Report,
            campaign: campaign.id,
            committee,
            branch: None,
            digest: &digest,
            signed: doc.is_signed(),
            by: user.id,
        },
    )
    .await?;
    Ok((doc, stamp))
}

#[derive(Clone, Copy)]
enum Format {
    Pdf,
    Xlsx,
}

async fn checklist_download(
    state: AppState,
    user: CurrentUser,
    asked: CampaignParam,
    unit: Unit,
    format: Format,
) -> AppResult<Response> {
    let _preparing = preparing().await?;
    let campaign = campaign(&state, asked).await?;
    let (doc, stamp, unit_name) = checklist_stamped(&state, &user, &campaign, unit).await?;
    Ok(match format {
        Format::Pdf => {
            let bytes = render(move || export::pdf::checklist(&doc, &stamp)).await?;
            download(
                "application/pdf",
                &export::checklist_file_name(&unit_name, "pdf"),
                bytes,
            )
        }
        Format::Xlsx => {
            let bytes = render(move || export::xlsx::checklist(&doc, &stamp)).await?;
            xlsx_download(&export::checklist_file_name(&unit_name, "xlsx"), bytes)
        }
    })
}

async fn report_download(
    state: AppState,
    user: CurrentUser,
    asked: CampaignParam,
    committee: CommitteeId,
    format: Format,
) -> AppResult<Response> {
    let _preparing = preparing().await?;
    let campaign = campaign(&state, asked).await?;
    let (doc, stamp) = report_stamped(&state, &user, &campaign, committee).await?;
    let name = doc.committee_name.clone();
    Ok(match format {
        Format::Pdf => {
            let bytes = render(move || export::pdf::report(&doc, &stamp)).await?;
            download("application/pdf", &export::report_file_name(&name, "pdf"), bytes)
        }
        Format::Xlsx => {
            let bytes = render(move || export::xlsx::report(&doc, &stamp)).await?;
            xlsx_download(&export::report_file_name(&name, "xlsx"), bytes)
        }
    })
}

pub async fn branch_checklist_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    asked: CampaignParam,
) -> AppResult<Response> {
    checklist_download(state, user, asked, Unit::Branch(BranchId(id)), Format::Pdf).await
}

pub async fn branch_checklist_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    asked: CampaignParam,
) -> AppResult<Response> {
    checklist_download(state, user, asked, Unit::Branch(BranchId(id)), Format::Xlsx).await
}

pub async fn committee_checklist_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    asked: CampaignParam,
) -> AppResult<Response> {
    checklist_download(state, user, asked, Unit::Committee(CommitteeId(id)), Format::Pdf).await
}

pub async fn committee_checklist_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    asked: CampaignParam,
) -> AppResult<Response> {
    checklist_download(state, user, asked, Unit::Committee(CommitteeId(id)), Format::Xlsx).await
}

pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    asked: CampaignParam,
) -> AppResult<Response> {
    report_download(state, user, asked, CommitteeId(id), Format::Pdf).await
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    asked: CampaignParam,
) -> AppResult<Response> {
    report_download(state, user, asked, CommitteeId(id), Format::Xlsx).await
}

/// The committee's whole 报送材料 for the 10-20 e-mail: 附件3 (PDF and XLSX), 附件2 of all
/// branches as one workbook, and each branch's 附件2 as a PDF.
pub async fn submission_zip(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    asked: CampaignParam,
) -> AppResult<Response> {
    let _preparing = preparing().await?;
    let campaign = campaign(&state, asked).await?;
    let committee = CommitteeId(id);
    let (report, report_stamp) = report_stamped(&state, &user, &campaign, committee).await?;
    let (all, all_stamp, committee_name) =
        checklist_stamped(&state, &user, &campaign, Unit::Committee(committee)).await?;
    let branch_ids = db::exports::branches(&state.db.read, user.scope, campaign.id, Unit::Committee(committee)).await?;
    let mut branches = Vec::with_capacity(branch_ids.len());
    for b in branch_ids {
        branches.push(checklist_stamped(&state, &user, &campaign, Unit::Branch(b.branch_id)).await?);
    }
    let name = format!("报送材料-{committee_name}-{}.zip", campaign.title);
    let bytes = render(move || {
        let mut files: Vec<(String, Vec<u8>)> = vec![
            (
                export::report_file_name(&committee_name, "pdf"),
                export::pdf::report(&report, &report_stamp)?,
            ),
            (
                export::report_file_name(&committee_name, "xlsx"),
                export::xlsx::report(&report, &report_stamp)?,
            ),
            (
                export::checklist_file_name(&committee_name, "xlsx"),
                export::xlsx::checklist(&all, &all_stamp)?,
            ),
        ];
        for (doc, stamp, name) in &branches {
            files.push((
                format!("附件2/{}", export::checklist_file_name(name, "pdf")),
                export::pdf::checklist(doc, stamp)?,
            ));
        }
        zip_files(&files)
    })
    .await?;
    Ok(download("application/zip", &name, bytes))
}

/// A ZIP of `files`; a name met twice (two unit names that clean to the same file name) gets
/// a number, as a file manager would.
fn zip_files(files: &[(String, Vec<u8>)]) -> anyhow::Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Campus time, so the files show today's date when unpacked (the default is 1980).
    let now = time::OffsetDateTime::now_utc().to_offset(crate::domain::dates::CAMPUS_OFFSET);
    let modified = zip::DateTime::from_date_and_time(
        u16::try_from(now.year()).unwrap_or(1980),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(modified);
    let mut used = std::collections::HashSet::new();
    for (name, bytes) in files {
        let mut unique = name.clone();
        let mut n = 2;
        while !used.insert(unique.clone()) {
            unique = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}（{n}）.{ext}"),
                None => format!("{name}（{n}）"),
            };
            n += 1;
        }
        zip.start_file(unique.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    #[test]
    fn a_zip_never_holds_two_files_of_one_name() {
        let files = vec![
            ("a.pdf".to_string(), b"1".to_vec()),
            ("a.pdf".to_string(), b"2".to_vec()),
        ];
        let bytes = super::zip_files(&files).unwrap();
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
        names.sort();
        assert_eq!(names, ["a.pdf", "a（2）.pdf"]);
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "exports/verify.html")]
pub struct VerifyPage {
    nav: Nav,
    typed: String,
    /// `None` before anything is asked.
    outcome: Option<Outcome>,
}

pub enum Outcome {
    Genuine {
        code: String,
        document: &'static str,
        unit: String,
        campaign: String,
        issued_at: String,
        signed: bool,
        /// Whether the system's content today is still what the code stands for (`None`: it
        /// cannot be rebuilt, e.g. the branch has since moved).
        current: Option<bool>,
    },
    Unknown,
}

/// The /verify form, and `/verify?code=…` as the form sends it.
pub async fn verify_form(RawQuery(query): RawQuery) -> Response {
    match query_value(query.as_deref(), "code") {
        Some(typed) if !typed.trim().is_empty() => match parse_code(&typed) {
            Some(code) => Redirect::to(&format!("/verify/{}", display_code(&code))).into_response(),
            None => (
                axum::http::StatusCode::NOT_FOUND,
                VerifyPage {
                    nav: Nav::anonymous(),
                    typed,
                    outcome: Some(Outcome::Unknown),
                },
            )
                .into_response(),
        },
        _ => VerifyPage {
            nav: Nav::anonymous(),
            typed: String::new(),
            outcome: None,
        }
        .into_response(),
    }
}

/// Whether a code is genuine, whose document it stands for and when it was issued; nothing of
/// the document's content.
pub async fn verify(State(state): State<AppState>, Path(typed): Path<String>) -> AppResult<Response> {
    let issued = match parse_code(&typed) {
        Some(code) => db::exports::issued(&state.db.read, &code).await?.map(|i| (code, i)),
        None => None,
    };
    let Some((code, issued)) = issued else {
        let page = VerifyPage {
            nav: Nav::anonymous(),
            typed,
            outcome: Some(Outcome::Unknown),
        };
        return Ok((axum::http::StatusCode::NOT_FOUND, page).into_response());
    };
    let kind = issued.kind;
    let campaign = db::campaigns::by_id(&state.db.read, issued.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Today's content, read with the 组织部's scope only to compare digests.
    let today = match (kind, issued.branch_id) {
        (DocKind::BranchChecklist, Some(b)) => load_checklist(&state, Scope::Campus, &campaign, Unit::Branch(b))
            .await
            .map(|(doc, committee, _)| (committee == issued.committee_id).then(|| export::digest(&doc))),
        (DocKind::CommitteeChecklist, _) => {
            load_checklist(&state, Scope::Campus, &campaign, Unit::Committee(issued.committee_id))
                .await
                .map(|(doc, _, _)| Some(export::digest(&doc)))
        }
        _ => load_report(&state, Scope::Campus, &campaign, issued.committee_id)
            .await
            .map(|doc| Some(export::digest(&doc))),
    };
    let current = match today {
        Ok(Some(digest)) => Some(digest == issued.digest),
        // A branch since moved to another committee: its document is not this one any more.
        Ok(None) => Some(false),
        Err(AppError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let unit = match &issued.branch_name {
        Some(b) => format!("{} · {}", issued.committee_name, b),
        None => issued.committee_name.clone(),
    };
    Ok(VerifyPage {
        nav: Nav::anonymous(),
        typed: display_code(&code),
        outcome: Some(Outcome::Genuine {
            code: display_code(&code),
            document: kind.label(),
            unit,
            campaign: issued.campaign_title,
            issued_at: display_moment(&issued.issued_at),
            signed: issued.signed,
            current,
        }),
    }
    .into_response())
}
