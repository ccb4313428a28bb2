//! A branch's ledger page: the items by category with the branch's answers, findings and
//! measures; for its secretary, the forms to answer, add findings and submit.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Date;
use tower_sessions::Session;

use super::work::Work;
use super::{CampaignParam, Form, Nav, Path};
use crate::AppState;
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::audit::HistoryRow;
use crate::db::campaigns::Campaign;
use crate::db::ledger::{CategoryRow, FindingRow, ItemRow, MeasureRow, SelfCheckRow};
use crate::db::units::BranchRow;
use crate::domain::dates::{self, days_left_label, display_moment, format_date, is_overdue};
use crate::domain::history::{AuditAction, Change, changes};
use crate::domain::input::{FINDING_MAX, FieldErrors, REASON_MAX, VerdictInput};
use crate::domain::ledger::{item_label, split_examples};
use crate::domain::states::{FindingSource, LedgerState, MeasureStatus, ReviewState, Verdict};
use crate::domain::submission::{self, FindingPlan, ItemAnswer, Missing};
use crate::domain::{BranchId, CategoryId, FindingId, LedgerItemId, Role};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/ledger.html")]
pub struct LedgerPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    branch: BranchRow,
    campaign: Campaign,
    /// `?campaign=ID` for links when looking at a past campaign, else empty.
    campaign_query: String,
    state: LedgerState,
    /// The secretary may change answers and findings now.
    editable: bool,
    phases: Vec<Phase>,
    answered: usize,
    item_count: usize,
    categories: Vec<CategoryView>,
    returned: Vec<ReturnedView>,
    /// Why the last submission was refused.
    submit_problems: Vec<Missing>,
    /// The committee (or 组织部) may decide rows and sign off now: the ledger is 已提交.
    reviewing: bool,
    /// The committee (or 组织部) may reopen it: it is 已审核签字.
    can_reopen: bool,
    /// Submission, sign-off and the committee's last word.
    record: Option<db::review::LedgerRecord>,
    record_signed_at: String,
    record_submitted_at: String,
    /// Rows 待审核 / 已通过 / 已退回.
    row_counts: [usize; 3],
    review: ReviewForm,
    four: [&'static str; 4],
    ledger_history: Vec<HistoryView>,
    finding_max: usize,
    reason_max: usize,
}

/// One phase deadline in the banner.
pub struct Phase {
    pub name: &'static str,
    pub due: String,
    pub left: String,
    pub passed: bool,
}

pub struct CategoryView {
    pub id: CategoryId,
    pub position: i64,
    pub title: String,
    pub items: Vec<ItemView>,
    /// 延伸自查 and imported findings: under this category, outside its items.
    pub extended: Vec<FindingView>,
    /// The 延伸自查 form's text and error, when it was just refused.
    pub new_finding: NewFindingForm,
}

pub struct ItemView {
    pub id: LedgerItemId,
    /// "2（1）"
    pub code: String,
    pub label: String,
    pub statement: String,
    pub examples: Option<String>,
    pub verdict: Option<Verdict>,
    pub reason: String,
    pub version: i64,
    pub findings: Vec<FindingView>,
    pub form: VerdictForm,
    pub new_finding: NewFindingForm,
    pub history: Vec<HistoryView>,
}

/// What the verdict form shows: the saved answer, or what the user just sent if it was refused.
#[derive(Default)]
pub struct VerdictForm {
    pub verdict: String,
    pub reason: String,
    pub version: i64,
    pub errors: FieldErrors,
    pub conflict: bool,
}

#[derive(Default)]
pub struct NewFindingForm {
    pub text: String,
    pub error: Option<String>,
}

pub struct FindingView {
    pub id: FindingId,
    pub version: i64,
    /// The 1. 2. … within its category, as 附件2 numbers them.
    pub number: usize,
    pub text: String,
    pub source: &'static str,
    pub review: ReviewState,
    pub review_comment: String,
    pub measures: Vec<MeasureView>,
}

pub struct MeasureView {
    pub position: i64,
    pub text: String,
    pub deadline: String,
    pub owner: String,
    pub status: MeasureStatus,
    pub immediate: bool,
    pub overdue: bool,
}

