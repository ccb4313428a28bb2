//! 专题支委会: the branch's form for its meeting record (or why it was not held) with minutes
//! or photos, and the scope-checked download of those files. The record itself shows on the
//! ledger page, where the level above returns it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::views::HistoryView;
use super::{Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome};
use crate::auth::CurrentUser;
use crate::db;
use crate::db::meetings::MeetingFile;
use crate::db::units::BranchRow;
use crate::domain::evidence::{MAX_BYTES, MAX_FILES_PER_MEASURE, MAX_UPLOAD_BYTES, Upload};
use crate::domain::input::FieldErrors;
use crate::domain::meeting::{self, MeetingForm, MeetingKind};
use crate::domain::units::Level;
use crate::domain::{BranchId, MeetingEvidenceId};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/meeting.html")]
pub struct MeetingPage {
    nav: Nav,
    csrf: String,
    branch: BranchRow,
    form: MeetingForm,
    errors: FieldErrors,
    conflict: bool,
    files: Vec<MeetingFile>,
    /// What the branch's data says should attend, as a hint beside the fields.
    expected_hint: String,
    /// The body and the number expected, when the branch's data says (the form then offers no
    /// other: a different one would be refused).
    kind_from_data: Option<MeetingKind>,
    expected_from_data: Option<i64>,
    /// The level above returned the record: its comment.
    returned: Option<String>,
    history: Vec<HistoryView>,
    topics_max: usize,
    decisions_max: usize,
    absentees_max: usize,
    reason_max: usize,
    max_files: usize,
    max_mb: usize,
    max_total_mb: usize,
}

impl MeetingPage {
    /// The bodies the branch's data allows (both when it is not known).
    fn kinds(&self) -> Vec<MeetingKind> {
        MeetingKind::ALL
            .iter()
            .copied()
            .filter(|k| self.kind_from_data.is_none_or(|d| d == *k))
            .collect()
    }
}

async fn page(
    state: &AppState, user: &CurrentUser, id: BranchId, sent: Option<(MeetingForm, FieldErrors, bool)>,
) -> AppResult<MeetingPage> {
    let db = &state.db.read;
    let branch = db::units::branch(db, user.scope(), id)
        .await?
        .filter(|b| b.level == Level::Branch)
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let saved = db::meetings::get(db, user.scope(), campaign.id, id).await?;
    let data = db::profiles::get(db, user.scope(), campaign.id, id)
        .await?
        .unwrap_or_default()
        .profile();
    let expected_hint = match (data.committee_members, data.full_members) {
        (Some(0), Some(f)) => format!("本支部不设支部委员会，应召开支部党员大会，应到党员{f}人"),
        (Some(0), None) => "本支部不设支部委员会，应召开支部党员大会".into(),
        (Some(c), _) => format!("本支部设支部委员会，应召开专题支委会，应到支委{c}人"),
        (None, _) => "支部基本情况未填写支委人数：设支部委员会的召开支委会，不设的召开支部党员大会".into(),
    };
    let kind_from_data = data.committee_members.map(|n| {
        if n > 0 {
            MeetingKind::Committee
        } else {
            MeetingKind::General
        }
    });
    let expected_from_data = match data.committee_members {
        Some(0) => data.full_members,
        n => n,
    };
    let (form, errors, conflict) = match sent {
        Some((mut form, errors, conflict)) => {
            if conflict {
                // Changed by someone else: their version, so that saving again, after checking, goes through.
                form.version = saved.as_ref().map_or(0, |s| s.version);
            }
            (form, errors, conflict)
        }
        None => (
            saved
                .as_ref()
                .map(|r| MeetingForm::of(&r.meeting(), r.version))
                .unwrap_or_else(|| MeetingForm {
                    held: "yes".into(),
                    kind: match data.committee_members {
                        Some(0) => MeetingKind::General.code().into(),
                        _ => MeetingKind::Committee.code().into(),
                    },
                    expected: match data.committee_members {
                        Some(0) => data.full_members.map(|n| n.to_string()).unwrap_or_default(),
                        c => c.map(|n| n.to_string()).unwrap_or_default(),
                    },
                    chair: branch.secretary_name.clone(),
                    ..MeetingForm::default()
                }),
            FieldErrors::default(),
            false,
        ),
    };
    let history = db::audit::meeting_history(db, user.scope(), id)
        .await?
        .into_iter()
        .map(HistoryView::from)
        .collect();
    let files = db::meetings::evidence(db, user.scope(), campaign.id, id).await?;
    let ledger = db::ledger::ledger_state(db, user.scope(), campaign.id, id).await?;
    let returned = saved
        .filter(|s| s.marks.is_returned() && ledger != crate::domain::states::LedgerState::Submitted)
        .map(|s| s.marks.review_comment);
    Ok(MeetingPage {
        nav: Nav::for_user(user, &format!("/branches/{id}")),
        csrf: user.csrf.clone(),
        branch,
        form,
        errors,
        conflict,
        files,
        expected_hint,
        kind_from_data,
        expected_from_data,
        returned,
        history,
        topics_max: meeting::TOPICS_MAX,
        decisions_max: meeting::DECISIONS_MAX,
        absentees_max: meeting::ABSENTEES_MAX,
        reason_max: meeting::REASON_MAX,
        max_files: MAX_FILES_PER_MEASURE,
        max_mb: MAX_BYTES / 1024 / 1024,
        max_total_mb: MAX_UPLOAD_BYTES / 1024 / 1024,
    })
}

