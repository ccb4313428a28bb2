//! 附件3, the committee's report: edit (starting, if wanted, from a draft the system writes from
//! the branches' data), sign (which locks it), reopen with a reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::branch::HistoryView;
use super::{Form, Nav, Path, query_value};
use crate::AppState;
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::reports::Report;
use crate::db::units::CommitteeRow;
use crate::domain::dates::{self, display_moment, format_date};
use crate::domain::input::{FieldErrors, text};
use crate::domain::report::{self, CategoryFacts, Draft, Facts, SECTION_MAX, SIGNER_MAX};
use crate::domain::review::COMMENT_MAX;
use crate::domain::states::MeasureStatus;
use crate::domain::states::{LedgerState, ReportState};
use crate::domain::{CommitteeId, Scope};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "review/report.html")]
pub struct ReportPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    committee: CommitteeRow,
    campaign: Campaign,
    state: ReportState,
    report: Report,
    /// The text in the three boxes: saved, generated, or what was just sent.
    work_done: String,
    problems: String,
    next_steps: String,
    /// The boxes hold a generated draft, not yet saved.
    generated: bool,
    /// A refused save or signature: the boxes hold what was sent (shown even on a signed report).
    unsaved: bool,
    errors: FieldErrors,
    signer_name: String,
    signed_on: String,
    reopen_reason: String,
    signed_at: String,
    signed_on_words: String,
    history: Vec<HistoryView>,
    section_max: usize,
    signer_max: usize,
}

