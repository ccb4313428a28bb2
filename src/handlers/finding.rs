//! One finding's page: its text, its numbered measures, their 销号 evidence and the history;
//! for the branch's secretary, the forms to change them; for the committee, the 销号 decisions;
//! for the 组织部, 回头看. Every POST here shows this page again when its step is refused.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::views::HistoryView;
use super::{CampaignParam, Form, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::evidence::EvidenceMeta;
use crate::db::findings::Finding;
use crate::db::units::BranchRow;
use crate::domain::dates::{self, format_date};
use crate::domain::history::AuditAction;
use crate::domain::input::{FINDING_MAX, FieldErrors, MEASURE_MAX, OWNER_MAX, deadline_window};
use crate::domain::ledger::item_label;
use crate::domain::states::{FindingSource, LookBackOutcome, MeasureStatus, ReviewState};
use crate::domain::{BranchId, FindingId, MeasureId};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/finding.html")]
pub struct FindingPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    branch: BranchRow,
    campaign_query: String,
    /// The secretary may change the finding's text now (not a 督查发现's).
    editable: bool,
    /// The secretary may change its measures' plans now.
    plannable: bool,
    /// A 督查发现 on a signed-off ledger: the unit may hand it in on its own now, or has.
    may_hand_in: bool,
    handed_in: bool,
    /// The secretary may report progress (销号 requests) — in the current campaign, any state.
    can_report: bool,
    /// The committee (or 组织部) may confirm or reject 销号 requests here.
    can_close_out: bool,
    /// The 组织部 may flag closed-off measures for 回头看 and record the outcome.
    can_look_back: bool,
    /// A refused 销号 or 回头看 decision: which measure, why, and the text typed.
    close_out_error: Option<(MeasureId, String, String)>,
    finding: FindingDetail,
    form: FindingForm,
    measures: Vec<MeasureEdit>,
    new_measure: MeasureForm,
    history: Vec<HistoryView>,
    finding_max: usize,
    measure_max: usize,
    owner_max: usize,
    deadline_min: String,
    deadline_max: String,
    /// The ledger was handed in at least once (only then does a row say 待审核).
    ever_submitted: bool,
}

pub struct FindingDetail {
    pub id: FindingId,
    /// Where it sits: "2. 组织生活制度执行不严格 · 第 2（1）项：…" or "… · 延伸自查".
    pub context: String,
    pub text: String,
    pub review: ReviewState,
    pub review_comment: String,
    /// As saved (a 督查发现's hand-in sends it).
    pub version: i64,
}

#[derive(Default)]
pub struct FindingForm {
    pub text: String,
    pub version: i64,
    pub error: Option<String>,
    pub conflict: bool,
}

pub struct MeasureEdit {
    pub id: MeasureId,
    pub position: i64,
    pub text: String,
    pub deadline: String,
    pub owner: String,
    pub status: MeasureStatus,
    pub immediate: bool,
    pub overdue: bool,
    pub completion_note: String,
    pub evidence: Vec<EvidenceMeta>,
    pub close_out_comment: String,
    pub close_out_rejected: bool,
    pub version: i64,
    pub look_backs: Vec<db::look_backs::LookBack>,
    pub long_term: bool,
    /// 整改时限 in words, with the original once a 延期 was approved.
    pub deadline_words: String,
    /// Its 进度安排 at a glance (next milestone, last entry, pending 延期申请).
    pub glance: Option<super::views::GlanceView>,
    pub form: MeasureForm,
    /// Plan fields may change (ledger editable, not yet closed off).
    pub editable: bool,
}

/// The measure form's content: the saved measure, or what the user just sent.
#[derive(Default)]
pub struct MeasureForm {
    pub text: String,
    pub deadline: String,
    pub owner: String,
    pub status: String,
    pub immediate: bool,
    pub long_term: bool,
    /// The ledger has been handed in: the deadline moves only by a 延期申请.
    pub deadline_locked: bool,
    pub version: i64,
    pub errors: FieldErrors,
    pub conflict: bool,
    /// The deadline as stored (`None` for a new measure): the date picker always accepts it,
    /// even where it lies outside the campaign's window.
    pub saved_deadline: Option<time::Date>,
}

