//! 附件3, the committee's report in the current campaign: saved as a draft, signed (which
//! locks it), reopened with a reason.

use serde::Deserialize;
use sqlx::SqliteConnection;

use super::{Stop, checked, step};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::input::{deadline_window, text};
use crate::domain::report::{self, Draft};
use crate::domain::review::COMMENT_MAX;
use crate::domain::{CampaignId, CommitteeId};

/// The report's three sections, and for signing the date (the signer is the committee's
/// 党组织负责人, never typed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub work_done: String,
    pub problems: String,
    pub next_steps: String,
    pub signed_on: String,
    /// Ticked: sign although some branches' ledgers are not signed off yet …
    pub confirm_unsigned: String,
    /// … namely these (as the page listed them, joined with 、): a list that changed since is
    /// confirmed again.
    pub unsigned_seen: String,
    pub version: i64,
}

/// The committee (in the user's scope) and the current campaign.
async fn committee(tx: &mut SqliteConnection, user: &User, id: CommitteeId) -> Result<CampaignId, Stop> {
    db::units::committee(&mut *tx, user.scope(), id)
        .await?
        .ok_or(Stop::NotFound)?;
    let campaign = db::campaigns::current_in(tx).await?.ok_or(Stop::NotFound)?;
    Ok(campaign.id)
}

/// Saves the three sections of a draft.
pub async fn save(db: &Db, user: &User, id: CommitteeId, form: &ReportForm) -> super::Result<()> {
    step(db, async |tx| {
        let campaign = committee(tx, user, id).await?;
        let draft = checked(report::sections(&form.work_done, &form.problems, &form.next_steps))?;
        if !db::reports::state(tx, campaign, id).await?.editable() {
            return Err(Stop::Refused(
                "报告已签字锁定，您的内容没有保存（已保留在下方，可复制）；如需修改，请先重新打开报告。".into(),
            ));
        }
        if db::reports::save(tx, user.id(), campaign, id, form.version, &draft)
            .await?
            .is_err()
        {
            return Err(Stop::Stale(
                "报告刚刚被他人修改过，您的内容没有保存，已保留在下方；请对照最新内容后重新保存。".into(),
            ));
        }
        Ok(())
    })
    .await
}

/// 保存并签字: saves exactly the text on the screen and signs it, in one transaction, so the
/// signature always covers what the signer read. Only the committee's 党组织负责人 signs, in
/// their name, after confirming any branches not yet signed off. Signing locks the report.
pub async fn sign(db: &Db, user: &User, id: CommitteeId, form: &ReportForm) -> super::Result<()> {
    step(db, async |tx| {
        let campaign = committee(tx, user, id).await?;
        // Only the committee's 党组织负责人 signs, in their own name.
        if user.role() != crate::domain::Role::Reviewer {
            // The 组织部 reads and prepares nothing here to sign.
            return Err(Stop::Forbidden);
        }
        // Another reviewer (an 组织员) prepares but does not sign: told who does, text kept.
        let leader = db::reports::leader(&mut *tx, id).await?;
        let leader_name = report::may_sign(user.id(), leader.as_ref().map(|(u, n)| (*u, n.as_str())))
            .map_err(Stop::Refused)?
            .to_string();
        let unsigned = db::reports::unsigned_branches(&mut *tx, campaign, id).await?;
        if !unsigned.is_empty() && (form.confirm_unsigned.is_empty() || form.unsigned_seen != unsigned.join("、")) {
            return Err(Stop::Refused(format!(
                "以下 {} 个党支部的台账尚未审核签字：{}。如确认在此情况下签字，请勾选“确认签字”后再签。",
                unsigned.len(),
                unsigned.join("、")
            )));
        }
        let issued_on = db::campaigns::by_id(&mut *tx, campaign)
            .await?
            .ok_or(Stop::NotFound)?
            .issued_on;
        let (draft, name, on) = checked(
            report::sections(&form.work_done, &form.problems, &form.next_steps).and_then(|d: Draft| {
                let (name, on) = report::signature(
                    &leader_name,
                    &form.signed_on,
                    [&d.work_done, &d.problems, &d.next_steps],
                    deadline_window(issued_on),
                )?;
                Ok((d, name, on))
            }),
        )?;
        let stale = || {
            Stop::Stale("报告刚刚被他人修改或已签字，没有签字；您的内容已保留在下方，请对照最新内容后再签字。".into())
        };
        // db::reports::save refuses a signed report by itself (it updates drafts only).
        if !db::reports::state(tx, campaign, id).await?.editable()
            || db::reports::save(tx, user.id(), campaign, id, form.version, &draft)
                .await?
                .is_err()
        {
            return Err(stale());
        }
        let saved = if form.version == 0 { 1 } else { form.version + 1 };
        db::reports::sign(tx, user.id(), campaign, id, saved, &name, on)
            .await?
            .map_err(|_| stale())
    })
    .await
}

/// Reopens a signed report for editing, with the reason.
pub async fn reopen(db: &Db, user: &User, id: CommitteeId, reason: &str) -> super::Result<()> {
    step(db, async |tx| {
        let campaign = committee(tx, user, id).await?;
        let reason = text("重新打开的原因", reason, COMMENT_MAX, true).map_err(Stop::Refused)?;
        // What was handed in stays what the 组织部 holds: it returns the 报送 first.
        if db::deliveries::standing(tx, campaign, id).await?.is_some() {
            return Err(Stop::Refused(
                "报告已随报送材料报送组织部，不能重新打开；如需修改，请联系组织部退回报送。".into(),
            ));
        }
        if !db::reports::reopen(tx, user.id(), campaign, id, &reason).await? {
            return Err(Stop::Refused("报告不是已签字状态，无需重新打开。".into()));
        }
        Ok(())
    })
    .await
}