async fn load(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(CommitteeRow, Campaign)> {
    let committee = db::units::committee(&state.db.read, user.scope, CommitteeId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    Ok((committee, campaign))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    committee: CommitteeRow,
    campaign: Campaign,
) -> AppResult<ReportPage> {
    let report = db::reports::get(&state.db.read, campaign.id, committee.id)
        .await?
        .unwrap_or_default();
    let history = db::audit::report_history(&state.db.read, committee.id, campaign.id.0).await?;
    Ok(ReportPage {
        nav: Nav::for_user(user, ""),
        csrf: user.csrf.clone(),
        flash: None,
        state: report.state,
        work_done: report.work_done.clone(),
        problems: report.problems.clone(),
        next_steps: report.next_steps.clone(),
        generated: false,
        unsaved: false,
        errors: FieldErrors::default(),
        signer_name: if report.signer_name.is_empty() {
            user.display_name.clone()
        } else {
            report.signer_name.clone()
        },
        // Today, unless that falls outside the campaign (a past campaign): then its report date.
        signed_on: format_date(report.signed_on.unwrap_or_else(|| {
            let (first, last) = crate::domain::input::deadline_window(campaign.issued_on);
            Some(dates::today())
                .filter(|d| (first..=last).contains(d))
                .unwrap_or(campaign.report_due)
        })),
        reopen_reason: String::new(),
        signed_at: report.signed_at.as_deref().map(display_moment).unwrap_or_default(),
        signed_on_words: report.signed_on.map(dates::chinese_date).unwrap_or_default(),
        history: history.into_iter().map(HistoryView::from).collect(),
        report,
        committee,
        campaign,
        section_max: SECTION_MAX,
        signer_max: SIGNER_MAX,
    })
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> AppResult<ReportPage> {
    let (committee, campaign) = load(&state, &user, id).await?;
    let mut p = page(&state, &user, committee, campaign).await?;
    if query_value(query.as_deref(), "draft").is_some() && p.state.editable() {
        let d = generate(&state, &p.committee, &p.campaign).await?;
        (p.work_done, p.problems, p.next_steps, p.generated) = (d.work_done, d.problems, d.next_steps, true);
    }
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

/// The draft from the branches' data: counts, findings per category with typical examples,
/// measures planned and done.
async fn generate(state: &AppState, committee: &CommitteeRow, campaign: &Campaign) -> AppResult<Draft> {
    let db = &state.db.read;
    let scope = Scope::Committee(committee.id);
    let today = dates::today();
    let branches = db::progress::branches(&state.db, scope, campaign.id, today).await?;
    let item_count = db::ledger::item_count(&state.db, campaign.id).await?;
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let (mut findings, mut measures) = (Vec::new(), Vec::new());
    for b in &branches {
        findings.extend(db::ledger::findings(db, scope, campaign.id, b.branch_id).await?);
        measures.extend(db::ledger::measures(db, scope, campaign.id, b.branch_id).await?);
    }
    let status = |m: &db::ledger::MeasureRow| m.status;
    let facts = Facts {
        branches: branches.len(),
        answered_all: branches
            .iter()
            .filter(|b| b.answered >= item_count && item_count > 0)
            .count(),
        signed_off: branches
            .iter()
            .filter(|b| b.ledger_state == Some(LedgerState::SignedOff))
            .count(),
        categories: categories
            .iter()
            .map(|c| {
                let in_cat: Vec<&db::ledger::FindingRow> = findings.iter().filter(|f| f.category_id == c.id).collect();
                CategoryFacts {
                    title: &c.title,
                    findings: in_cat.iter().map(|f| f.text.as_str()).collect(),
                    measures: measures
                        .iter()
                        .filter(|m| in_cat.iter().any(|f| f.id == m.finding_id))
                        .map(|m| m.text.as_str())
                        .collect(),
                }
            })
            .collect(),
        measures: measures.len(),
        immediate: measures.iter().filter(|m| m.immediate).count(),
        closed_out: measures
            .iter()
            .filter(|m| status(m) == MeasureStatus::ClosedOut)
            .count(),
        awaiting_close_out: measures.iter().filter(|m| status(m) == MeasureStatus::Done).count(),
        overdue: measures
            .iter()
            .filter(|m| dates::is_overdue(m.deadline, status(m), today))
            .count(),
    };
    Ok(report::draft(&committee.name, &facts))
}

#[derive(Deserialize)]
pub struct SectionsData {
    #[serde(default)]
    work_done: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    version: i64,
}

/// Saves the three sections of a draft report.
pub async fn save(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SectionsData>,
) -> AppResult<Response> {
    let (committee, campaign) = load(&state, &user, id).await?;
    let url = format!("/committees/{}/report", committee.id);
    let refused = async |errors: FieldErrors, status: StatusCode| -> AppResult<Response> {
        let mut p = page(&state, &user, committee.clone(), campaign.clone()).await?;
        (p.work_done, p.problems, p.next_steps, p.errors) = (
            form.work_done.clone(),
            form.problems.clone(),
            form.next_steps.clone(),
            errors,
        );
        p.unsaved = true;
        Ok((status, p).into_response())
    };
    let draft = match report::sections(&form.work_done, &form.problems, &form.next_steps) {
        Ok(d) => d,
        Err(e) => return refused(e, StatusCode::BAD_REQUEST).await,
    };
    let mut tx = state.db.write.begin().await?;
    if !db::reports::state(&mut tx, campaign.id, committee.id).await?.editable() {
        drop(tx);
        let mut e = FieldErrors::default();
        e.add(
            "form",
            "报告已签字锁定，您的内容没有保存（已保留在下方，可复制）；如需修改，请先重新打开报告。",
        );
        return refused(e, StatusCode::CONFLICT).await;
    }
    if db::reports::save(&mut tx, user.id, campaign.id, committee.id, form.version, &draft)
        .await?
        .is_err()
    {
        drop(tx);
        let mut e = FieldErrors::default();
        e.add(
            "form",
            "报告刚刚被他人修改过，您的内容没有保存，已保留在下方；请对照最新内容后重新保存。",
        );
        return refused(e, StatusCode::CONFLICT).await;
    }
    tx.commit().await?;
    session::flash(&session, "报告已保存").await?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
pub struct SignData {
    #[serde(default)]
    work_done: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    signer_name: String,
    #[serde(default)]
    signed_on: String,
    #[serde(default)]
    version: i64,
}

/// 保存并签字: saves exactly the text on the screen and signs it, in one transaction, so the
/// signature always covers what the signer read. Signing locks the report.
pub async fn sign(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SignData>,
) -> AppResult<Response> {
    let (committee, campaign) = load(&state, &user, id).await?;
    let checked = report::sections(&form.work_done, &form.problems, &form.next_steps).and_then(|d| {
        let window = crate::domain::input::deadline_window(campaign.issued_on);
        let (name, on) = report::signature(
            &form.signer_name,
            &form.signed_on,
            [&d.work_done, &d.problems, &d.next_steps],
            window,
        )?;
        Ok((d, name, on))
    });
    let outcome = match checked {
        Err(e) => Err((e, StatusCode::BAD_REQUEST)),
        Ok((draft, name, on)) => {
            let mut tx = state.db.write.begin().await?;
            let stale = || {
                let mut e = FieldErrors::default();
                e.add(
                    "form",
                    "报告刚刚被他人修改或已签字，没有签字；您的内容已保留在下方，请对照最新内容后再签字。",
                );
                Err((e, StatusCode::CONFLICT))
            };
            // db::reports::save refuses a signed report by itself (it updates drafts only).
            let editable = db::reports::state(&mut tx, campaign.id, committee.id).await?.editable();
            if !editable
                || db::reports::save(&mut tx, user.id, campaign.id, committee.id, form.version, &draft)
                    .await?
                    .is_err()
            {
                stale()
            } else {
                let saved = if form.version == 0 { 1 } else { form.version + 1 };
                match db::reports::sign(&mut tx, user.id, campaign.id, committee.id, saved, &name, on).await? {
                    Ok(()) => {
                        tx.commit().await?;
                        Ok(())
                    }
                    Err(_) => stale(),
                }
            }
        }
    };
    match outcome {
        Ok(()) => {
            session::flash(&session, "报告已保存并签字，内容已锁定").await?;
            Ok(Redirect::to(&format!("/committees/{}/report", committee.id)).into_response())
        }
        Err((errors, status)) => {
            let mut p = page(&state, &user, committee, campaign).await?;
            (p.work_done, p.problems, p.next_steps) =
                (form.work_done.clone(), form.problems.clone(), form.next_steps.clone());
            (p.signer_name, p.signed_on, p.errors, p.unsaved) =
                (form.signer_name.clone(), form.signed_on.clone(), errors, true);
            Ok((status, p).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ReopenData {
    #[serde(default)]
    reason: String,
}

/// Reopens a signed report for editing, with the reason.
pub async fn reopen(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ReopenData>,
) -> AppResult<Response> {
    let (committee, campaign) = load(&state, &user, id).await?;
    let reason = text("重新打开的原因", &form.reason, COMMENT_MAX, true);
    let outcome = match reason {
        Err(m) => Err(m),
        Ok(reason) => {
            let mut tx = state.db.write.begin().await?;
            if db::reports::reopen(&mut tx, user.id, campaign.id, committee.id, &reason).await? {
                tx.commit().await?;
                Ok(())
            } else {
                Err("报告不是已签字状态，无需重新打开。".to_string())
            }
        }
    };
    match outcome {
        Ok(()) => {
            session::flash(&session, "报告已重新打开，可以修改").await?;
            Ok(Redirect::to(&format!("/committees/{}/report", committee.id)).into_response())
        }
        Err(m) => {
            let mut p = page(&state, &user, committee, campaign).await?;
            if p.state.editable() {
                p.errors.add("form", m.clone());
            }
            p.errors.add("reason", m);
            p.reopen_reason = form.reason.clone();
            Ok((StatusCode::BAD_REQUEST, p).into_response())
        }
    }
}
