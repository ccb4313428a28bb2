//! 进度安排 and 延期: the unit plans milestones, marks them done, records progress and asks for
//! more time; the level above approves or rejects the request. Like 销号 requests, progress is
//! reported whatever the ledger's review state (rectification goes on after submission), but
//! never on a measure already closed off.

use serde::Deserialize;

use super::{Stop, branch_step, checked, measure};
use crate::auth::User;
use crate::db::audit::Actor;
use crate::db::schedule::{EntryFile, Extension, Milestone};
use crate::db::{self, Db};
use crate::domain::dates::today;
use crate::domain::evidence::{self, Upload};
use crate::domain::input::{FieldErrors, deadline_window};
use crate::domain::progress::{self, EntryInput, ExtensionInput, ExtensionState, MAX_MILESTONES, MilestoneInput};
use crate::domain::units::Part;
use crate::domain::{BranchId, ExtensionId, MeasureId, MilestoneId};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MilestoneForm {
    pub title: String,
    pub due_on: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExtensionForm {
    pub requested: String,
    pub reason: String,
}

/// A decision on a 延期申请 as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub comment: String,
    pub version: i64,
}

/// What the progress-entry form carried (multipart: its file, if any).
pub struct EntryForm {
    pub on_date: String,
    pub text: String,
    pub files: Vec<Upload>,
    /// The upload did not arrive whole.
    pub broken: bool,
}

const CLOSED: &str = "这条措施已销号，进度安排不再变动。";
const STALE_MILESTONE: &str = "这个节点刚刚被他人修改过，没有保存。请查看最新内容。";

/// A measure of the actor's unit that is not closed off yet.
async fn open_measure(
    tx: &mut sqlx::SqliteConnection, actor: Actor, id: MeasureId,
) -> Result<db::measures::Measure, Stop> {
    let m = measure(tx, actor, id).await?;
    if !m.status.branch_may_edit() {
        return Err(Stop::Refused(CLOSED.into()));
    }
    Ok(m)
}

/// The campaign's deadline window, for milestone and extension dates.
async fn window(tx: &mut sqlx::SqliteConnection, actor: Actor) -> Result<(time::Date, time::Date), Stop> {
    let campaign = db::campaigns::by_id(&mut *tx, actor.campaign())
        .await?
        .ok_or(Stop::NotFound)?;
    Ok(deadline_window(campaign.issued_on))
}

pub async fn add_milestone(
    db: &Db, user: &User, branch: BranchId, id: MeasureId, form: &MilestoneForm,
) -> super::Result<MilestoneId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let m = open_measure(tx, actor, id).await?;
        let input = checked(MilestoneInput::parse(
            &form.title,
            &form.due_on,
            window(tx, actor).await?,
        ))?;
        if db::schedule::milestone_count(tx, id).await? as usize >= MAX_MILESTONES {
            let mut e = FieldErrors::default();
            e.add(
                "title",
                format!("每条措施最多 {MAX_MILESTONES} 个节点；请把相近的步骤合并为一个节点。"),
            );
            return Err(Stop::Invalid(e));
        }
        Ok(db::schedule::add_milestone(tx, actor, &m, &input).await?)
    })
    .await
}

/// A milestone of the actor's unit and its measure, the measure not closed off.
async fn open_milestone(
    tx: &mut sqlx::SqliteConnection, actor: Actor, id: MilestoneId,
) -> Result<(Milestone, db::measures::Measure), Stop> {
    let ms = db::schedule::milestone(tx, actor, id).await?.ok_or(Stop::NotFound)?;
    let m = open_measure(tx, actor, ms.measure_id).await?;
    Ok((ms, m))
}

/// Marks a milestone done today, or (by mistake) not done; returns its measure.
pub async fn set_milestone_done(
    db: &Db, user: &User, branch: BranchId, id: MilestoneId, done: Option<bool>, version: i64,
) -> super::Result<MeasureId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let Some(done) = done else {
            let mut e = FieldErrors::default();
            e.add("done", "请选择标记完成或撤销完成");
            return Err(Stop::Invalid(e));
        };
        let (ms, m) = open_milestone(tx, actor, id).await?;
        let on = done.then(today);
        if ms.done_on.is_some() == done {
            return Err(Stop::Refused(if done {
                "这个节点已经标记为完成。".into()
            } else {
                "这个节点尚未完成，无需撤销。".into()
            }));
        }
        db::schedule::set_milestone_done(tx, actor, &ms, m.finding_id, version, on)
            .await?
            .map_err(|_| Stop::Stale(STALE_MILESTONE.into()))?;
        Ok(m.id)
    })
    .await
}

