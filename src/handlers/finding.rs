//! One finding's page: its text, its numbered measures, their 销号 evidence and the history;
//! for the branch's secretary, the forms to change them.

use crate::domain::history::AuditAction;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::branch::HistoryView;
use super::work::{STALE, Work};
use super::{CampaignParam, Form, Nav, Path};
use crate::AppState;
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::evidence::EvidenceMeta;
use crate::db::findings::Finding;
use crate::db::units::BranchRow;
use crate::domain::dates::{self, format_date, is_overdue};
use crate::domain::input::{
    FINDING_MAX, FieldErrors, MEASURE_MAX, MeasureInput, OWNER_MAX, deadline_window, finding_text,
};
use crate::domain::ledger::item_label;
use crate::domain::states::{FindingSource, LookBackOutcome, MeasureStatus, ReviewState};
use crate::domain::{BranchId, FindingId, MeasureId, Role};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/finding.html")]
pub struct FindingPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    branch: BranchRow,
    campaign_query: String,
    /// The secretary may change the finding and its measures' plans now.
    editable: bool,
    /// The secretary may report progress (销号 requests) — in the current campaign, any state.
    can_report: bool,
    /// The committee (or 组织部) may confirm or reject 销号 requests here.
    can_close_out: bool,
    /// The 组织部 may flag closed-off measures for 回头看 and record the outcome.
    can_look_back: bool,
    /// A refused 销号 decision: which measure, why, and the comment typed.
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
}

pub struct FindingDetail {
    pub id: FindingId,
    /// Where it sits: "2. 组织生活制度执行不严格 · 第 2（1）项：…" or "… · 延伸自查".
    pub context: String,
    pub text: String,
    pub review: ReviewState,
    pub review_comment: String,
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
}

/// The finding, if it is in scope and of this branch (the URL's branch must match the row's).
async fn load(state: &AppState, user: &CurrentUser, branch: i64, finding: i64) -> AppResult<(BranchRow, Finding)> {
    let branch = db::units::branch(&state.db.read, user.scope, BranchId(branch))
        .await?
        .ok_or(AppError::NotFound)?;
    let finding = db::findings::of_branch(&state.db.read, user.scope, branch.id, FindingId(finding))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((branch, finding))
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, finding)): Path<(i64, i64)>,
    CampaignParam(_): CampaignParam,
) -> AppResult<FindingPage> {
    let (branch, finding) = load(&state, &user, branch, finding).await?;
    let mut page = finding_page(&state, &user, branch, finding, Overlay::default()).await?;
    page.flash = session::take_flash(&session).await?;
    Ok(page)
}

async fn finding_page(
    state: &AppState,
    user: &CurrentUser,
    branch: BranchRow,
    f: Finding,
    mut overlay: Overlay,
) -> AppResult<FindingPage> {
    let db = &state.db.read;
    let campaign = db::campaigns::by_id(db, f.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ledger_state = db::ledger::ledger_state(db, user.scope, campaign.id, branch.id).await?;
    let is_secretary = user.role == Role::Secretary && campaign.is_current;
    let editable = is_secretary && ledger_state.content_editable();
    let hide_review = user.role == Role::Secretary && ledger_state == crate::domain::states::LedgerState::Submitted;
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let items = db::ledger::items(&state.db, campaign.id).await?;
    let measures = db::ledger::measures(db, user.scope, campaign.id, branch.id).await?;
    let evidence = db::evidence::of_branch(db, user.scope, campaign.id, branch.id).await?;
    let history = db::audit::finding_history(db, user.scope, branch.id, f.id).await?;
    let look_backs = db::look_backs::of_branch(db, user.scope, campaign.id, branch.id).await?;
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
                    ..form
                },
                None => MeasureForm {
                    saved_deadline: m.deadline,
                    text: m.text.clone(),
                    deadline: m.deadline.map(format_date).unwrap_or_default(),
                    owner: m.owner.clone(),
                    status: m.status.code().to_string(),
                    immediate: m.immediate,
                    version: m.version,
                    ..MeasureForm::default()
                },
            };
            MeasureEdit {
                id: m.id,
                position: m.position,
                overdue: is_overdue(m.deadline, status, today),
                deadline: m.deadline.map(format_date).unwrap_or_default(),
                evidence: evidence.iter().filter(|e| e.measure_id == m.id).cloned().collect(),
                editable: editable && status.branch_may_edit(),
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
        campaign_query: if campaign.is_current {
            String::new()
        } else {
            format!("?campaign={}", campaign.id)
        },
        editable,
        can_report: is_secretary,
        can_close_out: matches!(user.role, Role::Reviewer | Role::Overseer) && campaign.is_current,
        close_out_error: None,
        can_look_back: user.role == Role::Overseer && campaign.is_current,
        form: overlay.finding.take().unwrap_or_else(|| FindingForm {
            text: f.text.clone(),
            version: f.version,
            ..FindingForm::default()
        }),
        finding: FindingDetail {
            id: f.id,
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
    })
}

