//! 销号 requests: the branch says a measure is done, with a completion note and evidence
//! files; withdraws a request; removes a file. Progress is reported whatever the ledger's
//! review state: rectification goes on after submission.

use super::{Stop, branch_step, checked, measure};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::evidence::{self, Upload};
use crate::domain::input::{FieldErrors, completion_note};
use crate::domain::notify::Event;
use crate::domain::states::MeasureStatus;
use crate::domain::units::Part;
use crate::domain::{BranchId, EvidenceId, FindingId, MeasureId};

/// What the 销号 form carried.
pub struct Request {
    pub note: String,
    pub version: i64,
    pub files: Vec<Upload>,
    /// The upload did not arrive whole (too large in total, or the connection dropped).
    pub broken: bool,
}

/// 申请销号 (or adding to a pending request); returns the measure's finding. Problems with the
/// note or the files come back as the fields `note` and `files`.
pub async fn request(db: &Db, user: &User, branch: BranchId, id: MeasureId, form: Request) -> super::Result<FindingId> {
    let upload = evidence::check_upload(form.files, form.broken);
    let note = completion_note(&form.note);
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let before = measure(tx, actor, id).await?;
        if !upload.problems.is_empty() || note.is_err() {
            let mut e = note.clone().err().unwrap_or_default();
            for p in &upload.problems {
                e.add("files", p.clone());
            }
            return Err(refused_upload(e, upload.chosen));
        }
        let note = checked(note.clone())?;
        if !before.status.branch_may_edit() {
            return Err(Stop::Refused("这条措施已销号。".into()));
        }
        let existing = db::evidence::count_for_measure(tx, id).await? as usize;
        if let Err(m) = evidence::room_for("每条措施", existing, upload.accepted.len()) {
            return Err(refused_upload(files_error(m), upload.chosen));
        }
        if db::measures::set_progress(tx, actor, &before, form.version, MeasureStatus::Done, &note)
            .await?
            .is_err()
        {
            return Err(Stop::Stale(
                "这条措施刚刚被他人修改过，销号申请没有提交；您填写的说明已保留，请核对后重新提交（文件需重新选择）。"
                    .into(),
            ));
        }
        let after = measure(tx, actor, id).await?;
        for f in &upload.accepted {
            db::evidence::add(tx, actor, &after, &f.name, f.content_type, &f.bytes).await?;
        }
        // A new request (not files added to one waiting) asks the level above.
        if before.status != MeasureStatus::Done {
            let unit = db::notify::unit_name(tx, actor.branch()).await?;
            let event = Event::CloseOutRequested {
                branch: actor.branch(),
                unit: &unit,
                measure: id,
                text: &before.text,
            };
            super::tell(tx, db, event).await?;
        }
        Ok(before.finding_id)
    })
    .await
}

/// A refused request: the files chosen must be chosen again, as no browser keeps them.
fn refused_upload(mut e: FieldErrors, chosen: bool) -> Stop {
    if chosen {
        e.add("files", evidence::REPICK);
    }
    Stop::Invalid(e)
}

fn files_error(message: String) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.add("files", message);
    e
}

/// Takes a pending 销号 request back (已完成 → 整改中); returns the measure's finding.
pub async fn withdraw(db: &Db, user: &User, branch: BranchId, id: MeasureId, version: i64) -> super::Result<FindingId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let before = measure(tx, actor, id).await?;
        if !before.status.may_withdraw_close_out() {
            return Err(Stop::Refused("这条措施没有待确认的销号申请。".into()));
        }
        let note = before.completion_note.clone();
        if db::measures::set_progress(tx, actor, &before, version, MeasureStatus::InProgress, &note)
            .await?
            .is_err()
        {
            return Err(Stop::Stale(
                "这条措施刚刚被他人修改过，没有撤回。请返回查看最新内容。".into(),
            ));
        }
        Ok(before.finding_id)
    })
    .await
}

/// Removes an evidence file of a measure not yet closed off.
pub async fn delete_evidence(
    db: &Db, user: &User, branch: BranchId, id: MeasureId, file: EvidenceId,
) -> super::Result<()> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let current = measure(tx, actor, id).await?;
        if !current.status.branch_may_edit() {
            return Err(Stop::Refused("这条措施已销号，证明材料不能再删除。".into()));
        }
        if !db::evidence::delete(tx, actor, &current, file).await? {
            return Err(Stop::NotFound);
        }
        Ok(())
    })
    .await
}