pub async fn delete_milestone(
    db: &Db, user: &User, branch: BranchId, id: MilestoneId, version: i64,
) -> super::Result<MeasureId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let (ms, m) = open_milestone(tx, actor, id).await?;
        progress::may_delete_milestone(ms.facts(), today()).map_err(|e| Stop::Refused(e.into()))?;
        db::schedule::delete_milestone(tx, actor, &ms, m.finding_id, version)
            .await?
            .map_err(|_| Stop::Stale(STALE_MILESTONE.into()))?;
        Ok(m.id)
    })
    .await
}

/// Records what was done on a day, with at most one file.
pub async fn add_entry(db: &Db, user: &User, branch: BranchId, id: MeasureId, form: EntryForm) -> super::Result<()> {
    let upload = evidence::check_upload(form.files, form.broken);
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let m = open_measure(tx, actor, id).await?;
        let campaign = db::campaigns::by_id(&mut *tx, actor.campaign())
            .await?
            .ok_or(Stop::NotFound)?;
        let input = EntryInput::parse(&form.on_date, &form.text, campaign.issued_on, today());
        let mut e = input.clone().err().unwrap_or_default();
        for p in &upload.problems {
            e.add("file", p.clone());
        }
        if upload.accepted.len() > 1 {
            e.add(
                "file",
                "每条进展只附 1 个文件；更多材料请分条记录，或在申请销号时上传。",
            );
        }
        if !e.is_empty() {
            if upload.chosen {
                e.add("file", evidence::REPICK);
            }
            return Err(Stop::Invalid(e));
        }
        let input = checked(input)?;
        let file = upload.accepted.first().map(|f| EntryFile {
            name: &f.name,
            content_type: f.content_type,
            bytes: &f.bytes,
        });
        db::schedule::add_entry(tx, actor, &m, &input, file).await?;
        Ok(())
    })
    .await
}

/// 延期申请: only once the ledger has been handed in (before that the deadline is the unit's
/// to change), one at a time.
pub async fn request_extension(
    db: &Db, user: &User, branch: BranchId, id: MeasureId, form: &ExtensionForm,
) -> super::Result<()> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let m = open_measure(tx, actor, id).await?;
        let pending = db::schedule::pending_extension(tx, id).await?.is_some();
        progress::may_request_extension(m.original_deadline, pending).map_err(|e| Stop::Refused(e.into()))?;
        let input = checked(ExtensionInput::parse(
            &form.requested,
            &form.reason,
            m.deadline,
            window(tx, actor).await?,
        ))?;
        let previous = m.deadline.ok_or(Stop::NotFound)?;
        db::schedule::request_extension(tx, actor, &m, previous, &input).await?;
        Ok(())
    })
    .await
}

/// A pending request of the actor's unit, with its measure's finding.
async fn pending(
    tx: &mut sqlx::SqliteConnection, actor: Actor, id: ExtensionId,
) -> Result<(Extension, db::measures::Measure), Stop> {
    let x = db::schedule::extension(tx, actor, id).await?.ok_or(Stop::NotFound)?;
    let m = measure(tx, actor, x.measure_id).await?;
    if x.state != ExtensionState::Pending {
        return Err(Stop::Refused(format!("这份延期申请{}，不能再变动。", x.state)));
    }
    Ok((x, m))
}

pub async fn withdraw_extension(
    db: &Db, user: &User, branch: BranchId, id: ExtensionId, version: i64,
) -> super::Result<MeasureId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let (x, m) = pending(tx, actor, id).await?;
        db::schedule::settle_extension(tx, actor, &x, m.finding_id, version, ExtensionState::Withdrawn, "")
            .await?
            .map_err(|_| Stop::Stale("这份延期申请刚刚被处理过，请查看最新结果。".into()))?;
        Ok(m.id)
    })
    .await
}

/// The level above approves (the deadline moves; the original stays on record) or rejects with
/// a reason.
pub async fn decide_extension(
    db: &Db, user: &User, branch: BranchId, id: ExtensionId, form: &DecisionForm,
) -> super::Result<MeasureId> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let (x, m) = pending(tx, actor, id).await?;
        if !m.status.branch_may_edit() {
            return Err(Stop::Refused(CLOSED.into()));
        }
        let (to, comment) = checked(progress::decide_extension(form.decision == "approve", &form.comment))?;
        db::schedule::settle_extension(tx, actor, &x, m.finding_id, form.version, to, &comment)
            .await?
            .map_err(|_| Stop::Stale("这份延期申请刚刚被撤回或处理过，请查看最新内容。".into()))?;
        Ok(m.id)
    })
    .await
}