/// The finding page again after a refused 销号 decision, with the message and comment kept.
pub async fn refused_close_out(
    state: &AppState,
    user: &CurrentUser,
    branch: BranchRow,
    measure: db::measures::Measure,
    message: String,
    comment: String,
) -> AppResult<FindingPage> {
    let f = db::findings::get(&state.db.read, user.scope, measure.finding_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut page = finding_page(state, user, branch, f, Overlay::default()).await?;
    page.close_out_error = Some((measure.id, message, comment));
    Ok(page)
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
}

async fn refuse(
    state: &AppState,
    user: &CurrentUser,
    work: &Work,
    finding: FindingId,
    overlay: Overlay,
    status: StatusCode,
) -> AppResult<Response> {
    let f = db::findings::get(&state.db.read, user.scope, finding)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = finding_page(state, user, work.branch.clone(), f, overlay).await?;
    Ok((status, page).into_response())
}

fn finding_url(work: &Work, id: FindingId) -> String {
    format!("{}/findings/{id}", work.ledger_url())
}

#[derive(Deserialize)]
pub struct FindingData {
    #[serde(default)]
    text: String,
    #[serde(default)]
    version: i64,
}

pub async fn update(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, finding)): Path<(i64, i64)>,
    Form(form): Form<FindingData>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    let id = FindingId(finding);
    let sent = |error: Option<String>, conflict: bool, version: i64| FindingForm {
        text: form.text.clone(),
        version,
        error,
        conflict,
    };
    let text = match finding_text(&form.text) {
        Ok(t) => t,
        Err(e) => {
            let overlay = Overlay {
                finding: Some(sent(e.get("text").map(str::to_string), false, form.version)),
                ..Overlay::default()
            };
            return refuse(&state, &user, &work, id, overlay, StatusCode::BAD_REQUEST).await;
        }
    };
    let saved = work
        .edit(&state, async |tx| {
            let before = db::findings::get_of_branch(tx, work.actor, id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(db::findings::update_text(tx, work.actor, &before, form.version, &text).await?)
        })
        .await?;
    match saved {
        Ok(()) => {
            session::flash(&session, "查摆问题已保存").await?;
            Ok(Redirect::to(&finding_url(&work, id)).into_response())
        }
        Err(_stale) => {
            let current = db::findings::get(&state.db.read, user.scope, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let overlay = Overlay {
                finding: Some(sent(
                    Some(format!("{STALE} 当前保存的内容是：{}", current.text)),
                    true,
                    current.version,
                )),
                ..Overlay::default()
            };
            refuse(&state, &user, &work, id, overlay, StatusCode::CONFLICT).await
        }
    }
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

/// Asks before deleting a finding (its measures and evidence go with it).
pub async fn confirm_delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((branch, finding)): Path<(i64, i64)>,
) -> AppResult<ConfirmDeletePage> {
    let work = Work::load(&state, &user, branch).await?;
    let (_, f) = load(&state, &user, branch, finding).await?;
    work.ensure_editable(&state).await?;
    let measures = db::ledger::measures(&state.db.read, user.scope, work.campaign.id, work.branch.id).await?;
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
        action: format!("{}/delete", finding_url(&work, f.id)),
        version: f.version,
        measures: n as i64,
        back: finding_url(&work, f.id),
    })
}

#[derive(Deserialize)]
pub struct VersionData {
    #[serde(default)]
    version: i64,
    /// For a finding: the number of measures its confirmation page named.
    #[serde(default)]
    measures: i64,
}

pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, finding)): Path<(i64, i64)>,
    Form(form): Form<VersionData>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    let id = FindingId(finding);
    let anchor = work
        .edit(&state, async |tx| {
            let before = db::findings::get_of_branch(tx, work.actor, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let (measures, closed_out) = db::findings::measure_counts(tx, id).await?;
            if closed_out > 0 {
                return Err(AppError::Refused(
                    "这条查摆问题下有已销号的整改措施，是党总支（党委）审核确认的记录，不能删除。".into(),
                ));
            }
            if measures != form.measures {
                return Err(AppError::Conflict(format!(
                    "确认删除后，这条查摆问题的整改措施有了变化（现有 {measures} 条），没有删除。请返回查看后再决定。"
                )));
            }
            if db::findings::delete(tx, work.actor, &before, form.version)
                .await?
                .is_err()
            {
                return Err(AppError::Conflict(
                    "这条查摆问题在您确认删除前被他人修改过，没有删除。请返回查看最新内容后再决定。".into(),
                ));
            }
            Ok(before.ledger_item_id.map(|i| format!("#item-{i}")).unwrap_or_default())
        })
        .await?;
    session::flash(&session, "已删除查摆问题").await?;
    Ok(Redirect::to(&format!("{}{anchor}", work.ledger_url())).into_response())
}

#[derive(Deserialize)]
pub struct MeasureData {
    #[serde(default)]
    text: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    immediate: Option<String>,
    #[serde(default)]
    version: i64,
}

impl MeasureData {
    fn sent(&self, errors: FieldErrors, conflict: bool, version: i64) -> MeasureForm {
        MeasureForm {
            text: self.text.clone(),
            deadline: self.deadline.clone(),
            owner: self.owner.clone(),
            status: self.status.clone(),
            immediate: self.immediate.is_some(),
            version,
            errors,
            conflict,
            saved_deadline: None,
        }
    }

