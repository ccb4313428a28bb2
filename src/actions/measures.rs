//! 整改措施: the branch plans, changes and deletes the measures of its findings.

use serde::Deserialize;

use super::{STALE, Stop, branch_step, checked, measure, planning};
use crate::auth::User;
use crate::db::audit::Actor;
use crate::db::measures::Measure;
use crate::db::{self, Db};
use crate::domain::dates::format_date;
use crate::domain::input::{FieldErrors, MeasureInput, MeasureKind, SavedMeasure, deadline_window};
use crate::domain::progress::deadline_locked;
use crate::domain::units::Part;
use crate::domain::{BranchId, FindingId, MeasureId};

/// A measure as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MeasureForm {
    pub text: String,
    pub deadline: String,
    pub owner: String,
    pub status: String,
    /// 措施类型: "planned" (限期整改, also when empty), "immediate" (立行立改) or "long_term"
    /// (长期坚持).
    pub kind: String,
    pub version: i64,
}

impl MeasureForm {
    /// The kind chosen, if it is one.
    pub fn kind(&self) -> Option<MeasureKind> {
        match self.kind.trim() {
            "" | "planned" => Some(MeasureKind::PLANNED),
            "immediate" => Some(MeasureKind::IMMEDIATE),
            "long_term" => Some(MeasureKind::LONG_TERM),
            _ => None,
        }
    }
}

/// The form checked against the campaign (its deadline window) and the measure as saved.
pub(super) async fn parse(
    tx: &mut sqlx::SqliteConnection, actor: Actor, form: &MeasureForm, saved: Option<&Measure>,
) -> Result<MeasureInput, Stop> {
    let campaign = db::campaigns::by_id(&mut *tx, actor.campaign())
        .await?
        .ok_or(Stop::NotFound)?;
    let Some(kind) = form.kind() else {
        let mut e = FieldErrors::default();
        e.add("kind", "请选择措施类型：限期整改、立行立改或长期坚持");
        return Err(Stop::Invalid(e));
    };
    checked(MeasureInput::parse(
        &form.text,
        &form.deadline,
        &form.owner,
        &form.status,
        kind,
        saved.map(|m| SavedMeasure {
            status: m.status,
            deadline: m.deadline,
            deadline_locked: deadline_locked(m.original_deadline),
        }),
        deadline_window(campaign.issued_on),
    ))
}

/// Adds a measure as the finding's next number.
pub async fn create(
    db: &Db, user: &User, branch: BranchId, of: FindingId, form: &MeasureForm,
) -> super::Result<MeasureId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let input = parse(tx, actor, form, None).await?;
        planning(tx, actor, of).await?;
        Ok(db::measures::create(tx, actor, of, &input).await?)
    })
    .await
}

/// Saves the branch's edit of a measure's plan; returns its finding. A closed-off measure is the
/// committee's record and stays as it is.
pub async fn update(
    db: &Db, user: &User, branch: BranchId, id: MeasureId, form: &MeasureForm,
) -> super::Result<FindingId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let before = measure(tx, actor, id).await?;
        let input = parse(tx, actor, form, Some(&before)).await?;
        planning(tx, actor, before.finding_id).await?;
        if !before.status.branch_may_edit() {
            return Err(Stop::Refused("这条措施已销号，不能再修改。".into()));
        }
        if db::measures::update(tx, actor, &before, form.version, &input)
            .await?
            .is_err()
        {
            let now = measure(tx, actor, id).await?;
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
    .await
}

/// Deletes a measure as confirmed; returns its finding.
pub async fn delete(db: &Db, user: &User, branch: BranchId, id: MeasureId, version: i64) -> super::Result<FindingId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let before = measure(tx, actor, id).await?;
        planning(tx, actor, before.finding_id).await?;
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
    .await
}

/// The field errors of a stale measure save, shown at the top of its form.
pub fn stale_errors(message: String) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.add("form", message);
    e
}
