//! The committee's actions on a branch ledger: decide rows, send back, sign off against the
//! 四个到位, reopen; confirm or reject 销号. Rules in domain::review; one transaction each.

use crate::domain::history::AuditAction;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::SqliteConnection;
use tower_sessions::Session;

use super::branch::{Overlay, ReviewForm, ledger_page};
use super::work::Work;
use super::{Form, Path};
use crate::AppState;
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::domain::review::{self, Decision};
use crate::domain::{FindingId, MeasureId};
use crate::error::{AppError, AppResult};

/// A reviewer (or the 组织部) at work on a branch in their scope: the same frame as the branch's
/// own work (branch in scope, current campaign, the actor for the audit trail).
type Review = Work;

/// One transaction; the closure's `Err(message)` is a refusal shown on the page (nothing kept).
async fn act<T>(
    state: &AppState,
    change: impl AsyncFnOnce(&mut SqliteConnection) -> AppResult<Result<T, String>>,
) -> AppResult<Result<T, String>> {
    let mut tx = state.db.write.begin().await?;
    let out = change(&mut tx).await?;
    if out.is_ok() {
        tx.commit().await?;
    }
    Ok(out)
}

/// The ledger page again with the committee's refused form, as 400.
async fn refuse(r: Review, state: &AppState, user: &CurrentUser, review: ReviewForm) -> AppResult<Response> {
    let overlay = Overlay {
        review,
        ..Overlay::default()
    };
    let mut page = ledger_page(state, user, r.branch, r.campaign, overlay).await?;
    page.keep_typed_text_in_error();
    Ok((StatusCode::BAD_REQUEST, page).into_response())
}

const STALE_ROW: &str = "这一条刚刚被修改过（党支部或其他审核人），请查看最新内容后再审核。";

#[derive(Deserialize)]
pub struct RowData {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    version: i64,
}