pub struct ReturnedView {
    pub id: FindingId,
    pub text: String,
    pub comment: String,
}

pub struct HistoryView {
    pub at: String,
    pub who: String,
    pub action: String,
    pub changes: Vec<Change>,
}

impl From<HistoryRow> for HistoryView {
    fn from(r: HistoryRow) -> Self {
        let parse = |s: &Option<String>| s.as_deref().and_then(|j| serde_json::from_str(j).ok());
        HistoryView {
            at: display_moment(&r.at),
            who: r.user_name.clone().unwrap_or_else(|| "系统".into()),
            action: r.action.label().to_string(),
            changes: changes(parse(&r.before_json).as_ref(), parse(&r.after_json).as_ref()),
        }
    }
}

/// What a refused form sent, shown again on the page.
#[derive(Default)]
pub struct Overlay {
    pub verdict: Option<(LedgerItemId, VerdictForm)>,
    pub new_finding: Option<(Placement, NewFindingForm)>,
    pub submit_problems: Vec<Missing>,
    /// The reviewer's refused form: a row's return comment, the sign-off or the reopen.
    pub review: ReviewForm,
}

impl LedgerPage {
    /// When the committee's refused form is not on the page any more (the ledger moved on
    /// meanwhile), what was typed goes into the message, so it is not lost.
    pub fn keep_typed_text_in_error(&mut self) {
        if self.reviewing || self.can_reopen {
            return;
        }
        let typed = [
            &self.review.row_comment,
            &self.review.sign_off_comment,
            &self.review.reopen_reason,
        ]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .cloned();
        if let (Some(e), Some(t)) = (self.review.error.as_mut(), typed) {
            e.push_str(&format!("（您填写的内容未保存：{t}）"));
        }
    }

    fn pending_rows(&self) -> usize {
        self.row_counts[0]
    }
    fn approved_rows(&self) -> usize {
        self.row_counts[1]
    }
    fn returned_rows(&self) -> usize {
        self.row_counts[2]
    }
    /// Rows not yet approved: while there are any, the ledger cannot be signed off.
    fn open_rows(&self) -> usize {
        self.row_counts[0] + self.row_counts[2]
    }
}

impl ReviewForm {
    fn is_row(&self, id: &FindingId) -> bool {
        self.row_id == Some(*id)
    }
}