/// A refused form, shown again.
#[derive(Default)]
pub struct Overlay {
    finding: Option<FindingForm>,
    measure: Option<(MeasureId, MeasureForm)>,
    new_measure: Option<MeasureForm>,
    /// A refused committee or 组织部 decision on a measure: which, why, and the text typed.
    decision: Option<(MeasureId, String, String)>,
}

/// The finding, if it is in scope and of this branch (the URL's branch must match the row's).
async fn load(state: &AppState, user: &CurrentUser, branch: i64, finding: i64) -> AppResult<(BranchRow, Finding)> {
    let branch = db::units::branch(&state.db.read, user.scope(), BranchId(branch))
        .await?
        .ok_or(AppError::NotFound)?;
    let finding = db::findings::of_branch(&state.db.read, user.scope(), branch.id, FindingId(finding))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((branch, finding))
}

pub async fn show(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, finding)): Path<(i64, i64)>,
    CampaignParam(_): CampaignParam,
) -> AppResult<FindingPage> {
    let (branch, finding) = load(&state, &user, branch, finding).await?;
    let mut page = finding_page(&state, &user, branch, finding, Overlay::default()).await?;
    page.flash = session::take_flash(&session).await?;
    Ok(page)
}

async fn finding_page(
    state: &AppState, user: &CurrentUser, branch: BranchRow, f: Finding, mut overlay: Overlay,
) -> AppResult<FindingPage> {
    let db = &state.db.read;
    let campaign = db::campaigns::by_id(db, f.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ledger_state = db::ledger::ledger_state(db, user.scope(), campaign.id, branch.id).await?;
    let powers = crate::domain::review::Powers::of(user.role(), branch.level, campaign.is_current, ledger_state);
    // A 督查发现 is the 组织部's word (its text stays); its measures are planned like any row's,
    // on a signed-off ledger while it is answered on its own.
    let row = f.row();
    let editable = powers.edit && f.source != FindingSource::Inspection;
    let plannable = powers.report && row.plannable(ledger_state);
    let may_hand_in = powers.report && row.on_its_own(ledger_state) && !row.handed_in;
    let origin = match f.source {
        FindingSource::Inspection => db::inspections::origin(db, f.id).await?,
        _ => None,
    };
    let part = crate::domain::units::Part::of(user.role(), branch.level);
    let hide_review = crate::domain::review::hidden_from(part, ledger_state);
    // Before the ledger was ever handed in, no row waits for review: none says 待审核.
    let record = db::review::ledger_record(db, user.scope(), campaign.id, branch.id).await?;
    let ever_submitted = ledger_state.rows_await_review(record.as_ref().and_then(|r| r.submitted_at.as_deref()));
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let items = db::ledger::items(&state.db, campaign.id).await?;
    let measures = db::ledger::measures(db, user.scope(), campaign.id, branch.id).await?;
    let evidence = db::evidence::of_branch(db, user.scope(), campaign.id, branch.id).await?;
    let history = db::audit::finding_history(db, user.scope(), branch.id, f.id).await?;
    let look_backs = db::look_backs::of_branch(db, user.scope(), campaign.id, branch.id).await?;
    let glances = db::schedule::glances(db, user.scope(), campaign.id, branch.id).await?;
    let today = dates::today();

    let category = categories.iter().find(|c| c.id == f.category_id);
    let cat_words = category
        .map(|c| format!("{}. {}", c.position, c.title))
        .unwrap_or_default();
    let context = match (
        f.ledger_item_id.and_then(|i| items.iter().find(|it| it.id == i)),
        f.source,
    ) {
        (Some(item), _) => format!(
            "{cat_words} · 第 {}{} 项：{}",
            category.map_or(0, |c| c.position),
            item_label(item.position),
            item.text
        ),
        (None, FindingSource::Imported) => format!("{cat_words} · 上年度述职评议问题"),
        (None, FindingSource::Inspection) => match origin {
            Some((kind, on)) => format!("{cat_words} · 组织部督查发现（{} {}）", format_date(on), kind.label()),
            None => format!("{cat_words} · 组织部督查发现"),
        },
        (None, _) => format!("{cat_words} · 延伸自查"),
    };
    let (deadline_min, deadline_max) = deadline_window(campaign.issued_on);
    let measures = measures
        .into_iter()
        .filter(|m| m.finding_id == f.id)
        .map(|m| {
            let status = m.status;
            let form = match overlay.measure.take_if(|(id, _)| *id == m.id) {
                Some((_, form)) => MeasureForm {
                    saved_deadline: m.deadline,
                    deadline_locked: m.original_deadline.is_some(),
                    ..form
                },
                None => MeasureForm {
                    saved_deadline: m.deadline,
                    text: m.text.clone(),
                    deadline: m.deadline.map(format_date).unwrap_or_default(),
                    owner: m.owner.clone(),
                    status: m.status.code().to_string(),
                    immediate: m.immediate,
                    long_term: m.long_term,
                    deadline_locked: m.original_deadline.is_some(),
                    version: m.version,
                    ..MeasureForm::default()
                },
            };
            MeasureEdit {
                id: m.id,
                position: m.position,
                overdue: m.overdue(today),
                deadline: m.deadline.map(format_date).unwrap_or_default(),
                long_term: m.long_term,
                deadline_words: m.deadline_words(),
                glance: glances
                    .iter()
                    .find(|g| g.measure_id == m.id)
                    .map(|g| super::views::GlanceView::new(g, status, today)),
                evidence: evidence.iter().filter(|e| e.measure_id == m.id).cloned().collect(),
                editable: plannable && status.branch_may_edit(),
                text: m.text,
                owner: m.owner,
                status,
                immediate: m.immediate,
                completion_note: m.completion_note,
                close_out_comment: m.close_out_comment,
                close_out_rejected: m.close_out_rejected,
                version: m.version,
                look_backs: look_backs.iter().filter(|l| l.measure_id == m.id).cloned().collect(),
                form,
            }
        })
        .collect();
    Ok(FindingPage {
        nav: Nav::for_user(user, &format!("/branches/{}", branch.id)),
        csrf: user.csrf.clone(),
        flash: None,
        campaign_query: campaign.link_query(),
        editable,
        plannable,
        may_hand_in,
        handed_in: row.on_its_own(ledger_state) && row.handed_in,
        can_report: powers.report,
        can_close_out: powers.close_out,
        close_out_error: overlay.decision.take(),
        can_look_back: powers.look_back,
        form: overlay.finding.take().unwrap_or_else(|| FindingForm {
            text: f.text.clone(),
            version: f.version,
            ..FindingForm::default()
        }),
        finding: FindingDetail {
            id: f.id,
            version: f.version,
            context,
            text: f.text,
            // The committee's row decisions reach the branch only once the ledger is sent back.
            review: if hide_review {
                ReviewState::Pending
            } else {
                f.review_state
            },
            review_comment: if hide_review { String::new() } else { f.review_comment },
        },
        measures,
        new_measure: overlay.new_measure.take().unwrap_or_default(),
        history: history
            .into_iter()
            .filter(|h| !(hide_review && h.action == AuditAction::FindingReview))
            .map(HistoryView::from)
            .collect(),
        branch,
        finding_max: FINDING_MAX,
        measure_max: MEASURE_MAX,
        owner_max: OWNER_MAX,
        deadline_min: format_date(deadline_min),
        deadline_max: format_date(deadline_max),
        ever_submitted,
    })
}

impl MeasureEdit {
    /// A 回头看 of it waits for its outcome: no second one meanwhile.
    fn look_back_pending(&self) -> bool {
        self.look_backs
            .iter()
            .any(|l| l.outcome == crate::domain::states::LookBackOutcome::Pending)
    }
}

impl db::look_backs::LookBack {
    fn flagged_at_words(&self) -> String {
        crate::domain::dates::display_moment(&self.flagged_at)
    }
    fn first_closed_words(&self) -> Option<String> {
        self.first_closed_out_at
            .as_deref()
            .map(crate::domain::dates::display_moment)
    }
}

impl FindingPage {
    /// The dates the picker offers for a measure: the campaign's window, widened to take in the
    /// measure's saved deadline.
    fn deadline_bounds(&self, form: &MeasureForm) -> (String, String) {
        let (min, max) = (self.deadline_min.clone(), self.deadline_max.clone());
        match form.saved_deadline.map(format_date) {
            Some(saved) => (saved.clone().min(min), saved.max(max)),
            None => (min, max),
        }
    }

    /// A refused committee action, said at the top of the page with what was typed.
    fn page_error(&self) -> Option<String> {
        self.close_out_error.as_ref().map(|(_, e, c)| {
            if c.trim().is_empty() {
                e.clone()
            } else {
                format!("{e}（您填写的内容：{c}）")
            }
        })
    }

    /// The refusal message and kept comment for this measure's 销号 decision, if any.
    fn close_out_refusal(&self, id: &MeasureId) -> Option<(&str, &str)> {
        self.close_out_error
            .as_ref()
            .filter(|(m, _, _)| m == id)
            .map(|(_, e, c)| (e.as_str(), c.as_str()))
    }

    /// The reason typed into a refused 不予销号 on this measure, shown again.
    fn close_out_comment(&self, id: &MeasureId) -> &str {
        self.close_out_refusal(id).map_or("", |(_, c)| c)
    }
}

/// The finding page again after a refused form, with what it sent laid over the saved data.
async fn refused(
    state: &AppState, user: &CurrentUser, branch: BranchId, finding: FindingId, overlay: Overlay, status: StatusCode,
) -> AppResult<Response> {
    let (branch, f) = load(state, user, branch.0, finding.0).await?;
    let page = finding_page(state, user, branch, f, overlay).await?;
    Ok((status, page).into_response())
}

/// The finding page again after a refused 销号 or 回头看 decision: the message at the top and
/// by the measure, with what was typed.
async fn refused_decision(
    state: &AppState, user: &CurrentUser, branch: BranchId, measure: MeasureId, outcome: Outcome<impl Sized>,
    typed: &str,
) -> AppResult<Response> {
    let message = match outcome {
        Outcome::Refused(m) | Outcome::Stale(m) => m,
        other => return Err(refusal(other)),
    };
    let m = db::measures::of_branch(&state.db.read, user.scope(), branch, measure)
        .await?
        .ok_or(AppError::NotFound)?;
    let overlay = Overlay {
        decision: Some((measure, message, typed.to_string())),
        ..Overlay::default()
    };
    refused(state, user, branch, m.finding_id, overlay, StatusCode::BAD_REQUEST).await
}

fn finding_url(branch: BranchId, id: FindingId) -> String {
    format!("/branches/{branch}/findings/{id}")
}

/// Saves a finding's new text.
pub async fn update(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, finding)): Path<(i64, i64)>,
    Form(form): Form<actions::findings::TextForm>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), FindingId(finding));
    let (error, conflict, status) = match actions::findings::update(&state.db, &user, branch, id, &form).await? {
        Outcome::Done(()) => return done(&session, "查摆问题已保存", &finding_url(branch, id)).await,
        Outcome::Invalid(e) => (e.get("text").map(str::to_string), false, StatusCode::BAD_REQUEST),
        Outcome::Stale(m) => (Some(m), true, StatusCode::CONFLICT),
        other => return Err(refusal(other)),
    };
    // After a stale save the latest version goes with the kept text, so saving again wins.
    let version = if conflict {
        db::findings::of_branch(&state.db.read, user.scope(), branch, id)
            .await?
            .map_or(form.version, |f| f.version)
    } else {
        form.version
    };
    let overlay = Overlay {
        finding: Some(FindingForm {
            text: form.text.clone(),
            version,
            error,
            conflict,
        }),
        ..Overlay::default()
    };
    refused(&state, &user, branch, id, overlay, status).await
}

