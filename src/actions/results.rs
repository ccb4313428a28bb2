//! 结果运用: the 组织部 finalises a campaign's 评星 results (each branch's 五星级 judgement frozen as
//! it was) and records the 星级 awarded per branch.

use serde::Deserialize;

use super::units::campus_only;
use super::{Stop, checked, step};
use crate::auth::User;
use crate::db::results::ToFreeze;
use crate::db::{self, Db};
use crate::domain::results::{self, may_finalise};
use crate::domain::{BranchId, CampaignId};

/// Freezes `rows` (the live judgement, as the 组织部's page computed it just now) as the
/// campaign's results, judged on `judged_on`.
pub async fn finalise(
    db: &Db, user: &User, campaign: CampaignId, judged_on: time::Date, rows: &[ToFreeze<'_>],
) -> super::Result<()> {
    step(db, async |tx| {
        campus_only(user)?;
        let c = db::campaigns::by_id(&mut *tx, campaign).await?.ok_or(Stop::NotFound)?;
        let finalised = db::results::is_finalised(tx, campaign).await?;
        may_finalise(c.results_due, crate::domain::dates::today(), finalised).map_err(Stop::Refused)?;
        db::results::finalise(tx, user.id(), campaign, judged_on, rows).await?;
        Ok(())
    })
    .await
}

/// The 星级 awarded, as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StarsForm {
    pub stars: String,
    pub stars_note: String,
    pub version: i64,
}

pub async fn set_stars(
    db: &Db, user: &User, campaign: CampaignId, branch: BranchId, form: &StarsForm,
) -> super::Result<()> {
    step(db, async |tx| {
        campus_only(user)?;
        let before = db::results::get_in(tx, campaign, branch).await?.ok_or(Stop::NotFound)?;
        let (stars, note) = checked(results::stars(&form.stars, &form.stars_note))?;
        db::results::set_stars(tx, user.id(), campaign, &before, form.version, stars, &note)
            .await?
            .map_err(|_| Stop::Stale("这一行刚刚被他人修改，您的选择没有保存；请查看最新内容后再保存。".into()))
    })
    .await
}
