//! 典型做法: a unit submits one; the 组织部 promotes it (推广) or takes the mark back.

use std::collections::HashMap;

use super::units::campus_only;
use super::{Stop, branch_step, step};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::evidence::{REPICK, Upload, check_upload};
use crate::domain::practices;
use crate::domain::units::Part;
use crate::domain::{BranchId, CategoryId, MeasureId};

/// The form: `title`, `text`, `category_id` (may be blank), a `measure_<id>` box per measure
/// the practice grew from, and its attachments (`files`; `broken` when the upload did not arrive
/// whole).
pub async fn submit(
    db: &Db, user: &User, branch: BranchId, form: &HashMap<String, String>, files: Vec<Upload>, broken: bool,
) -> super::Result<i64> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        let parsed = practices::parse(field("title"), field("text"));
        let upload = check_upload(files, broken);
        let input = match (parsed, upload.problems.first()) {
            (Ok(input), None) => input,
            (parsed, problem) => {
                let mut e = parsed.err().unwrap_or_default();
                if let Some(p) = problem {
                    e.add("files", format!("{p}{REPICK}"));
                } else if upload.chosen {
                    e.add("files", REPICK);
                }
                return Err(Stop::Invalid(e));
            }
        };
        let category = field("category_id").trim().parse().ok().map(CategoryId);
        let measures: Vec<MeasureId> = form
            .keys()
            .filter_map(|k| k.strip_prefix("measure_")?.parse().ok())
            .map(MeasureId)
            .collect();
        Ok(db::practices::add(tx, actor, &input, category, &measures, &upload.accepted).await?)
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