#[derive(Template, WebTemplate)]
#[template(path = "branch/confirm_delete.html")]
pub struct ConfirmDeletePage {
    nav: Nav,
    csrf: String,
    title: String,
    what: String,
    consequence: String,
    action: String,
    version: i64,
    /// How many measures the user was told would go (a finding's delete checks it still holds).
    measures: i64,
    back: String,
}

/// Refuses (409, saying why) a page that leads to a change the branch cannot make now.
async fn ensure_editable(state: &AppState, user: &CurrentUser, branch: BranchId) -> AppResult<()> {
    match actions::may_edit(&state.db, user, branch).await? {
        Outcome::Done(()) => Ok(()),
        other => Err(refusal(other)),
    }
}

/// Asks before deleting a finding (its measures and evidence go with it).
pub async fn confirm_delete(
    State(state): State<AppState>, user: CurrentUser, Path((branch, finding)): Path<(i64, i64)>,
) -> AppResult<ConfirmDeletePage> {
    let (branch, f) = load(&state, &user, branch, finding).await?;
    ensure_editable(&state, &user, branch.id).await?;
    let measures = db::ledger::measures(&state.db.read, user.scope(), f.campaign_id, branch.id).await?;
    let n = measures.iter().filter(|m| m.finding_id == f.id).count();
    Ok(ConfirmDeletePage {
        nav: Nav::for_user(&user, ""),
        csrf: user.csrf.clone(),
        title: "删除查摆问题".into(),
        what: f.text,
        consequence: if n > 0 {
            format!("该问题下的 {n} 条整改措施及其证明材料将一并删除。")
        } else {
            String::new()
        },
        action: format!("{}/delete", finding_url(branch.id, f.id)),
        version: f.version,
        measures: n as i64,
        back: finding_url(branch.id, f.id),
    })
}