/// What the committee's forms show again after a refusal.
#[derive(Default)]
pub struct ReviewForm {
    /// A row whose 退回 was refused, with the comment typed.
    pub row_id: Option<FindingId>,
    pub row_comment: String,
    pub error: Option<String>,
    pub sign_off_comment: String,
    pub affirmed: [bool; 4],
    pub reopen_reason: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Item(LedgerItemId),
    Category(CategoryId),
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    CampaignParam(asked): CampaignParam,
) -> AppResult<LedgerPage> {
    let branch = db::units::branch(&state.db.read, user.scope, BranchId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::resolve(&state.db, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut page = ledger_page(&state, &user, branch, campaign, Overlay::default()).await?;
    page.flash = session::take_flash(&session).await?;
    Ok(page)
}

/// Builds the page, with whatever a refused form sent laid over the saved data.
pub async fn ledger_page(
    state: &AppState,
    user: &CurrentUser,
    branch: BranchRow,
    campaign: Campaign,
    mut overlay: Overlay,
) -> AppResult<LedgerPage> {
    let db = &state.db.read;
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let items = db::ledger::items(&state.db, campaign.id).await?;
    let checks = db::ledger::self_checks(db, user.scope, campaign.id, branch.id).await?;
    let findings = db::ledger::findings(db, user.scope, campaign.id, branch.id).await?;
    let measures = db::ledger::measures(db, user.scope, campaign.id, branch.id).await?;
    let (history, ledger_history): (Vec<_>, Vec<_>) = db::audit::branch_history(db, user.scope, branch.id)
        .await?
        .into_iter()
        .partition(|h| h.action == AuditAction::SelfCheckSet);
    let record = db::review::ledger_record(db, user.scope, campaign.id, branch.id).await?;
    let ledger_state = LedgerState::of(record.as_ref().map(|r| r.state));
    let today = dates::today();
    let editable = user.role == Role::Secretary && campaign.is_current && ledger_state.content_editable();
    let is_reviewer = matches!(user.role, Role::Reviewer | Role::Overseer) && campaign.is_current;
    let count = |s: ReviewState| findings.iter().filter(|f| f.review_state == s).count();
    let row_counts = [
        count(ReviewState::Pending),
        count(ReviewState::Approved),
        count(ReviewState::Returned),
    ];
    let review = std::mem::take(&mut overlay.review);

    // While the committee has the ledger (已提交), its row decisions are its own draft: the
    // branch sees them only once the ledger is sent back.
    let hide_review = user.role == Role::Secretary && ledger_state == LedgerState::Submitted;
    let returned = findings
        .iter()
        .filter(|_| user.role == Role::Secretary && !hide_review)
        .filter(|f| f.review_state == ReviewState::Returned)
        .map(|f| ReturnedView {
            id: f.id,
            text: f.text.clone(),
            comment: f.review_comment.clone(),
        })
        .collect();
    let answered = checks.len();
    let item_count = items.len();
    let submit_problems = std::mem::take(&mut overlay.submit_problems);
    Ok(LedgerPage {
        nav: Nav::for_user(user, &format!("/branches/{}", branch.id)),
        csrf: user.csrf.clone(),
        flash: None,
        campaign_query: campaign.link_query(),
        phases: phases(&campaign, today),
        categories: group(
            categories,
            items,
            checks,
            findings,
            measures,
            history,
            today,
            overlay,
            hide_review,
        ),
        answered,
        item_count,
        returned,
        submit_problems,
        editable,
        reviewing: is_reviewer && ledger_state == LedgerState::Submitted,
        can_reopen: is_reviewer && ledger_state == LedgerState::SignedOff,
        record_signed_at: record
            .as_ref()
            .and_then(|r| r.signed_off_at.as_deref())
            .map(display_moment)
            .unwrap_or_default(),
        record_submitted_at: record
            .as_ref()
            .and_then(|r| r.submitted_at.as_deref())
            .map(display_moment)
            .unwrap_or_default(),
        record,
        row_counts,
        review,
        four: crate::domain::review::FOUR_IN_PLACE,
        ledger_history: ledger_history.into_iter().map(HistoryView::from).collect(),
        state: ledger_state,
        branch,
        campaign,
        finding_max: FINDING_MAX,
        reason_max: REASON_MAX,
    })
}

pub fn phases(c: &Campaign, today: Date) -> Vec<Phase> {
    [
        ("对账查摆", c.self_check_due),
        ("党总支报送", c.report_due),
        ("立项整改", c.rectify_due),
        ("结果运用", c.results_due),
    ]
    .into_iter()
    .map(|(name, due)| Phase {
        name,
        due: format_date(due),
        left: days_left_label(due, today),
        passed: due < today,
    })
    .collect()
}

/// Arranges the flat rows as the page reads: category → item → finding → measure, with
/// 延伸自查 findings (no item) at the end of their category, numbered 1. 2. … per category.
#[allow(clippy::too_many_arguments)]
fn group(
    categories: Vec<CategoryRow>,
    items: Vec<ItemRow>,
    checks: Vec<SelfCheckRow>,
    findings: Vec<FindingRow>,
    measures: Vec<MeasureRow>,
    history: Vec<HistoryRow>,
    today: Date,
    mut overlay: Overlay,
    hide_review: bool,
) -> Vec<CategoryView> {
    let mut measures_of: HashMap<FindingId, Vec<MeasureView>> = HashMap::new();
    for m in measures {
        let status = m.status;
        measures_of.entry(m.finding_id).or_default().push(MeasureView {
            position: m.position,
            overdue: is_overdue(m.deadline, status, today),
            deadline: m.deadline.map(format_date).unwrap_or_default(),
            text: m.text,
            owner: m.owner,
            status,
            immediate: m.immediate,
        });
    }
    // Findings are numbered within their category in display order: item findings first, by
    // item, then 延伸自查 — the order 附件2 prints them in.
    let item_order: HashMap<LedgerItemId, usize> = items.iter().enumerate().map(|(i, it)| (it.id, i)).collect();
    let mut findings = findings;
    findings.sort_by_key(|f| {
        (
            f.category_id,
            f.ledger_item_id.map_or(usize::MAX, |i| item_order[&i]),
            f.position,
            f.id,
        )
    });
    let mut by_item: HashMap<LedgerItemId, Vec<FindingView>> = HashMap::new();
    let mut extended: HashMap<CategoryId, Vec<FindingView>> = HashMap::new();
    let mut numbers: HashMap<CategoryId, usize> = HashMap::new();
    for f in findings {
        let number = numbers.entry(f.category_id).and_modify(|n| *n += 1).or_insert(1);
        let view = FindingView {
            id: f.id,
            version: f.version,
            number: *number,
            source: f.source.tag(),
            review: if hide_review {
                ReviewState::Pending
            } else {
                f.review_state
            },
            review_comment: if hide_review { String::new() } else { f.review_comment },
            measures: measures_of.remove(&f.id).unwrap_or_default(),
            text: f.text,
        };
        match f.ledger_item_id {
            Some(item) => by_item.entry(item).or_default().push(view),
            None => extended.entry(f.category_id).or_default().push(view),
        }
    }
    let checks: HashMap<LedgerItemId, SelfCheckRow> = checks.into_iter().map(|c| (c.ledger_item_id, c)).collect();
    let mut history_of: HashMap<i64, Vec<HistoryView>> = HashMap::new();
    for h in history {
        if let Some(item) = h.ledger_item_id {
            history_of.entry(item).or_default().push(h.into());
        }
    }
    let mut take_new_finding = |p: Placement| match &overlay.new_finding {
        Some((q, _)) if *q == p => overlay.new_finding.take().map(|(_, f)| f).unwrap_or_default(),
        _ => NewFindingForm::default(),
    };

    categories
        .into_iter()
        .map(|c| {
            let items = items
                .iter()
                .filter(|i| i.category_id == c.id)
                .map(|i| {
                    let (statement, examples) = split_examples(&i.text);
                    let check = checks.get(&i.id);
                    let form = match overlay.verdict.take_if(|(id, _)| *id == i.id) {
                        Some((_, form)) => form,
                        None => VerdictForm {
                            verdict: check.map(|c| c.verdict.code().to_string()).unwrap_or_default(),
                            reason: check.map(|c| c.reason.clone()).unwrap_or_default(),
                            version: check.map_or(0, |c| c.version),
                            ..VerdictForm::default()
                        },
                    };
                    ItemView {
                        id: i.id,
                        code: format!("{}{}", c.position, item_label(i.position)),
                        label: item_label(i.position),
                        statement: statement.to_string(),
                        examples: examples.map(str::to_string),
                        verdict: check.map(|c| c.verdict),
                        reason: check.map(|c| c.reason.clone()).unwrap_or_default(),
                        version: check.map_or(0, |c| c.version),
                        findings: by_item.remove(&i.id).unwrap_or_default(),
                        new_finding: take_new_finding(Placement::Item(i.id)),
                        history: history_of.remove(&i.id.0).unwrap_or_default(),
                        form,
                    }
                })
                .collect();
            CategoryView {
                id: c.id,
                position: c.position,
                items,
                extended: extended.remove(&c.id).unwrap_or_default(),
                new_finding: take_new_finding(Placement::Category(c.id)),
                title: c.title,
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct VerdictFormData {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i64,
}

/// 对账查摆: saves the answer to one item.
pub async fn set_verdict(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, item)): Path<(i64, i64)>,
    Form(form): Form<VerdictFormData>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    let item = LedgerItemId(item);
    let refused = |errors: FieldErrors, conflict: bool| VerdictForm {
        verdict: form.verdict.clone(),
        reason: form.reason.clone(),
        version: form.version,
        errors,
        conflict,
    };
    let input = match VerdictInput::parse(&form.verdict, &form.reason) {
        Ok(input) => input,
        Err(errors) => {
            return refuse(
                &state,
                &user,
                work,
                Overlay {
                    verdict: Some((item, refused(errors, false))),
                    ..Overlay::default()
                },
            )
            .await;
        }
    };
    let outcome = work
        .edit(&state, async |tx| {
            if !db::self_checks::item_in_campaign(tx, item, work.campaign.id).await? {
                return Err(AppError::NotFound);
            }
            if input.verdict != Verdict::Problem {
                let n = db::findings::count_under_item(tx, work.branch.id, item).await?;
                if n > 0 {
                    let mut e = FieldErrors::default();
                    e.add(
                        "verdict",
                        format!("此项下还有 {n} 条查摆问题；如确无问题，请先删除这些查摆问题，再修改结论"),
                    );
                    return Ok(Err(e));
                }
            }
            match db::self_checks::set(tx, work.actor, item, form.version, &input).await? {
                Ok(()) => Ok(Ok(())),
                Err(_stale) => Ok(Err(FieldErrors::default())),
            }
        })
        .await?;
    match outcome {
        Ok(()) => {
            session::flash(&session, "已保存").await?;
            Ok(Redirect::to(&format!("{}#item-{item}", work.ledger_url())).into_response())
        }
        Err(errors) => {
            // No field errors means the row was stale: show the latest answer's version so a
            // second save, after checking, goes through.
            let conflict = errors.is_empty();
            let mut form = refused(errors, conflict);
            if conflict {
                form.version = current_version(&state, &work, item).await?;
            }
            refuse(
                &state,
                &user,
                work,
                Overlay {
                    verdict: Some((item, form)),
                    ..Overlay::default()
                },
            )
            .await
        }
    }
}

async fn current_version(state: &AppState, work: &Work, item: LedgerItemId) -> AppResult<i64> {
    let mut conn = state.db.read.acquire().await?;
    Ok(db::self_checks::get(&mut conn, work.branch.id, item)
        .await?
        .map_or(0, |a| a.version))
}

/// The ledger page again, with the refused form's content and messages, as 400 (409 if stale).
async fn refuse(state: &AppState, user: &CurrentUser, work: Work, overlay: Overlay) -> AppResult<Response> {
    let status = match &overlay.verdict {
        Some((_, f)) if f.conflict => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    let page = ledger_page(state, user, work.branch, work.campaign, overlay).await?;
    Ok((status, page).into_response())
}

#[derive(Deserialize)]
pub struct NewFindingData {
    #[serde(default)]
    text: String,
    #[serde(default)]
    item_id: Option<i64>,
    #[serde(default)]
    category_id: Option<i64>,
}

/// Adds a finding under an item answered 存在问题, or under a category (延伸自查).
pub async fn create_finding(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(branch): Path<i64>,
    Form(form): Form<NewFindingData>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    let placement = match (form.item_id, form.category_id) {
        (Some(i), _) => Placement::Item(LedgerItemId(i)),
        (None, Some(c)) => Placement::Category(CategoryId(c)),
        (None, None) => {
            return Err(AppError::BadRequest("没有指明查摆问题所属的类别或条目。".into()));
        }
    };
    let refused = |error: String| Overlay {
        new_finding: Some((
            placement,
            NewFindingForm {
                text: form.text.clone(),
                error: Some(error),
            },
        )),
        ..Overlay::default()
    };
    let text = match crate::domain::input::finding_text(&form.text) {
        Ok(t) => t,
        Err(e) => {
            return refuse(
                &state,
                &user,
                work,
                refused(e.get("text").unwrap_or_default().to_string()),
            )
            .await;
        }
    };
    let created = work
        .edit(&state, async |tx| {
            let campaign = work.campaign.id;
            let (category, item, source) = match placement {
                Placement::Item(item) => {
                    let category = db::findings::category_of_item(tx, campaign, item)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    let answer = db::self_checks::get(tx, work.branch.id, item).await?;
                    if answer.is_none_or(|a| a.verdict != Verdict::Problem) {
                        return Ok(Err("请先将此项的结论保存为“存在问题”，再填写查摆问题".to_string()));
                    }
                    (category, Some(item), FindingSource::SelfCheck)
                }
                Placement::Category(category) => {
                    if !db::findings::category_in_campaign(tx, campaign, category).await? {
                        return Err(AppError::NotFound);
                    }
                    (category, None, FindingSource::Extended)
                }
            };
            Ok(Ok(db::findings::create(
                tx, work.actor, campaign, category, item, &text, source,
            )
            .await?))
        })
        .await?;
    match created {
        Ok(id) => {
            session::flash(&session, "已添加查摆问题，请继续制定整改措施").await?;
            Ok(Redirect::to(&format!("{}/findings/{id}#new-measure", work.ledger_url())).into_response())
        }
        Err(message) => refuse(&state, &user, work, refused(message)).await,
    }
}

/// 提交审核: the submission gate, then the ledger goes to the committee.
pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(branch): Path<i64>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    let problems = work
        .edit(&state, async |tx| {
            let problems = gate(&state, &user, &work).await?;
            if problems.is_empty() {
                db::ledger::submit(tx, work.actor, work.campaign.id).await?;
            }
            Ok(problems)
        })
        .await?;
    if problems.is_empty() {
        session::flash(
            &session,
            "已提交党总支（党委）审核。审核退回前台账内容不能修改，整改进展和销号申请仍可填报。",
        )
        .await?;
        return Ok(Redirect::to(&work.ledger_url()).into_response());
    }
    refuse(
        &state,
        &user,
        work,
        Overlay {
            submit_problems: problems,
            ..Overlay::default()
        },
    )
    .await
}

/// What the submission gate finds missing, from the branch's saved rows.
async fn gate(state: &AppState, user: &CurrentUser, work: &Work) -> AppResult<Vec<Missing>> {
    let db = &state.db.read;
    let (campaign, branch) = (work.campaign.id, work.branch.id);
    let categories = db::ledger::categories(&state.db, campaign).await?;
    let items = db::ledger::items(&state.db, campaign).await?;
    let checks = db::ledger::self_checks(db, user.scope, campaign, branch).await?;
    let findings = db::ledger::findings(db, user.scope, campaign, branch).await?;
    let measures = db::ledger::measures(db, user.scope, campaign, branch).await?;
    let position_of: HashMap<CategoryId, i64> = categories.iter().map(|c| (c.id, c.position)).collect();
    let codes: Vec<String> = items
        .iter()
        .map(|i| format!("{}{}", position_of[&i.category_id], item_label(i.position)))
        .collect();
    let anchors: Vec<String> = items.iter().map(|i| format!("#item-{}", i.id)).collect();
    let answers: Vec<ItemAnswer<'_>> = items
        .iter()
        .zip(codes.iter().zip(&anchors))
        .map(|(i, (code, href))| ItemAnswer {
            label: code,
            href,
            verdict: checks.iter().find(|c| c.ledger_item_id == i.id).map(|c| c.verdict),
            findings: findings.iter().filter(|f| f.ledger_item_id == Some(i.id)).count(),
        })
        .collect();
    let quotes: Vec<String> = findings.iter().map(|f| submission::quote(&f.text)).collect();
    let pages: Vec<String> = findings
        .iter()
        .map(|f| format!("{}/findings/{}", work.ledger_url(), f.id))
        .collect();
    let plans: Vec<FindingPlan<'_>> = findings
        .iter()
        .zip(quotes.iter().zip(&pages))
        .map(|(f, (q, href))| {
            let ms: Vec<&MeasureRow> = measures.iter().filter(|m| m.finding_id == f.id).collect();
            FindingPlan {
                label: q,
                href,
                measures: ms.len(),
                complete_measures: ms
                    .iter()
                    .filter(|m| m.deadline.is_some() && !m.owner.trim().is_empty())
                    .count(),
            }
        })
        .collect();
    Ok(submission::missing(&answers, &plans))
}
