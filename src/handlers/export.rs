//! Downloads of 附件2 and 附件3 (PDF, XLSX, and a committee's whole 报送材料 as one ZIP), and
//! /verify, where anyone holding a printed copy can check its code.
//!
//! Every export is stamped with a verification code for its exact content (db::exports), and is
//! rendered off the async runtime, a few at a time, so a committee's big bundle does not hold up
//! other users.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{CampaignParam, Nav, Path, named_download, query_value};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::exports::{Issue, Unit};
use crate::domain::dates::display_moment;
use crate::domain::verification::{DocKind, display_code, parse_code};
use crate::domain::{BranchId, CommitteeId};
use crate::error::{AppError, AppResult};
use crate::export::{self, Checklist, ReportDoc, Stamp};

async fn campaign(state: &AppState, asked: CampaignParam) -> AppResult<Campaign> {
    db::campaigns::resolve(&state.db, asked.0)
        .await?
        .ok_or(AppError::NotFound)
}

/// The code for this content, issued now if it is new.
async fn stamp(state: &AppState, issue: Issue<'_>) -> AppResult<Stamp> {
    let code = db::exports::code_for(&state.db, &issue).await?;
    Ok(Stamp {
        code: display_code(&code),
        verify_url: state.config.verify_url(),
    })
}

/// 附件2 of a branch or committee as the user sees it, stamped; with whose it is.
async fn checklist_stamped(
    state: &AppState, user: &CurrentUser, campaign: &Campaign, unit: Unit,
) -> AppResult<(Checklist, Stamp, String)> {
    let source = db::exports::checklist(&state.db, user.scope(), campaign, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let doc = export::checklist(&state.config.institution, &source);
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
            committee: source.committee_id,
            branch,
            digest: &digest,
            signed: doc.is_signed(),
            by: user.id(),
        },
    )
    .await?;
    Ok((doc, stamp, source.unit_name))
}

async fn report_stamped(
    state: &AppState, user: &CurrentUser, campaign: &Campaign, committee: CommitteeId,
) -> AppResult<(ReportDoc, Stamp)> {
    let source = db::exports::report(&state.db, user.scope(), campaign, committee)
        .await?
        .ok_or(AppError::NotFound)?;
    let doc = export::report(&source);
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
            by: user.id(),
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
    state: AppState, user: CurrentUser, asked: CampaignParam, unit: Unit, format: Format,
) -> AppResult<Response> {
    let _preparing = export::preparing().await;
    let campaign = campaign(&state, asked).await?;
    let (doc, stamp, unit_name) = checklist_stamped(&state, &user, &campaign, unit).await?;
    let (kind, id) = match unit {
        Unit::Branch(b) => ("branch", b.0),
        Unit::Committee(c) => ("committee", c.0),
    };
    let year = campaign.issued_on.year();
    Ok(match format {
        Format::Pdf => {
            let bytes = export::render(move || export::pdf::checklist(&doc, &stamp)).await?;
            named_download(
                "application/pdf",
                &export::checklist_file_name(&unit_name, "pdf"),
                &export::ascii_file_name("fujian2", kind, id, year, "pdf"),
                bytes,
            )
        }
        Format::Xlsx => {
            let bytes = export::render(move || export::xlsx::checklist(&doc, &stamp)).await?;
            named_download(
                super::XLSX,
                &export::checklist_file_name(&unit_name, "xlsx"),
                &export::ascii_file_name("fujian2", kind, id, year, "xlsx"),
                bytes,
            )
        }
    })
}

async fn report_download(
    state: AppState, user: CurrentUser, asked: CampaignParam, committee: CommitteeId, format: Format,
) -> AppResult<Response> {
    let _preparing = export::preparing().await;
    let campaign = campaign(&state, asked).await?;
    let (doc, stamp) = report_stamped(&state, &user, &campaign, committee).await?;
    let name = doc.committee_name.clone();
    let year = campaign.issued_on.year();
    Ok(match format {
        Format::Pdf => {
            let bytes = export::render(move || export::pdf::report(&doc, &stamp)).await?;
            named_download(
                "application/pdf",
                &export::report_file_name(&name, "pdf"),
                &export::ascii_file_name("fujian3", "committee", committee.0, year, "pdf"),
                bytes,
            )
        }
        Format::Xlsx => {
            let bytes = export::render(move || export::xlsx::report(&doc, &stamp)).await?;
            named_download(
                super::XLSX,
                &export::report_file_name(&name, "xlsx"),
                &export::ascii_file_name("fujian3", "committee", committee.0, year, "xlsx"),
                bytes,
            )
        }
    })
}

pub async fn branch_checklist_pdf(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, asked: CampaignParam,
) -> AppResult<Response> {
    checklist_download(state, user, asked, Unit::Branch(BranchId(id)), Format::Pdf).await
}

pub async fn branch_checklist_xlsx(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, asked: CampaignParam,
) -> AppResult<Response> {
    checklist_download(state, user, asked, Unit::Branch(BranchId(id)), Format::Xlsx).await
}