pub async fn delete(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, finding)): Path<(i64, i64)>,
    Form(form): Form<actions::findings::DeleteForm>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::findings::delete(&state.db, &user, branch, FindingId(finding), &form).await? {
        Outcome::Done(item) => {
            let anchor = item.map(|i| format!("#item-{i}")).unwrap_or_default();
            done(&session, "已删除查摆问题", &format!("/branches/{branch}{anchor}")).await
        }
        other => Err(refusal(other)),
    }
}

impl actions::measures::MeasureForm {
    /// The form as sent, to show again with the refusal.
    fn sent(&self, errors: FieldErrors, conflict: bool, version: i64) -> MeasureForm {
        MeasureForm {
            text: self.text.clone(),
            deadline: self.deadline.clone(),
            owner: self.owner.clone(),
            status: self.status.clone(),
            immediate: self.kind == "immediate",
            long_term: self.kind == "long_term",
            deadline_locked: false,
            version,
            errors,
            conflict,
            saved_deadline: None,
        }
    }
}

/// Adds a measure to a finding.
pub async fn create_measure(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, finding)): Path<(i64, i64)>,
    Form(form): Form<actions::measures::MeasureForm>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), FindingId(finding));
    match actions::measures::create(&state.db, &user, branch, id, &form).await? {
        // To the measure just added, not the empty form below it.
        Outcome::Done(measure) => {
            done(
                &session,
                "已添加整改措施",
                &format!("{}#measure-{measure}", finding_url(branch, id)),
            )
            .await
        }
        Outcome::Invalid(e) => {
            let overlay = Overlay {
                new_measure: Some(form.sent(e, false, 0)),
                ..Overlay::default()
            };
            refused(&state, &user, branch, id, overlay, StatusCode::BAD_REQUEST).await
        }
        other => Err(refusal(other)),
    }
}

