//! 典型做法: a unit submits one; the 组织部 promotes it (推广) or takes the mark back.

use std::collections::HashMap;

use super::units::campus_only;
use super::{Stop, branch_step, checked, step};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::practices;
use crate::domain::units::Part;
use crate::domain::{BranchId, CategoryId, MeasureId};

/// The form: `title`, `text`, `category_id` (may be blank) and a `measure_<id>` box per measure
/// the practice grew from.
pub async fn submit(db: &Db, user: &User, branch: BranchId, form: &HashMap<String, String>) -> super::Result<i64> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        let input = checked(practices::parse(field("title"), field("text")))?;
        let category = field("category_id").trim().parse().ok().map(CategoryId);
        let measures: Vec<MeasureId> = form
            .keys()
            .filter_map(|k| k.strip_prefix("measure_")?.parse().ok())
            .map(MeasureId)
            .collect();
        Ok(db::practices::add(tx, actor, &input, category, &measures).await?)
    })
    .await
}

/// 推广 (or not) a practice of the current campaign, as seen at `version`.
pub async fn promote(db: &Db, user: &User, id: i64, version: i64, promoted: bool) -> super::Result<()> {
    step(db, async |tx| {
        campus_only(user)?;
        let campaign = db::campaigns::current_in(tx).await?.ok_or(Stop::NotFound)?;
        match db::practices::set_promoted(tx, user.id(), campaign.id, id, version, promoted).await? {
            None => Err(Stop::NotFound),
            Some(false) => Err(Stop::Stale("这条典型做法刚刚有了变动，请刷新后再操作。".into())),
            Some(true) => Ok(()),
        }
    })
    .await
}
