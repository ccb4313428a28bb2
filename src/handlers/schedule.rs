//! One measure's 进度安排 page: its milestones, progress entries and 延期申请, and the whole
//! of it as one timeline. The unit keeps them; the level above decides 延期申请; everyone in
//! scope reads. Every POST here shows this page again when its step is refused.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Form, Nav, Path, SentMultipart, done, refusal};
use crate::AppState;
use crate::actions::schedule::{DecisionForm, EntryForm, ExtensionForm, MilestoneForm};
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::measures::Measure;
use crate::db::schedule::{Schedule, ScheduleRow};
use crate::db::units::BranchRow;
use crate::domain::dates::{display_moment, format_date, is_overdue, today};
use crate::domain::evidence::{MAX_BYTES, size_label};
use crate::domain::input::{FieldErrors, REASON_MAX};
use crate::domain::progress::{self, ENTRY_MAX, ExtensionState, MILESTONE_MAX, deadline_words, first_due};
use crate::domain::review::Powers;
use crate::domain::states::MeasureStatus;
use crate::domain::{BranchId, ExtensionId, MeasureId, MilestoneId, ProgressEntryId};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/measure.html")]
pub struct MeasurePage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    branch: BranchRow,
    measure: Measure,
    finding_text: String,
    /// 整改时限 as said everywhere: the approved date, with the original and the count when moved.
    deadline: String,
    overdue: bool,
    milestones: Vec<MilestoneLine>,
    entries: Vec<EntryLine>,
    extensions: Vec<ExtensionLine>,
    timeline: Vec<TimelineLine>,
    /// The unit's own people may plan and report (current campaign, not closed off).
    may_report: bool,
    /// …and ask for more time: the ledger has been handed in and nothing is pending.
    may_request: bool,
    /// The level above decides 延期申请.
    may_decide: bool,
    sent: Sent,
    milestone_max: usize,
    entry_max: usize,
    reason_max: usize,
    max_mb: usize,
    today: String,
}

pub struct MilestoneLine {
    pub id: MilestoneId,
    pub title: String,
    pub due_on: String,
    pub words: String,
    pub done: bool,
    pub overdue: bool,
    pub may_delete: bool,
    pub version: i64,
}

pub struct EntryLine {
    pub id: ProgressEntryId,
    pub on_date: String,
    pub text: String,
    pub file: Option<(String, String)>,
    pub author: String,
}

pub struct ExtensionLine {
    pub id: ExtensionId,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub state: ExtensionState,
    pub requested: String,
    pub decided: String,
    pub comment: String,
    pub version: i64,
}

/// One dated line of the whole 进度安排, oldest first.
pub struct TimelineLine {
    pub date: String,
    pub kind: &'static str,
    pub text: String,
}

/// What a refused form sent, laid over the page.
#[derive(Default)]
pub struct Sent {
    milestone: MilestoneForm,
    entry: (String, String),
    extension: ExtensionForm,
    comment: String,
    errors: FieldErrors,
    /// Which form the errors belong to: "milestone", "entry", "extension" or "decision".
    form: &'static str,
    /// A refusal or conflict, said at the top.
    message: Option<String>,
    /// What the next page says when the step is done.
    done: &'static str,
}

impl MeasurePage {
    fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.sent.form == form).then(|| self.sent.errors.get(field)).flatten()
    }
}