/// Saves the secretary's edit of a measure's plan.
pub async fn update_measure(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<actions::measures::MeasureForm>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), MeasureId(measure));
    let (errors, conflict, status) = match actions::measures::update(&state.db, &user, branch, id, &form).await? {
        Outcome::Done(finding) => {
            return done(
                &session,
                "整改措施已保存",
                &format!("{}#measure-{id}", finding_url(branch, finding)),
            )
            .await;
        }
        Outcome::Invalid(e) => (e, false, StatusCode::BAD_REQUEST),
        Outcome::Stale(m) => (actions::measures::stale_errors(m), true, StatusCode::CONFLICT),
        other => return Err(refusal(other)),
    };
    let current = db::measures::of_branch(&state.db.read, user.scope(), branch, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // After a stale save the latest version goes with the kept text, so saving again wins.
    let version = if conflict { current.version } else { form.version };
    let overlay = Overlay {
        measure: Some((id, form.sent(errors, conflict, version))),
        ..Overlay::default()
    };
    refused(&state, &user, branch, current.finding_id, overlay, status).await
}

/// Asks before deleting a measure.
pub async fn confirm_delete_measure(
    State(state): State<AppState>, user: CurrentUser, Path((branch, measure)): Path<(i64, i64)>,
) -> AppResult<ConfirmDeletePage> {
    let branch = BranchId(branch);
    let m = db::measures::of_branch(&state.db.read, user.scope(), branch, MeasureId(measure))
        .await?
        .ok_or(AppError::NotFound)?;
    match actions::may_plan(&state.db, &user, branch, m.finding_id).await? {
        Outcome::Done(()) => {}
        other => return Err(refusal(other)),
    }
    Ok(ConfirmDeletePage {
        nav: Nav::for_user(&user, ""),
        csrf: user.csrf.clone(),
        title: "删除整改措施".into(),
        what: m.text,
        consequence: "这条措施的证明材料将一并删除。".into(),
        action: format!("/branches/{branch}/measures/{}/delete", m.id),
        version: m.version,
        measures: 0,
        back: finding_url(branch, m.finding_id),
    })
}

