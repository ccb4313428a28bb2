//! 报送 on the committee's report page: handing in (the package built from the signed 附件3 and
//! every 附件2, kept as sent), the scan of the sealed paper copy, and the 组织部's receipt or
//! return. The package and the scan download within scope.

use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{Form, Path, SentMultipart, done};
use crate::AppState;
use crate::actions::delivery::{PaperForm, ReturnForm};
use crate::actions::{self, Outcome};
use crate::auth::CurrentUser;
use crate::db;
use crate::domain::{CommitteeId, DeliveryId};
use crate::error::{AppError, AppResult};

fn at_delivery(committee: i64) -> String {
    format!("/committees/{committee}/report#delivery")
}

/// The report page again with a refused 报送 step: its messages and what was typed.
async fn refused<T>(
    state: &AppState, user: &CurrentUser, id: i64, outcome: Outcome<T>,
    typed: impl FnOnce(&mut super::report::DeliveryBox),
) -> AppResult<Response> {
    let (errors, status) = super::form_refusal(outcome, "delivery")?;
    let (committee, campaign) = super::report::load(state, user, id).await?;
    let mut p = super::report::page(state, user, committee, campaign).await?;
    p.delivery.errors = errors;
    typed(&mut p.delivery);
    Ok((status, p).into_response())
}

/// 报送: builds the package from the documents as they stand and keeps it as handed in.
pub async fn deliver(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<Response> {
    let committee = CommitteeId(id);
    match actions::delivery::may(&state.db, &user, committee).await? {
        Outcome::Done(()) => {}
        other => return refused(&state, &user, id, other, |_| {}).await,
    }
    let (_, campaign) = super::report::load(&state, &user, id).await?;
    let (name, _, package) = super::export::package(&state, &user, &campaign, committee).await?;
    match actions::delivery::deliver(&state.db, &user, committee, &name, &package).await? {
        Outcome::Done(_) => {
            let said = "已报送：报送材料已按此刻的内容存档，组织部可下载；纸质件盖章后可在此上传扫描件";
            done(&session, said, &at_delivery(id)).await
        }
        other => refused(&state, &user, id, other, |_| {}).await,
    }
}

/// The scan of the sealed paper copy (multipart: one PDF or photo).
pub async fn add_scan(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((id, delivery)): Path<(i64, i64)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let Ok(multipart) = multipart else {
        // Another committee is not found, whatever was sent.
        super::report::load(&state, &user, id).await?;
        return Err(super::not_a_form());
    };
    let mut sent = SentMultipart::read(multipart).await;
    let files = sent.files("scan");
    let outcome = actions::delivery::add_scan(
        &state.db,
        &user,
        CommitteeId(id),
        DeliveryId(delivery),
        files,
        sent.broken,
    )
    .await?;
    match outcome {
        Outcome::Done(()) => done(&session, "已上传纸质件扫描件", &at_delivery(id)).await,
        other => refused(&state, &user, id, other, |_| {}).await,
    }
}

/// 组织部: the paper copy received.
pub async fn record_paper(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((id, delivery)): Path<(i64, i64)>,
    Form(form): Form<PaperForm>,
) -> AppResult<Response> {
    match actions::delivery::record_paper(&state.db, &user, CommitteeId(id), DeliveryId(delivery), &form).await? {
        Outcome::Done(()) => done(&session, "已登记纸质件收到", &at_delivery(id)).await,
        other => refused(&state, &user, id, other, |d| d.paper = form).await,
    }
}

/// 组织部: the 报送 returned, with the reason the committee reads.
pub async fn return_delivery(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((id, delivery)): Path<(i64, i64)>,
    Form(form): Form<ReturnForm>,
) -> AppResult<Response> {
    match actions::delivery::return_delivery(&state.db, &user, CommitteeId(id), DeliveryId(delivery), &form).await? {
        Outcome::Done(()) => done(&session, "已退回该报送，党总支（党委）可见退回原因", &at_delivery(id)).await,
        other => refused(&state, &user, id, other, |d| d.return_reason = form.return_reason).await,
    }
}

/// The package as it was handed in.
pub async fn package(
    State(state): State<AppState>, user: CurrentUser, Path((id, delivery)): Path<(i64, i64)>,
) -> AppResult<Response> {
    stored(&state, &user, id, delivery, false).await
}

/// The scan of the sealed paper copy.
pub async fn scan(
    State(state): State<AppState>, user: CurrentUser, Path((id, delivery)): Path<(i64, i64)>,
) -> AppResult<Response> {
    stored(&state, &user, id, delivery, true).await
}

/// A 报送's package (downloaded) or scan (an image opens in the browser), within scope.
async fn stored(state: &AppState, user: &CurrentUser, id: i64, delivery: i64, scan: bool) -> AppResult<Response> {
    let file = db::deliveries::file(
        &state.db.read,
        user.scope(),
        CommitteeId(id),
        DeliveryId(delivery),
        scan,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(if scan {
        super::close_out::file_response(file)
    } else {
        super::close_out::file_response_as(file, false)
    })
}