/// 通过 or 退回 one finding.
pub async fn decide_row(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, finding)): Path<(i64, i64)>,
    Form(form): Form<RowData>,
) -> AppResult<Response> {
    let r = Work::load(&state, &user, branch).await?;
    let id = FindingId(finding);
    let refused = |error: String| ReviewForm {
        row_id: Some(id),
        row_comment: form.comment.clone(),
        error: Some(error),
        ..ReviewForm::default()
    };
    let decision = match Decision::parse(&form.decision, &form.comment) {
        Ok(d) => d,
        Err(e) => {
            let msg = e.get("comment").or(e.get("decision")).unwrap_or_default().to_string();
            return refuse(r, &state, &user, refused(msg)).await;
        }
    };
    let outcome = act(&state, async |tx| {
        let f = db::findings::get_of_branch(tx, r.actor, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if f.campaign_id != r.campaign.id {
            return Err(AppError::NotFound);
        }
        let ledger = db::ledger::state_in_tx(tx, r.campaign.id, r.branch.id).await?;
        if let Err(m) = review::may_decide_rows(ledger) {
            return Ok(Err(m.to_string()));
        }
        let comment = match &decision {
            Decision::Approve => "",
            Decision::Return(c) => c.as_str(),
        };
        Ok(
            db::review::decide_row(tx, r.actor, &f, form.version, decision.review_state(), comment)
                .await?
                .map_err(|_| STALE_ROW.to_string()),
        )
    })
    .await?;
    match outcome {
        Ok(()) => {
            let word = if decision == Decision::Approve {
                "已通过"
            } else {
                "已退回（整本台账退回前党支部看不到）"
            };
            session::flash(&session, format!("该条查摆问题{word}")).await?;
            // Back to the row just decided, so the reviewer goes on from there.
            Ok(Redirect::to(&format!("{}#finding-{id}", r.ledger_url())).into_response())
        }
        Err(m) => refuse(r, &state, &user, refused(m)).await,
    }
}

/// 退回党支部修改: the whole ledger, once at least one row is returned.
pub async fn send_back(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(branch): Path<i64>,
) -> AppResult<Response> {
    let r = Work::load(&state, &user, branch).await?;
    let outcome = act(&state, async |tx| {
        let ledger = db::ledger::state_in_tx(tx, r.campaign.id, r.branch.id).await?;
        let rows = db::review::row_states(tx, r.campaign.id, r.branch.id).await?;
        match review::send_back(ledger, &rows) {
            Ok(to) => {
                db::review::move_ledger(tx, r.actor, r.campaign.id, ledger, to, "", AuditAction::LedgerReturn).await?;
                Ok(Ok(()))
            }
            Err(m) => Ok(Err(m.to_string())),
        }
    })
    .await?;
    match outcome {
        Ok(()) => {
            session::flash(&session, "台账已退回党支部修改，退回意见党支部可见").await?;
            Ok(Redirect::to(&r.ledger_url()).into_response())
        }
        Err(m) => {
            refuse(
                r,
                &state,
                &user,
                ReviewForm {
                    error: Some(m),
                    ..ReviewForm::default()
                },
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct SignOffData {
    #[serde(default)]
    four_0: Option<String>,
    #[serde(default)]
    four_1: Option<String>,
    #[serde(default)]
    four_2: Option<String>,
    #[serde(default)]
    four_3: Option<String>,
    #[serde(default)]
    comment: String,
}

/// 审核签字 against the 四个到位.
pub async fn sign_off(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(branch): Path<i64>,
    Form(form): Form<SignOffData>,
) -> AppResult<Response> {
    let r = Work::load(&state, &user, branch).await?;
    let affirmed = [&form.four_0, &form.four_1, &form.four_2, &form.four_3].map(Option::is_some);
    let comment = crate::domain::input::text("审核意见", &form.comment, review::COMMENT_MAX, false);
    let outcome = act(&state, async |tx| {
        let comment = match &comment {
            Ok(c) => c.clone(),
            Err(m) => return Ok(Err(m.clone())),
        };
        let ledger = db::ledger::state_in_tx(tx, r.campaign.id, r.branch.id).await?;
        let rows = db::review::row_states(tx, r.campaign.id, r.branch.id).await?;
        if let Err(m) = review::sign_off(ledger, &rows, affirmed) {
            return Ok(Err(m));
        }
        db::review::sign_off(tx, r.actor, r.campaign.id, &comment).await?;
        Ok(Ok(()))
    })
    .await?;
    match outcome {
        Ok(()) => {
            session::flash(&session, "已审核签字，台账已锁定").await?;
            Ok(Redirect::to(&r.ledger_url()).into_response())
        }
        Err(m) => {
            let form = ReviewForm {
                error: Some(m),
                sign_off_comment: form.comment.clone(),
                affirmed,
                ..ReviewForm::default()
            };
            refuse(r, &state, &user, form).await
        }
    }
}

#[derive(Deserialize)]
pub struct ReasonData {
    #[serde(default)]
    reason: String,
}

/// 重新打开 a signed-off ledger, with the reason for the branch.
pub async fn reopen(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(branch): Path<i64>,
    Form(form): Form<ReasonData>,
) -> AppResult<Response> {
    let r = Work::load(&state, &user, branch).await?;
    let outcome = act(&state, async |tx| {
        let ledger = db::ledger::state_in_tx(tx, r.campaign.id, r.branch.id).await?;
        match review::reopen(ledger, &form.reason) {
            Ok((to, reason)) => {
                db::review::move_ledger(
                    tx,
                    r.actor,
                    r.campaign.id,
                    ledger,
                    to,
                    &reason,
                    AuditAction::LedgerReopen,
                )
                .await?;
                Ok(Ok(()))
            }
            Err(e) => Ok(Err(e.get("reason").unwrap_or_default().to_string())),
        }
    })
    .await?;
    match outcome {
        Ok(()) => {
            session::flash(&session, "台账已重新打开，退回党支部修改").await?;
            Ok(Redirect::to(&r.ledger_url()).into_response())
        }
        Err(m) => {
            refuse(
                r,
                &state,
                &user,
                ReviewForm {
                    error: Some(m),
                    reopen_reason: form.reason.clone(),
                    ..ReviewForm::default()
                },
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct CloseOutData {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    version: i64,
}

/// 确认销号 or 不予销号 on a measure whose branch asked for it.
pub async fn decide_close_out(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<CloseOutData>,
) -> AppResult<Response> {
    let r = Work::load(&state, &user, branch).await?;
    let id = MeasureId(measure);
    let m = db::measures::of_branch(&state.db.read, user.scope(), r.branch.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let confirm = form.decision == "confirm";
    let outcome = act(&state, async |tx| {
        let current = db::measures::get_of_branch(tx, r.actor, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (to, comment) = match review::decide_close_out(current.status, confirm, &form.comment) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e.get("comment").unwrap_or_default().to_string())),
        };
        Ok(
            db::review::decide_close_out(tx, r.actor, &current, form.version, to, &comment)
                .await?
                .map_err(|_| "这条措施刚刚被修改过，请查看最新内容后再确认。".to_string()),
        )
    })
    .await?;
    let back = format!("{}/findings/{}#measure-{}", r.ledger_url(), m.finding_id, id);
    match outcome {
        Ok(()) => {
            session::flash(
                &session,
                if confirm {
                    "已确认销号"
                } else {
                    "已不予销号，党支部可见原因"
                },
            )
            .await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(message) => {
            let page =
                super::finding::refused_close_out(&state, &user, r.branch, m, message, form.comment.clone()).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct LookBackData {
    #[serde(default)]
    reason: String,
}

/// 组织部: flags a closed-off measure for 整改"回头看" (it reopens for the branch).
pub async fn flag_look_back(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, measure)): Path<(i64, i64)>,
    Form(form): Form<LookBackData>,
) -> AppResult<Response> {
    let r = Work::load(&state, &user, branch).await?;
    let id = MeasureId(measure);
    let m = db::measures::of_branch(&state.db.read, user.scope(), r.branch.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let outcome = act(&state, async |tx| {
        let current = db::measures::get_of_branch(tx, r.actor, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let reason = match review::flag_look_back(current.status, &form.reason) {
            Ok(reason) => reason,
            Err(m) => return Ok(Err(m)),
        };
        if !db::look_backs::flag(tx, r.actor, &current, &reason).await? {
            return Ok(Err("这条措施刚刚被修改过，请刷新后再试。".to_string()));
        }
        Ok(Ok(()))
    })
    .await?;
    let back = format!("{}/findings/{}#measure-{}", r.ledger_url(), m.finding_id, id);
    match outcome {
        Ok(()) => {
            session::flash(
                &session,
                "已发起整改“回头看”，该措施已重新打开，党支部和党总支（党委）可见",
            )
            .await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(message) => {
            let page =
                super::finding::refused_close_out(&state, &user, r.branch, m, message, form.reason.clone()).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct OutcomeData {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

/// 组织部: records what the 回头看 found (巩固 or 反弹).
pub async fn decide_look_back(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path((branch, look_back)): Path<(i64, i64)>,
    Form(form): Form<OutcomeData>,
) -> AppResult<Response> {
    let r = Work::load(&state, &user, branch).await?;
    let mut conn = state.db.read.acquire().await?;
    let lb = db::look_backs::get_of_branch(&mut conn, r.branch.id, look_back)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let m = db::measures::get(&state.db.read, user.scope(), lb.measure_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let outcome = act(&state, async |tx| {
        let (outcome, note) = match review::look_back_outcome(&form.outcome, &form.note) {
            Ok(v) => v,
            Err(m) => return Ok(Err(m)),
        };
        if !db::look_backs::decide(tx, r.actor, &lb, m.finding_id, form.version, outcome, &note).await? {
            return Ok(Err("这次回头看的结果刚刚已被记录，请刷新后查看。".to_string()));
        }
        Ok(Ok(()))
    })
    .await?;
    let back = format!("{}/findings/{}#measure-{}", r.ledger_url(), m.finding_id, m.id);
    match outcome {
        Ok(()) => {
            session::flash(&session, "已记录回头看结果").await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(message) => {
            let page =
                super::finding::refused_close_out(&state, &user, r.branch, m, message, form.note.clone()).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
    }
}