pub async fn delete_measure(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<actions::findings::DeleteForm>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::measures::delete(&state.db, &user, branch, MeasureId(measure), form.version).await? {
        Outcome::Done(finding) => done(&session, "已删除整改措施", &finding_url(branch, finding)).await,
        other => Err(refusal(other)),
    }
}

/// 确认销号 or 不予销号 on a measure whose branch asked for it.
pub async fn decide_close_out(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<actions::review::CloseOutForm>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), MeasureId(measure));
    match actions::review::decide_close_out(&state.db, &user, branch, id, &form).await? {
        Outcome::Done(finding) => {
            let message = if form.confirms() {
                "已确认销号"
            } else {
                "已不予销号，党支部可见原因"
            };
            // Decided on the committee's 销号 queue: back to the list, at the next request.
            let to = match queue_address(&form.back) {
                Some(queue) => format!("{queue}#close-outs"),
                None => format!("{}#measure-{id}", finding_url(branch, finding)),
            };
            done(&session, message, &to).await
        }
        other => refused_decision(&state, &user, branch, id, other, &form.comment).await,
    }
}

/// `back` when it is a committee's 销号 queue (`/committees/12/close-outs`), the only page
/// besides the finding's own that decides 销号; anything else is ignored (no open redirect).
fn queue_address(back: &str) -> Option<&str> {
    let id = back.strip_prefix("/committees/")?.strip_suffix("/close-outs")?;
    (!id.is_empty() && id.len() <= 12 && id.bytes().all(|b| b.is_ascii_digit())).then_some(back)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct LookBackData {
    reason: String,
}

/// 组织部: flags a closed-off measure for 整改"回头看" (it reopens for the branch).
pub async fn flag_look_back(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<LookBackData>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), MeasureId(measure));
    match actions::look_back::flag(&state.db, &user, branch, id, &form.reason).await? {
        Outcome::Done(finding) => {
            done(
                &session,
                "已发起整改“回头看”；复查发现反弹时该措施重新打开",
                &format!("{}#measure-{id}", finding_url(branch, finding)),
            )
            .await
        }
        other => refused_decision(&state, &user, branch, id, other, &form.reason).await,
    }
}

/// 组织部: records what the 回头看 found (巩固 or 反弹).
pub async fn decide_look_back(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, look_back)): Path<(i64, i64)>,
    Form(form): Form<actions::look_back::OutcomeForm>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::look_back::decide(&state.db, &user, branch, look_back, &form).await? {
        Outcome::Done((finding, measure)) => {
            done(
                &session,
                "已记录回头看结果",
                &format!("{}#measure-{measure}", finding_url(branch, finding)),
            )
            .await
        }
        Outcome::NotFound => Err(AppError::NotFound),
        other => {
            let measure = db::look_backs::measure_of(&state.db.read, user.scope(), branch, look_back)
                .await?
                .ok_or(AppError::NotFound)?;
            refused_decision(&state, &user, branch, measure, other, &form.note).await
        }
    }
}

#[cfg(test)]
mod queue_tests {
    use super::queue_address;

    #[test]
    fn only_a_committee_queue_is_a_place_to_go_back_to() {
        assert_eq!(
            queue_address("/committees/12/close-outs"),
            Some("/committees/12/close-outs")
        );
        for bad in [
            "",
            "/committees//close-outs",
            "//evil.example/close-outs",
            "/committees/1/close-outs/../x",
            "https://x/committees/1/close-outs",
        ] {
            assert_eq!(queue_address(bad), None, "{bad}");
        }
    }
}
