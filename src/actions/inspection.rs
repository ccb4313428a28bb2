//! 督查: the 组织部 records a 现场调研, 集中督导 or 调阅材料 and puts what it found into a unit's
//! ledger (督查发现); on a signed-off ledger the unit hands such a row in on its own.

use std::collections::HashMap;

use super::units::campus_only;
use super::{Stop, branch_step, checked, finding, step};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::input::{FieldErrors, finding_text};
use crate::domain::inspection::{self, InspectionInput};
use crate::domain::notify::Event;
use crate::domain::units::Part;
use crate::domain::{BranchId, CategoryId, FindingId};

/// The record's form: `kind`, `held_on`, `participants`, `found`, `version`, and a `unit_<id>`
/// box per unit covered.
pub type RecordForm = HashMap<String, String>;

fn field<'a>(form: &'a RecordForm, key: &str) -> &'a str {
    form.get(key).map(String::as_str).unwrap_or("")
}

/// The units a record's form ticked.
pub fn ticked_units(form: &RecordForm) -> Vec<BranchId> {
    let mut units: Vec<BranchId> = form
        .keys()
        .filter_map(|k| k.strip_prefix("unit_")?.parse().ok())
        .map(BranchId)
        .collect();
    units.sort_by_key(|u| u.0);
    units
}

async fn parsed(
    tx: &mut sqlx::SqliteConnection, form: &RecordForm,
) -> Result<(crate::db::campaigns::Campaign, InspectionInput), Stop> {
    let campaign = db::campaigns::current_in(tx).await?.ok_or(Stop::NotFound)?;
    let input = checked(inspection::parse(
        field(form, "kind"),
        field(form, "held_on"),
        field(form, "participants"),
        field(form, "found"),
        ticked_units(form).len(),
        campaign.issued_on,
        crate::domain::dates::today(),
    ))?;
    Ok((campaign, input))
}

/// Records a 督查 of the current campaign; returns its id.
pub async fn add(db: &Db, user: &User, form: &RecordForm) -> super::Result<i64> {
    step(db, async |tx| {
        campus_only(user)?;
        let (campaign, input) = parsed(tx, form).await?;
        Ok(db::inspections::add(tx, user.id(), campaign.id, &input, &ticked_units(form)).await?)
    })
    .await
}

/// Changes a record as seen at its `version`.
pub async fn update(db: &Db, user: &User, id: i64, form: &RecordForm) -> super::Result<()> {
    step(db, async |tx| {
        campus_only(user)?;
        let (campaign, input) = parsed(tx, form).await?;
        let version = field(form, "version").trim().parse().unwrap_or(0);
        match db::inspections::update(tx, user.id(), campaign.id, id, version, &input, &ticked_units(form)).await? {
            None => Err(Stop::NotFound),
            Some(false) => Err(Stop::Stale(
                "这条督查记录刚刚被他人修改，您的内容没有保存；下方已保留您填写的内容，请核对后重新保存。".into(),
            )),
            Some(true) => Ok(()),
        }
    })
    .await
}

/// Puts a problem the record `inspection` found into the ledger of `unit` (one it covered),
/// under `category`; the problem's text comes back as the field `text`, the unit as `unit`.
pub async fn raise(
    db: &Db, user: &User, inspection: i64, unit: Option<BranchId>, category: Option<CategoryId>, text: &str,
) -> super::Result<FindingId> {
    step(db, async |tx| {
        campus_only(user)?;
        let campaign = db::campaigns::current_in(tx).await?.ok_or(Stop::NotFound)?;
        if !db::inspections::exists(tx, campaign.id, inspection).await? {
            return Err(Stop::NotFound);
        }
        let mut e = FieldErrors::default();
        let text = finding_text(text).unwrap_or_else(|m| {
            e.0.extend(m.0);
            String::new()
        });
        let covered = match unit {
            Some(u) => db::inspections::covers(tx, campaign.id, inspection, u).await?,
            None => false,
        };
        if !covered {
            e.add("unit", "请选择本次督查覆盖的一个单位");
        }
        let in_ledger = match category {
            Some(c) => db::findings::category_in_campaign(tx, campaign.id, c).await?,
            None => false,
        };
        if !in_ledger {
            e.add("category_id", "请选择问题所属的类别");
        }
        let (Some(unit), Some(category), true) = (unit, category, e.is_empty()) else {
            return Err(Stop::Invalid(e));
        };
        let (_, _, actor) = db::units::actor(tx, user, unit).await?.ok_or(Stop::NotFound)?;
        let id = db::inspections::raise(tx, actor, inspection, category, &text).await?;
        super::tell(
            tx,
            db,
            Event::InspectionRaised {
                branch: unit,
                finding: id.0,
            },
        )
        .await?;
        Ok(id)
    })
    .await
}

/// The unit hands a 督查发现 in on its own (its ledger signed off), its measures planned.
pub async fn hand_in(db: &Db, user: &User, branch: BranchId, id: FindingId, version: i64) -> super::Result<()> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let f = finding(tx, actor, id).await?;
        let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
        let (planned, unplanned) = db::inspections::plan_counts(tx, id).await?;
        f.row().may_hand_in(ledger, planned, unplanned).map_err(Stop::Refused)?;
        if !db::inspections::hand_in(tx, actor, id, version).await? {
            return Err(Stop::Stale(
                "这条督查发现刚刚有了变动（整改措施或审核），没有提交；请查看最新内容后再提交。".into(),
            ));
        }
        let unit = db::notify::unit_name(tx, actor.branch()).await?;
        super::tell(
            tx,
            db,
            Event::InspectionHandedIn {
                branch: actor.branch(),
                unit: &unit,
            },
        )
        .await
    })
    .await
}
