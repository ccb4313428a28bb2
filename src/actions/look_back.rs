//! 整改"回头看" (组织部): re-checking a closed-off measure, and recording what was found.

use serde::Deserialize;

use super::{Stop, branch_step, measure};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::review;
use crate::domain::units::Part;
use crate::domain::{BranchId, FindingId, MeasureId};

/// Flags a closed-off measure for 回头看 with a reason. It stays 已销号 until the re-check finds
/// 反弹. Returns the measure's finding.
pub async fn flag(db: &Db, user: &User, branch: BranchId, id: MeasureId, reason: &str) -> super::Result<FindingId> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let current = measure(tx, actor, id).await?;
        let pending = db::look_backs::pending(tx, current.id).await?;
        let reason = review::flag_look_back(current.status, pending, reason).map_err(Stop::Refused)?;
        if !db::look_backs::flag(tx, actor, &current, &reason).await? {
            return Err(Stop::Refused("这条措施刚刚被修改过，请刷新后再试。".into()));
        }
        Ok(current.finding_id)
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    pub outcome: String,
    pub note: String,
    pub version: i64,
}

/// Records the re-check's outcome (巩固 or 反弹: the measure reopens, 整改中, for the branch and
/// the committee); returns the measure and its finding.
pub async fn decide(
    db: &Db, user: &User, branch: BranchId, look_back: i64, form: &OutcomeForm,
) -> super::Result<(FindingId, MeasureId)> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let lb = db::look_backs::get_of_branch(tx, actor.branch(), look_back)
            .await?
            .ok_or(Stop::NotFound)?;
        let measure = measure(tx, actor, lb.measure_id).await?;
        let (outcome, note) = review::look_back_outcome(&form.outcome, &form.note).map_err(Stop::Refused)?;
        if !db::look_backs::decide(tx, actor, &lb, measure.finding_id, form.version, outcome, &note).await? {
            return Err(Stop::Refused("这次回头看的结果刚刚已被记录，请刷新后查看。".into()));
        }
        if outcome == crate::domain::states::LookBackOutcome::Rebound {
            db::look_backs::reopen(tx, actor, &measure, &note).await?;
        }
        Ok((measure.finding_id, measure.id))
    })
    .await
}