async fn page(state: &AppState, user: &CurrentUser, branch: i64, id: i64, sent: Sent) -> AppResult<MeasurePage> {
    let db = &state.db.read;
    let branch = db::units::branch(db, user.scope(), BranchId(branch))
        .await?
        .ok_or(AppError::NotFound)?;
    let measure = db::measures::of_branch(db, user.scope(), branch.id, MeasureId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let finding = db::findings::of_branch(db, user.scope(), branch.id, measure.finding_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::by_id(db, finding.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ledger = db::ledger::ledger_state(db, user.scope(), campaign.id, branch.id).await?;
    let powers = Powers::of(user.role(), branch.level, campaign.is_current, ledger);
    let Schedule {
        milestones,
        entries,
        extensions,
    } = db::schedule::of_measure(db, user.scope(), branch.id, measure.id).await?;
    let today = today();
    let open = measure.status.branch_may_edit();
    let approved = extensions
        .iter()
        .filter(|x| x.state == ExtensionState::Approved)
        .count() as i64;
    let pending = extensions.iter().any(|x| x.state == ExtensionState::Pending);
    let milestone_due = milestones
        .iter()
        .filter(|m| m.done_on.is_none())
        .map(|m| m.due_on)
        .min();

    let mut timeline = Vec::new();
    let milestones: Vec<MilestoneLine> = milestones
        .into_iter()
        .map(|m| {
            let f = m.facts();
            timeline.push(TimelineLine {
                date: format_date(m.done_on.unwrap_or(m.due_on)),
                kind: "节点",
                text: format!(
                    "{}（计划 {}）· {}",
                    m.title,
                    format_date(m.due_on),
                    f.words(measure.status, today)
                ),
            });
            MilestoneLine {
                id: m.id,
                due_on: format_date(m.due_on),
                words: f.words(measure.status, today),
                done: m.done_on.is_some(),
                overdue: f.overdue(measure.status, today),
                may_delete: progress::may_delete_milestone(f, today).is_ok(),
                title: m.title,
                version: m.version,
            }
        })
        .collect();
    let entries: Vec<EntryLine> = entries
        .into_iter()
        .map(|e| {
            timeline.push(TimelineLine {
                date: format_date(e.on_date),
                kind: "进展",
                text: e.text.clone(),
            });
            EntryLine {
                id: e.id,
                on_date: format_date(e.on_date),
                file: e.file_name.map(|n| (n, size_label(e.size.unwrap_or(0)))),
                author: e.author.unwrap_or_default(),
                text: e.text,
            }
        })
        .collect();
    let extensions: Vec<ExtensionLine> = extensions
        .into_iter()
        .map(|x| {
            let requested = display_moment(&x.requested_at);
            timeline.push(TimelineLine {
                date: requested.chars().take(10).collect(),
                kind: "延期申请",
                text: format!(
                    "申请由 {} 延期至 {}：{}",
                    format_date(x.previous_deadline),
                    format_date(x.requested_deadline),
                    x.reason
                ),
            });
            let decided = x.decided_at.as_deref().map(display_moment).unwrap_or_default();
            if !decided.is_empty() {
                timeline.push(TimelineLine {
                    date: decided.chars().take(10).collect(),
                    kind: "延期审批",
                    text: format!(
                        "{}{}{}",
                        x.state,
                        x.decided_by.as_deref().map(|n| format!("（{n}）")).unwrap_or_default(),
                        if x.decision_comment.is_empty() {
                            String::new()
                        } else {
                            format!("：{}", x.decision_comment)
                        }
                    ),
                });
            }
            ExtensionLine {
                id: x.id,
                from: format_date(x.previous_deadline),
                to: format_date(x.requested_deadline),
                requested: format!("{}（{}）", requested, x.requested_by.unwrap_or_default()),
                decided: match x.decided_by {
                    Some(n) => format!("{decided}（{n}）"),
                    None => decided,
                },
                reason: x.reason,
                state: x.state,
                comment: x.decision_comment,
                version: x.version,
            }
        })
        .collect();
    timeline.sort_by(|a, b| a.date.cmp(&b.date));

    let mut sent = sent;
    if sent.form != "entry" {
        sent.entry.0 = format_date(today);
    }
    Ok(MeasurePage {
        nav: Nav::for_user(user, &format!("/branches/{}", branch.id)),
        csrf: user.csrf.clone(),
        flash: None,
        finding_text: finding.text,
        deadline: deadline_words(measure.deadline, measure.original_deadline, approved),
        overdue: is_overdue(first_due(measure.deadline, milestone_due), measure.status, today),
        milestones,
        entries,
        extensions,
        timeline,
        may_report: powers.report && open,
        may_request: powers.report
            && open
            && progress::may_request_extension(measure.original_deadline, pending).is_ok(),
        may_decide: powers.close_out && open,
        branch,
        measure,
        sent,
        milestone_max: MILESTONE_MAX,
        entry_max: ENTRY_MAX,
        reason_max: REASON_MAX,
        max_mb: MAX_BYTES / 1024 / 1024,
        today: format_date(today),
    })
}

pub async fn show(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
) -> AppResult<MeasurePage> {
    let mut p = page(&state, &user, branch, id, Sent::default()).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

fn measure_url(branch: i64, measure: MeasureId) -> String {
    format!("/branches/{branch}/measures/{measure}")
}

/// The outcome of a step on the page: the page again with its message, or the next page.
async fn answer<T>(
    state: &AppState, session: &Session, user: &CurrentUser, branch: i64, measure: i64, outcome: Outcome<T>, sent: Sent,
) -> AppResult<Response> {
    let (status, sent) = match outcome {
        Outcome::Done(_) => {
            let to = format!("{}#{}", measure_url(branch, MeasureId(measure)), sent.form);
            return done(session, sent.done, &to).await;
        }
        Outcome::Invalid(errors) => (StatusCode::BAD_REQUEST, Sent { errors, ..sent }),
        Outcome::Refused(m) | Outcome::Stale(m) => (
            StatusCode::CONFLICT,
            Sent {
                message: Some(m),
                ..sent
            },
        ),
        other => return Err(refusal(other)),
    };
    let p = page(state, user, branch, measure, sent).await?;
    Ok((status, p).into_response())
}

pub async fn add_milestone(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
    Form(form): Form<MilestoneForm>,
) -> AppResult<Response> {
    let outcome = actions::schedule::add_milestone(&state.db, &user, BranchId(branch), MeasureId(id), &form).await?;
    let sent = Sent {
        milestone: form,
        form: "milestones",
        done: "已添加节点",
        ..Sent::default()
    };
    answer(&state, &session, &user, branch, id, outcome, sent).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    pub version: i64,
    /// "1" to mark done, "0" to take it back.
    pub done: String,
}

pub async fn set_milestone(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    let done = match form.done.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    let outcome =
        actions::schedule::set_milestone_done(&state.db, &user, BranchId(branch), MilestoneId(id), done, form.version)
            .await?;
    let flash = if done == Some(true) {
        "已标记节点完成"
    } else {
        "已撤销节点完成"
    };
    let row = ScheduleRow::Milestone(MilestoneId(id));
    on_row(&state, &session, &user, branch, row, outcome, milestone_sent(flash)).await
}

pub async fn delete_milestone(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    let outcome =
        actions::schedule::delete_milestone(&state.db, &user, BranchId(branch), MilestoneId(id), form.version).await?;
    let row = ScheduleRow::Milestone(MilestoneId(id));
    on_row(
        &state,
        &session,
        &user,
        branch,
        row,
        outcome,
        milestone_sent("已删除节点"),
    )
    .await
}

/// After a step on a milestone or a 延期申请 (`row`): its measure's page — the one the step
/// came back with, or (refused) the one the row belongs to, with the refusal and what was typed.
async fn on_row(
    state: &AppState, session: &Session, user: &CurrentUser, branch: i64, row: ScheduleRow,
    outcome: Outcome<MeasureId>, sent: Sent,
) -> AppResult<Response> {
    let measure = match outcome {
        Outcome::Done(m) => m,
        _ => match db::schedule::measure_of(&state.db.read, user.scope(), BranchId(branch), row).await? {
            Some(m) => m,
            None => return Err(refusal(outcome)),
        },
    };
    answer(state, session, user, branch, measure.0, outcome, sent).await
}

/// What a milestone step says when done, and where.
fn milestone_sent(done: &'static str) -> Sent {
    Sent {
        form: "milestones",
        done,
        ..Sent::default()
    }
}

/// Records a progress entry (multipart: its file, if any).
pub async fn add_entry(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let Ok(multipart) = multipart else {
        super::keeper_only(&state, &user, BranchId(branch)).await?;
        return Err(super::not_a_form());
    };
    let mut sent = SentMultipart::read(multipart).await;
    let form = EntryForm {
        on_date: sent.text("on_date"),
        text: sent.text("text"),
        files: sent.files("file"),
        broken: sent.broken,
    };
    let typed = (form.on_date.clone(), form.text.clone());
    let outcome = actions::schedule::add_entry(&state.db, &user, BranchId(branch), MeasureId(id), form).await?;
    let sent = Sent {
        entry: typed,
        form: "entry",
        done: "已记录整改进展",
        ..Sent::default()
    };
    answer(&state, &session, &user, branch, id, outcome, sent).await
}

/// Downloads a progress entry's file, only within scope.
pub async fn entry_file(
    State(state): State<AppState>, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let file = db::schedule::entry_file(&state.db.read, user.scope(), BranchId(branch), ProgressEntryId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(super::close_out::file_response(file))
}

pub async fn request_extension(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
    Form(form): Form<ExtensionForm>,
) -> AppResult<Response> {
    let outcome =
        actions::schedule::request_extension(&state.db, &user, BranchId(branch), MeasureId(id), &form).await?;
    let sent = Sent {
        extension: form,
        form: "extension",
        done: "已提交延期申请，等待党总支（党委）审批",
        ..Sent::default()
    };
    answer(&state, &session, &user, branch, id, outcome, sent).await
}

pub async fn withdraw_extension(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    let outcome =
        actions::schedule::withdraw_extension(&state.db, &user, BranchId(branch), ExtensionId(id), form.version)
            .await?;
    let sent = Sent {
        form: "extension",
        done: "已撤回延期申请",
        ..Sent::default()
    };
    let row = ScheduleRow::Extension(ExtensionId(id));
    on_row(&state, &session, &user, branch, row, outcome, sent).await
}

pub async fn decide_extension(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
    from: super::FromReview, Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let outcome =
        actions::schedule::decide_extension(&state.db, &user, BranchId(branch), ExtensionId(id), &form).await?;
    let said = if form.decision == "approve" {
        "已同意延期，整改时限已更新（原定时限保留）"
    } else {
        "已不同意延期，党支部可见原因"
    };
    // Decided on a ledger's review screen: back there. (A refusal shows the measure's page,
    // with the request and the reason typed.)
    if from.0 && matches!(outcome, Outcome::Done(_)) {
        return done(&session, said, &from.back_to(BranchId(branch), "extensions")).await;
    }
    let sent = Sent {
        form: "extension",
        done: said,
        comment: form.comment,
        ..Sent::default()
    };
    let row = ScheduleRow::Extension(ExtensionId(id));
    on_row(&state, &session, &user, branch, row, outcome, sent).await
}

impl MeasurePage {
    fn is_closed(&self) -> bool {
        self.measure.status == MeasureStatus::ClosedOut
    }
}
