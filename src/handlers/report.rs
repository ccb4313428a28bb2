//! 附件3, the committee's report: edit (starting, if wanted, from a draft the system writes from
//! the branches' data), sign (which locks it), reopen with a reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::views::HistoryView;
use super::{Form, Nav, Path, done, query_value, refusal};
use crate::AppState;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::reports::Report;
use crate::db::units::CommitteeRow;
use crate::domain::dates::{self, display_moment, format_date};
use crate::domain::delivery::Standing;
use crate::domain::input::FieldErrors;
use crate::domain::report::{self, CategoryFacts, Draft, Facts, SECTION_MAX, WorkFact};
use crate::domain::states::{DeliveryState, LedgerState, MeasureStatus, ReportState};
use crate::domain::{BranchId, CommitteeId};
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
    signed_on: String,
    reopen_reason: String,
    signed_at: String,
    signed_on_words: String,
    history: Vec<HistoryView>,
    section_max: usize,
    /// 党组织负责人, who alone signs (named by the 组织部), and whether that is this user.
    leader: Option<String>,
    is_leader: bool,
    /// Branches whose ledgers are not signed off: signing asks to confirm them.
    unsigned: Vec<String>,
    /// The confirmation as it was just sent.
    confirm_unsigned: bool,
    /// 报送: what was handed in, and what may be done with it now.
    pub delivery: DeliveryBox,
}

/// The 报送 section of the report page.
#[derive(Default)]
pub struct DeliveryBox {
    /// The committee's 报送 in the campaign, newest first.
    pub rows: Vec<DeliveryView>,
    pub standing: Option<Standing>,
    /// The campaign's 报送 deadline.
    pub due: String,
    /// The committee's own reviewer: presses 报送, adds the scan.
    pub keeper: bool,
    /// The 组织部: records the paper copy, returns a 报送.
    pub overseer: bool,
    /// A refused step's messages by field, and what was typed.
    pub errors: FieldErrors,
    pub paper: actions::delivery::PaperForm,
    pub return_reason: String,
}

impl DeliveryBox {
    /// The one standing (not returned), which the steps act on.
    fn standing_row(&self) -> Option<&DeliveryView> {
        self.rows.iter().find(|r| r.standing)
    }
}

pub struct DeliveryView {
    pub id: crate::domain::DeliveryId,
    pub at: String,
    pub by: String,
    pub package_name: String,
    pub size: String,
    pub standing: bool,
    pub late: bool,
    pub return_reason: String,
    pub returned_at: String,
    /// "2026-10-22，王玥接收" once the paper copy is received.
    pub paper: Option<String>,
    pub paper_note: String,
    pub scan_name: Option<String>,
    pub version: i64,
}

impl DeliveryView {
    fn of(r: db::deliveries::DeliveryRow, due: time::Date) -> DeliveryView {
        DeliveryView {
            id: r.id,
            at: display_moment(&r.delivered_at),
            by: r.delivered_by_name.clone().unwrap_or_default(),
            size: crate::domain::evidence::size_label(r.package_size),
            standing: r.state == DeliveryState::Delivered,
            late: crate::domain::delivery::is_late(r.delivered_on(), due),
            return_reason: r.return_reason,
            returned_at: r.returned_at.as_deref().map(display_moment).unwrap_or_default(),
            paper: r
                .paper_received_on
                .map(|on| format!("{}，{}接收", format_date(on), r.paper_received_by)),
            paper_note: r.paper_note,
            scan_name: r.scan_name,
            package_name: r.package_name,
            version: r.version,
        }
    }
}

impl ReportPage {
    /// Characters of the saved report that the document fonts cannot print (shown beside the
    /// download links).
    fn unprintable(&self) -> String {
        let r = &self.report;
        crate::export::font::unprintable_words([
            r.work_done.as_str(),
            &r.problems,
            &r.next_steps,
            &r.signer_name,
            &self.committee.name,
        ])
    }

    /// The branches not signed off, as the signature's confirmation names them.
    fn unsigned_list(&self) -> String {
        self.unsigned.join("、")
    }
}

