//! 整改措施: the branch plans, changes and deletes the measures of its findings.

use serde::Deserialize;

use super::{Outcome, STALE, Stop, checked, editing, on_branch};
use crate::auth::User;
use crate::db::audit::Actor;
use crate::db::measures::Measure;
use crate::db::{self, Db};
use crate::domain::dates::format_date;
use crate::domain::input::{FieldErrors, MeasureInput, deadline_window};
use crate::domain::{BranchId, FindingId, MeasureId};

/// A measure as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeasureForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub immediate: Option<String>,
    #[serde(default)]
    pub version: i64,
}

/// The form checked against the campaign (its deadline window) and the measure as saved.
async fn parse(
    tx: &mut sqlx::SqliteConnection,
    actor: Actor,
    form: &MeasureForm,
    saved: Option<&Measure>,
) -> Result<MeasureInput, Stop> {
    let campaign = db::campaigns::by_id(&mut *tx, actor.campaign())
        .await?
        .ok_or(Stop::NotFound)?;
    checked(MeasureInput::parse(
        &form.text,
        &form.deadline,
        &form.owner,
        &form.status,
        form.immediate.is_some(),
        saved.map(|m| (m.status, m.deadline)),
        deadline_window(campaign.issued_on),
    ))
}

/// Adds a measure as the finding's next number.
pub async fn create(
    db: &Db,
    user: &User,
    branch: BranchId,
    finding: FindingId,
    form: &MeasureForm,
) -> super::Result<MeasureId> {
    let result = db
        .write(async |tx| {
            let (_, actor) = on_branch(tx, user, branch).await?;
            let input = parse(tx, actor, form, None).await?;
            editing(tx, actor).await?;
            db::findings::get_of_branch(tx, actor, finding)
                .await?
                .ok_or(Stop::NotFound)?;
            Ok(db::measures::create(tx, actor, finding, &input).await?)
        })
        .await;
    Outcome::of(result)
}

/// Saves the branch's edit of a measure's plan; returns its finding. A closed-off measure is the
/// committee's record and stays as it is.
pub async fn update(
    db: &Db,
    user: &User,
    branch: BranchId,
    id: MeasureId,
    form: &MeasureForm,
) -> super::Result<FindingId> {
    let result = db
        .write(async |tx| {
            let (_, actor) = on_branch(tx, user, branch).await?;
            let before = db::measures::get_of_branch(tx, actor, id)
                .await?
                .ok_or(Stop::NotFound)?;
            let input = parse(tx, actor, form, Some(&before)).await?;
            editing(tx, actor).await?;
            if !before.status.branch_may_edit() {
                return Err(Stop::Refused("这条措施已销号，不能再修改。".into()));
            }
            if db::measures::update(tx, actor, &before, form.version, &input)
                .await?
                .is_err()
            {
                let now = db::measures::get_of_branch(tx, actor, id)
                    .await?
                    .ok_or(Stop::NotFound)?;
                return Err(Stop::Stale(format!(
                    "{STALE} 当前保存的是：{}；整改时限 {}；责任人 {}；状态 {}。",
                    now.text,
                    now.deadline.map(format_date).unwrap_or_else(|| "未填写".into()),
                    if now.owner.is_empty() { "未填写" } else { &now.owner },
                    now.status.label()
                )));
            }
            Ok(before.finding_id)
        })
        .await;
    Outcome::of(result)
}

/// Deletes a measure as confirmed; returns its finding.
pub async fn delete(db: &Db, user: &User, branch: BranchId, id: MeasureId, version: i64) -> super::Result<FindingId> {
    let result = db
        .write(async |tx| {
            let (_, actor) = on_branch(tx, user, branch).await?;
            editing(tx, actor).await?;
            let before = db::measures::get_of_branch(tx, actor, id)
                .await?
                .ok_or(Stop::NotFound)?;
            if !before.status.branch_may_edit() {
                return Err(Stop::Refused("这条措施已销号，不能删除。".into()));
            }
            if db::measures::delete(tx, actor, &before, version).await?.is_err() {
                return Err(Stop::Stale(
                    "这条整改措施在您确认删除前被他人修改过，没有删除。请返回查看最新内容后再决定。".into(),
                ));
            }
            Ok(before.finding_id)
        })
        .await;
    Outcome::of(result)
}

/// The field errors of a stale measure save, shown at the top of its form.
pub fn stale_errors(message: String) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.add("form", message);
    e
}
