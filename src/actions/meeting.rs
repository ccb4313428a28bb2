//! 专题支委会: the branch records its meeting (or why it was not held) with minutes or photos;
//! the level above returns the record, or takes a return back. The record is part of the
//! ledger's content: it changes only while the ledger may change, and the submission gate
//! waits for it.

use serde::Deserialize;

use super::{Stop, branch_step, checked, editing};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::evidence::{self, Upload};
use crate::domain::meeting::{self, MeetingForm};
use crate::domain::review::{self, COMMENT_MAX};
use crate::domain::units::{Level, Part};
use crate::domain::{BranchId, MeetingEvidenceId};

/// A committee's own 本级 unit holds no 专题支委会.
fn branches_only(level: Level) -> Result<(), Stop> {
    match level {
        Level::Branch => Ok(()),
        Level::Committee => Err(Stop::NotFound),
    }
}

/// Saves the record with any files chosen. Problems with the form come back by field; with the
/// files, as the field `files`.
pub async fn save(
    db: &Db, user: &User, branch: BranchId, form: &MeetingForm, files: Vec<Upload>, broken: bool,
) -> super::Result<()> {
    let upload = evidence::check_upload(files, broken);
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        branches_only(actor.level())?;
        // Locked ledgers first: a form sent from a stale page is refused as such, not checked.
        editing(tx, actor).await?;
        let campaign = db::campaigns::by_id(&mut *tx, actor.campaign())
            .await?
            .ok_or(Stop::NotFound)?;
        let data = db::profiles::profile_in_tx(tx, actor.campaign(), actor.branch()).await?;
        let parsed = meeting::parse(form, campaign.issued_on, crate::domain::dates::today(), &data);
        let mut e = parsed.clone().err().unwrap_or_default();
        if form.says_not_held() && upload.chosen {
            e.add("files", "未召开时无需上传会议材料");
        }
        for p in &upload.problems {
            e.add("files", p.clone());
        }
        let existing = db::meetings::evidence_count(tx, actor).await? as usize;
        if form.says_not_held() && existing > 0 {
            e.add(
                "files",
                "已上传的会议材料属于召开的会议：改为“未召开”前，请先删除这些材料",
            );
        }
        if let Err(m) = evidence::room_for("专题支委会记录", existing, upload.accepted.len()) {
            e.add("files", m);
        }
        if !e.is_empty() {
            if upload.chosen {
                e.add("files", evidence::REPICK);
            }
            return Err(Stop::Invalid(e));
        }
        let m = checked(parsed)?;
        db::meetings::set(tx, actor, form.version, &m)
            .await?
            .map_err(|_| Stop::Stale(super::STALE.into()))?;
        for f in &upload.accepted {
            db::meetings::add_evidence(tx, actor, &f.name, f.content_type, &f.bytes).await?;
        }
        Ok(())
    })
    .await
}

/// Removes a file of the meeting record while the ledger may change.
pub async fn delete_evidence(db: &Db, user: &User, branch: BranchId, file: MeetingEvidenceId) -> super::Result<()> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        branches_only(actor.level())?;
        editing(tx, actor).await?;
        if !db::meetings::delete_evidence(tx, actor, file).await? {
            return Err(Stop::NotFound);
        }
        Ok(())
    })
    .await
}

/// The level above's word on a clean answer or the meeting record: 退回 with a comment, or take
/// the return back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReturnForm {
    /// "return" or "clear".
    pub decision: String,
    pub comment: String,
    pub version: i64,
}

impl ReturnForm {
    /// The form returns (rather than takes a return back).
    pub fn returns(&self) -> bool {
        self.decision == "return"
    }

    /// `Some(comment)` to return, `None` to take a return back. Refused as the row decisions
    /// are (actions::review): the message goes beside the form, the comment typed is kept.
    fn parse(&self) -> Result<Option<String>, Stop> {
        match self.decision.as_str() {
            "return" => crate::domain::input::text("退回意见", &self.comment, COMMENT_MAX, true)
                .map(Some)
                .map_err(Stop::Refused),
            "clear" => Ok(None),
            _ => Err(Stop::Refused("请选择退回或撤销退回".into())),
        }
    }
}

/// 退回 the meeting record (or take the return back) on a ledger under review.
pub async fn review_meeting(db: &Db, user: &User, branch: BranchId, form: &ReturnForm) -> super::Result<()> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        branches_only(actor.level())?;
        let returned = form.parse()?;
        let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
        review::may_decide_rows(ledger).map_err(|m| Stop::Refused(m.into()))?;
        db::meetings::review(tx, actor, form.version, returned.as_deref())
            .await?
            .map_err(|_| Stop::Stale("专题支委会记录刚刚被修改过，请查看最新内容后再审核。".into()))
    })
    .await
}

/// 退回 a clean answer (查摆不到位), or take the return back, on a ledger under review.
pub async fn review_answer(
    db: &Db, user: &User, branch: BranchId, item: crate::domain::LedgerItemId, form: &ReturnForm,
) -> super::Result<()> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let returned = form.parse()?;
        super::answered_item(tx, actor, item).await?;
        let answer = db::self_checks::get(tx, actor.branch(), item)
            .await?
            .ok_or_else(|| Stop::Refused("此项尚未作答。".into()))?;
        let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
        review::may_return_answer(ledger, answer.verdict).map_err(|m| Stop::Refused(m.into()))?;
        db::self_checks::review(tx, actor, item, form.version, returned.as_deref())
            .await?
            .map_err(|_| Stop::Stale("这项作答刚刚被修改过，请查看最新内容后再审核。".into()))
    })
    .await
}