pub(super) async fn load(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(CommitteeRow, Campaign)> {
    let committee = db::units::committee(&state.db.read, user.scope(), CommitteeId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    Ok((committee, campaign))
}

pub(super) async fn page(
    state: &AppState, user: &CurrentUser, committee: CommitteeRow, campaign: Campaign,
) -> AppResult<ReportPage> {
    let report = db::reports::get(&state.db.read, user.scope(), campaign.id, committee.id)
        .await?
        .unwrap_or_default();
    let history = db::audit::report_history(&state.db.read, user.scope(), committee.id, campaign.id).await?;
    let leader = db::reports::leader(&state.db.read, committee.id).await?;
    let unsigned = db::reports::unsigned_branches(&state.db.read, campaign.id, committee.id).await?;
    let deliveries = db::deliveries::of_committee(&state.db.read, user.scope(), campaign.id, committee.id).await?;
    let delivery = DeliveryBox {
        standing: Some(db::deliveries::latest_standing(&deliveries, campaign.report_due)),
        rows: deliveries
            .into_iter()
            .map(|d| DeliveryView::of(d, campaign.report_due))
            .collect(),
        due: format_date(campaign.report_due),
        keeper: user.role() == crate::domain::Role::Reviewer && campaign.is_current,
        overseer: user.scope().is_campus() && campaign.is_current,
        ..DeliveryBox::default()
    };
    Ok(ReportPage {
        delivery,
        is_leader: leader.as_ref().is_some_and(|(id, _)| *id == user.id()),
        leader: leader.map(|(_, name)| name),
        unsigned,
        confirm_unsigned: false,
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
    })
}

pub async fn show(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>, RawQuery(query): RawQuery,
) -> AppResult<ReportPage> {
    let (committee, campaign) = load(&state, &user, id).await?;
    let mut p = page(&state, &user, committee, campaign).await?;
    if query_value(query.as_deref(), "draft").is_some() && p.state.editable() {
        let d = generate(&state, &user, &p.committee, &p.campaign).await?;
        (p.work_done, p.problems, p.next_steps, p.generated) = (d.work_done, d.problems, d.next_steps, true);
    }
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

/// The draft from the ledgers handed in (已提交 or 已审核签字), the branches' 专题支委会 and the
/// committee's own work: counts, findings per category with typical examples, measures planned
/// and done, and how many branches have not handed in yet.
async fn generate(
    state: &AppState, user: &CurrentUser, committee: &CommitteeRow, campaign: &Campaign,
) -> AppResult<Draft> {
    let db = &state.db.read;
    let scope = user.scope().within_committee(committee.id).ok_or(AppError::NotFound)?;
    let today = dates::today();
    let branches = db::progress::branches(&state.db, scope, campaign.id, today).await?;
    // The ledgers whose rows the draft counts: branches handed in, and the committee's own.
    let mut units: Vec<BranchId> = branches
        .iter()
        .filter(|b| b.state().is_handed_in())
        .map(|b| b.branch_id)
        .collect();
    let own = db::units::own_unit(db, scope, committee.id).await?;
    let own_handed_in = match &own {
        Some(u) => db::ledger::ledger_state(db, scope, campaign.id, u.id)
            .await?
            .is_handed_in(),
        None => false,
    };
    if own_handed_in && let Some(u) = &own {
        units.push(u.id);
    }
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let (mut findings, mut measures) = (Vec::new(), Vec::new());
    let mut own_findings = None;
    for unit in &units {
        let of_unit = db::ledger::findings(db, scope, campaign.id, *unit).await?;
        if own.as_ref().is_some_and(|o| o.id == *unit) {
            own_findings = Some(of_unit.len());
        }
        findings.extend(of_unit);
        measures.extend(db::ledger::measures(db, scope, campaign.id, *unit).await?);
    }
    let meetings = db::meetings::recorded(db, scope, campaign.id).await?;
    // Meetings as the ledgers handed in record them (a record returned is not counted).
    let held = |want: bool| {
        branches
            .iter()
            .filter(|b| b.state().is_handed_in())
            .filter(|b| {
                meetings
                    .get(&b.branch_id)
                    .is_some_and(|m| m.held == want && !m.returned)
            })
            .count()
    };
    let work = db::work::list(db, scope, campaign.id, committee.id).await?;
    let facts = Facts {
        branches: branches.len(),
        handed_in: branches.iter().filter(|b| b.state().is_handed_in()).count(),
        signed_off: branches.iter().filter(|b| b.state() == LedgerState::SignedOff).count(),
        returned: branches.iter().filter(|b| b.state() == LedgerState::Returned).count(),
        meetings_held: held(true),
        meetings_not_held: held(false),
        own_findings,
        work: work
            .iter()
            .map(|w| WorkFact {
                kind: w.kind,
                on: w.held_on,
                title: &w.title,
                branch: w.branch_name.as_deref(),
            })
            .collect(),
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
        closed_out: measures.iter().filter(|m| m.status == MeasureStatus::ClosedOut).count(),
        awaiting_close_out: measures.iter().filter(|m| m.status == MeasureStatus::Done).count(),
        overdue: measures.iter().filter(|m| m.overdue(today)).count(),
    };
    Ok(report::draft(&committee.name, &facts))
}

/// The report page again after a refused save or signature: the boxes hold what was sent.
async fn refused(
    state: &AppState, user: &CurrentUser, id: i64, form: &actions::report::ReportForm, errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let (committee, campaign) = load(state, user, id).await?;
    let mut p = page(state, user, committee, campaign).await?;
    (p.work_done, p.problems, p.next_steps) = (form.work_done.clone(), form.problems.clone(), form.next_steps.clone());
    p.confirm_unsigned = !form.confirm_unsigned.is_empty() && form.unsigned_seen == p.unsigned_list();
    if !form.signed_on.is_empty() {
        p.signed_on = form.signed_on.clone();
    }
    (p.errors, p.unsaved) = (errors, true);
    Ok((status, p).into_response())
}

/// Saves the three sections of a draft report.
pub async fn save(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<actions::report::ReportForm>,
) -> AppResult<Response> {
    match actions::report::save(&state.db, &user, CommitteeId(id), &form).await? {
        Outcome::Done(()) => done(&session, "报告已保存", &format!("/committees/{id}/report")).await,
        other => {
            let (errors, status) = super::form_refusal(other, "form")?;
            refused(&state, &user, id, &form, errors, status).await
        }
    }
}

/// 保存并签字: saves exactly the text on the screen and signs it; signing locks the report.
pub async fn sign(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<actions::report::ReportForm>,
) -> AppResult<Response> {
    match actions::report::sign(&state.db, &user, CommitteeId(id), &form).await? {
        Outcome::Done(()) => {
            done(
                &session,
                "报告已保存并签字，内容已锁定",
                &format!("/committees/{id}/report"),
            )
            .await
        }
        other => {
            // Said beside the signature, where the signer acts (the page is long on a phone).
            let (errors, status) = super::form_refusal(other, "sign")?;
            refused(&state, &user, id, &form, errors, status).await
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ReopenData {
    reason: String,
}

/// Reopens a signed report for editing, with the reason.
pub async fn reopen(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<ReopenData>,
) -> AppResult<Response> {
    match actions::report::reopen(&state.db, &user, CommitteeId(id), &form.reason).await? {
        Outcome::Done(()) => {
            done(
                &session,
                "报告已重新打开，可以修改",
                &format!("/committees/{id}/report"),
            )
            .await
        }
        Outcome::Refused(m) => {
            let (committee, campaign) = load(&state, &user, id).await?;
            let mut p = page(&state, &user, committee, campaign).await?;
            if p.state.editable() {
                p.errors.add("form", m.clone());
            }
            p.errors.add("reason", m);
            p.reopen_reason = form.reason.clone();
            Ok((StatusCode::BAD_REQUEST, p).into_response())
        }
        other => Err(refusal(other)),
    }
}