/// The form, for the branch's secretary while the ledger may change.
pub async fn form(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<MeetingPage> {
    let id = BranchId(id);
    // A committee's own unit holds no meeting: not found, to everyone.
    db::units::branch(&state.db.read, user.scope(), id)
        .await?
        .filter(|b| b.level == Level::Branch)
        .ok_or(AppError::NotFound)?;
    match actions::may_edit(&state.db, &user, id).await? {
        Outcome::Done(()) => page(&state, &user, id, None).await,
        other => Err(refusal(other)),
    }
}

/// What the multipart form carried; `broken` when the upload did not arrive whole.
async fn read_form(multipart: Multipart) -> (MeetingForm, Vec<Upload>, bool) {
    let mut sent = super::SentMultipart::read(multipart).await;
    let form = MeetingForm {
        held: sent.text("held"),
        held_on: sent.text("held_on"),
        kind: sent.text("kind"),
        chair: sent.text("chair"),
        present: sent.text("present"),
        expected: sent.text("expected"),
        absentees: sent.text("absentees"),
        topics: sent.text("topics"),
        decisions: sent.text("decisions"),
        not_held_reason: sent.text("not_held_reason"),
        version: sent.version(),
    };
    (form, sent.files("files"), sent.broken)
}

/// Saves the record and any files chosen; a refusal shows the form again with what was typed.
pub async fn save(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let id = BranchId(id);
    let Ok(multipart) = multipart else {
        // Another unit is not found, and another's step forbidden, whatever was sent.
        super::keeper_only(&state, &user, id).await?;
        return Err(super::not_a_form());
    };
    let (form, files, broken) = read_form(multipart).await;
    let (errors, conflict, status) = match actions::meeting::save(&state.db, &user, id, &form, files, broken).await? {
        Outcome::Done(()) => return done(&session, "已保存专题支委会记录", &format!("/branches/{id}#meeting")).await,
        Outcome::Invalid(e) => (e, false, StatusCode::BAD_REQUEST),
        Outcome::Stale(_) => (FieldErrors::default(), true, StatusCode::CONFLICT),
        other => return Err(refusal(other)),
    };
    let p = page(&state, &user, id, Some((form, errors, conflict))).await?;
    Ok((status, p).into_response())
}

/// Removes a file of the meeting record.
pub async fn delete_evidence(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, file)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::meeting::delete_evidence(&state.db, &user, branch, MeetingEvidenceId(file)).await? {
        Outcome::Done(()) => done(&session, "已删除会议材料", &format!("/branches/{branch}/meeting")).await,
        other => Err(refusal(other)),
    }
}

/// Downloads a file of the meeting record, only within scope (as 销号 evidence is served).
pub async fn download(
    State(state): State<AppState>, user: CurrentUser, Path((branch, file)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let file = db::meetings::evidence_file(&state.db.read, user.scope(), BranchId(branch), MeetingEvidenceId(file))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(super::close_out::file_response(file))
}