    fn parse(
        &self,
        work: &Work,
        saved: Option<(MeasureStatus, Option<time::Date>)>,
    ) -> Result<MeasureInput, FieldErrors> {
        MeasureInput::parse(
            &self.text,
            &self.deadline,
            &self.owner,
            &self.status,
            self.immediate.is_some(),
            saved,
            deadline_window(work.campaign.issued_on),
        )
    }
}

/// Adds a measure to a finding.
pub async fn create_measure(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, finding)): Path<(i64, i64)>,
    Form(form): Form<MeasureData>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    let id = FindingId(finding);
    let input = match form.parse(&work, None) {
        Ok(i) => i,
        Err(e) => {
            let overlay = Overlay {
                new_measure: Some(form.sent(e, false, 0)),
                ..Overlay::default()
            };
            return refuse(&state, &user, &work, id, overlay, StatusCode::BAD_REQUEST).await;
        }
    };
    let measure = work
        .edit(&state, async |tx| {
            db::findings::get_of_branch(tx, work.actor, id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(db::measures::create(tx, work.actor, id, &input).await?)
        })
        .await?;
    session::flash(&session, "已添加整改措施").await?;
    // To the measure just added, not the empty form below it.
    Ok(Redirect::to(&format!("{}#measure-{measure}", finding_url(&work, id))).into_response())
}

/// Saves the secretary's edit of a measure's plan.
pub async fn update_measure(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<MeasureData>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    let id = MeasureId(measure);
    let before = db::measures::of_branch(&state.db.read, user.scope, work.branch.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = match form.parse(&work, Some((before.status, before.deadline))) {
        Ok(i) => i,
        Err(e) => {
            let overlay = Overlay {
                measure: Some((id, form.sent(e, false, form.version))),
                ..Overlay::default()
            };
            return refuse(
                &state,
                &user,
                &work,
                before.finding_id,
                overlay,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let saved = work
        .edit(&state, async |tx| {
            let before = db::measures::get_of_branch(tx, work.actor, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !before.status.branch_may_edit() {
                return Err(AppError::Refused("这条措施已销号，不能再修改。".into()));
            }
            Ok(db::measures::update(tx, work.actor, &before, form.version, &input).await?)
        })
        .await?;
    match saved {
        Ok(()) => {
            session::flash(&session, "整改措施已保存").await?;
            Ok(Redirect::to(&format!("{}#measure-{id}", finding_url(&work, before.finding_id))).into_response())
        }
        Err(_stale) => {
            let current = db::measures::get(&state.db.read, user.scope, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut errors = FieldErrors::default();
            errors.add(
                "form",
                format!(
                    "{STALE} 当前保存的是：{}；整改时限 {}；责任人 {}；状态 {}。",
                    current.text,
                    current.deadline.map(format_date).unwrap_or_else(|| "未填写".into()),
                    if current.owner.is_empty() {
                        "未填写"
                    } else {
                        &current.owner
                    },
                    current.status.label()
                ),
            );
            let overlay = Overlay {
                measure: Some((id, form.sent(errors, true, current.version))),
                ..Overlay::default()
            };
            refuse(&state, &user, &work, before.finding_id, overlay, StatusCode::CONFLICT).await
        }
    }
}

/// Asks before deleting a measure.
pub async fn confirm_delete_measure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((branch, measure)): Path<(i64, i64)>,
) -> AppResult<ConfirmDeletePage> {
    let work = Work::load(&state, &user, branch).await?;
    let m = db::measures::of_branch(&state.db.read, user.scope, work.branch.id, MeasureId(measure))
        .await?
        .ok_or(AppError::NotFound)?;
    work.ensure_editable(&state).await?;
    Ok(ConfirmDeletePage {
        nav: Nav::for_user(&user, ""),
        csrf: user.csrf.clone(),
        title: "删除整改措施".into(),
        what: m.text,
        consequence: "这条措施的证明材料将一并删除。".into(),
        action: format!("{}/measures/{}/delete", work.ledger_url(), m.id),
        version: m.version,
        measures: 0,
        back: finding_url(&work, m.finding_id),
    })
}

pub async fn delete_measure(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<VersionData>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    let id = MeasureId(measure);
    let finding = work
        .edit(&state, async |tx| {
            let before = db::measures::get_of_branch(tx, work.actor, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !before.status.branch_may_edit() {
                return Err(AppError::Refused("这条措施已销号，不能删除。".into()));
            }
            if db::measures::delete(tx, work.actor, &before, form.version)
                .await?
                .is_err()
            {
                return Err(AppError::Conflict(
                    "这条整改措施在您确认删除前被他人修改过，没有删除。请返回查看最新内容后再决定。".into(),
                ));
            }
            Ok(before.finding_id)
        })
        .await?;
    session::flash(&session, "已删除整改措施").await?;
    Ok(Redirect::to(&finding_url(&work, finding)).into_response())
}