pub async fn committee_checklist_pdf(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, asked: CampaignParam,
) -> AppResult<Response> {
    checklist_download(state, user, asked, Unit::Committee(CommitteeId(id)), Format::Pdf).await
}

pub async fn committee_checklist_xlsx(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, asked: CampaignParam,
) -> AppResult<Response> {
    checklist_download(state, user, asked, Unit::Committee(CommitteeId(id)), Format::Xlsx).await
}

pub async fn report_pdf(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, asked: CampaignParam,
) -> AppResult<Response> {
    report_download(state, user, asked, CommitteeId(id), Format::Pdf).await
}

pub async fn report_xlsx(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, asked: CampaignParam,
) -> AppResult<Response> {
    report_download(state, user, asked, CommitteeId(id), Format::Xlsx).await
}

/// The committee's whole 报送材料 for the 10-20 e-mail: 附件3 (PDF and XLSX), 附件2 of all
/// branches as one workbook, and each branch's 附件2 as a PDF.
pub async fn submission_zip(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>, asked: CampaignParam,
) -> AppResult<Response> {
    let campaign = campaign(&state, asked).await?;
    let (name, ascii, bytes) = package(&state, &user, &campaign, CommitteeId(id)).await?;
    Ok(named_download("application/zip", &name, &ascii, bytes))
}

/// The committee's 报送材料 as one ZIP (its Chinese name, its ASCII name, its bytes): 附件3 (PDF
/// and XLSX), the committee's whole 附件2 (XLSX) and each branch's (PDF and XLSX), each stamped
/// with its verification code, and a 清单 of them. Downloaded as it stands, and kept as it is
/// handed in (报送).
pub(super) async fn package(
    state: &AppState, user: &CurrentUser, campaign: &Campaign, committee: CommitteeId,
) -> AppResult<(String, String, Vec<u8>)> {
    let _preparing = export::preparing().await;
    let (report, report_stamp) = report_stamped(state, user, campaign, committee).await?;
    let (all, all_stamp, committee_name) = checklist_stamped(state, user, campaign, Unit::Committee(committee)).await?;
    let branch_ids = db::exports::branch_ids(&state.db.read, user.scope(), committee).await?;
    let mut branches = Vec::with_capacity(branch_ids.len());
    for b in branch_ids {
        branches.push(checklist_stamped(state, user, campaign, Unit::Branch(b)).await?);
    }
    let name = format!("报送材料-{committee_name}-{}.zip", campaign.title);
    let ascii = export::ascii_file_name("baosong", "committee", committee.0, campaign.issued_on.year(), "zip");
    let campaign_title = campaign.title.clone();
    let verify_url = state.config.verify_url();
    let bytes = export::render(move || {
        let listed = |name: String, signed: bool, stamp: &Stamp| export::Listed {
            name,
            signed,
            code: stamp.code.clone(),
        };
        let mut files: Vec<(export::Listed, Vec<u8>)> = vec![
            (
                listed(
                    export::report_file_name(&committee_name, "pdf"),
                    report.is_signed(),
                    &report_stamp,
                ),
                export::pdf::report(&report, &report_stamp)?,
            ),
            (
                listed(
                    export::report_file_name(&committee_name, "xlsx"),
                    report.is_signed(),
                    &report_stamp,
                ),
                export::xlsx::report(&report, &report_stamp)?,
            ),
            (
                listed(
                    export::checklist_file_name(&committee_name, "xlsx"),
                    all.all_signed_off(),
                    &all_stamp,
                ),
                export::xlsx::checklist(&all, &all_stamp)?,
            ),
        ];
        for (doc, stamp, name) in &branches {
            for (format, bytes) in [
                ("pdf", export::pdf::checklist(doc, stamp)?),
                ("xlsx", export::xlsx::checklist(doc, stamp)?),
            ] {
                let file = format!("附件2/{}", export::checklist_file_name(name, format));
                files.push((listed(file, doc.all_signed_off(), stamp), bytes));
            }
        }
        export::submission(&committee_name, &campaign_title, &verify_url, files)
    })
    .await?;
    Ok((name, ascii, bytes))
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
    // Today's content, read campus-wide only to compare digests: nothing of it is shown.
    let institution = &state.config.institution;
    let today = match (kind, issued.branch_id) {
        (DocKind::BranchChecklist, Some(b)) => {
            db::exports::checklist_campus_wide(&state.db, &campaign, Unit::Branch(b))
                .await?
                // A branch since moved to another committee: its document is not this one any more.
                .map(|s| {
                    (s.committee_id == issued.committee_id).then(|| export::digest(&export::checklist(institution, &s)))
                })
        }
        (DocKind::CommitteeChecklist, _) => {
            db::exports::checklist_campus_wide(&state.db, &campaign, Unit::Committee(issued.committee_id))
                .await?
                .map(|s| Some(export::digest(&export::checklist(institution, &s))))
        }
        _ => db::exports::report_campus_wide(&state.db, &campaign, issued.committee_id)
            .await?
            .map(|s| Some(export::digest(&export::report(&s)))),
    };
    let current = today.map(|digest| digest.is_some_and(|d| d == issued.digest));
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
