//! The 组织部 runs campaigns: a new one from a copy of a previous ledger (optionally carrying
//! unfinished measures over), its dates, which one is current, and its ledger until a branch
//! has used it. Only the 组织部 reaches these (routes.rs); each step is still checked against
//! the user's scope.

use serde::Deserialize;

use super::units::campus_only;
use super::{Stop, checked, step};
use crate::auth::User;
use crate::db::ledger_admin::ItemField;
use crate::db::{self, Db};
use crate::domain::campaign::CampaignInput;
use crate::domain::input::text;
use crate::domain::input::typed_fields;
use crate::domain::units::Level;
use crate::domain::{CampaignId, CategoryId, LedgerItemId};

/// A campaign's settings as the form sends them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    pub title: String,
    pub doc_number: String,
    pub issued_on: String,
    pub self_check_due: String,
    pub report_due: String,
    pub rectify_due: String,
    pub results_due: String,
    pub eligibility_deadline: String,
    pub copy_from: Option<i64>,
    pub carry_over: Option<String>,
    pub version: i64,
}

impl CampaignForm {
    fn parse(&self) -> Result<CampaignInput, Stop> {
        checked(CampaignInput::parse(
            &self.title,
            &self.doc_number,
            [
                &self.issued_on,
                &self.self_check_due,
                &self.report_due,
                &self.rectify_due,
                &self.results_due,
            ],
            &self.eligibility_deadline,
        ))
    }

    /// What was typed, by field name, to show again after a refusal.
    pub fn fields(&self) -> Vec<(String, String)> {
        typed_fields(&[
            ("title", &self.title),
            ("doc_number", &self.doc_number),
            ("issued_on", &self.issued_on),
            ("self_check_due", &self.self_check_due),
            ("report_due", &self.report_due),
            ("rectify_due", &self.rectify_due),
            ("results_due", &self.results_due),
            ("eligibility_deadline", &self.eligibility_deadline),
        ])
    }
}

/// A new campaign with a copy of a ledger (the one named, else the current one's); returns
/// its title.
pub async fn create(db: &Db, user: &User, form: &CampaignForm) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let input = form.parse()?;
        let from = match form.copy_from {
            Some(id) => db::campaigns::by_id(&mut *tx, CampaignId(id)).await?,
            None => db::campaigns::current_in(tx).await?,
        }
        .ok_or(Stop::NotFound)?;
        db::campaigns::create(tx, user.id(), &input, from.id, form.carry_over.is_some()).await?;
        Ok(input.title)
    })
    .await
}

/// Saves a campaign's settings; returns its title.
pub async fn update(db: &Db, user: &User, id: CampaignId, form: &CampaignForm) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let before = db::campaigns::by_id(&mut *tx, id).await?.ok_or(Stop::NotFound)?;
        let input = form.parse()?;
        if db::campaigns::update(tx, user.id(), &before, form.version, &input)
            .await?
            .is_err()
        {
            return Err(Stop::Stale(
                "这个专项行动刚刚被他人修改过，您的修改没有保存（已保留在下方）；请核对后重新保存。".into(),
            ));
        }
        Ok(input.title)
    })
    .await
}

/// Makes a campaign the current one (pages without `?campaign=` show it); returns its title.
pub async fn make_current(db: &Db, user: &User, id: CampaignId) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let c = db::campaigns::by_id(&mut *tx, id).await?.ok_or(Stop::NotFound)?;
        let was_current = c.is_current;
        db::campaigns::make_current(tx, user.id(), c.id).await?;
        if !was_current {
            let event = crate::domain::notify::Event::CampaignOpened {
                title: &c.title,
                self_check_due: c.self_check_due,
            };
            super::tell(tx, db, event).await?;
        }
        Ok(c.title)
    })
    .await
}

/// One change to a campaign's ledger, as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LedgerEdit {
    pub action: String,
    pub id: i64,
    pub text: String,
    /// Who answers an item (`item_level`): a Level code.
    pub level: String,
    pub version: i64,
}

/// A category's title, an item's text, who answers it (every branch, or each committee for
/// itself), its place, a new or removed item: only while no unit has answered or recorded a
/// finding, so answers never point at changed text.
pub async fn edit_ledger(db: &Db, user: &User, id: CampaignId, edit: &LedgerEdit) -> super::Result<()> {
    step(db, async |tx| {
        campus_only(user)?;
        let campaign = db::campaigns::by_id(&mut *tx, id).await?.ok_or(Stop::NotFound)?.id;
        let value = match edit.action.as_str() {
            "category_title" => text("类别名称", &edit.text, 60, true),
            "item_text" | "item_add" => text("条目内容", &edit.text, 500, true),
            _ => Ok(String::new()),
        }
        .map_err(Stop::Refused)?;
        if db::ledger_admin::in_use(tx, campaign).await? {
            return Err(Stop::Stale(
                "已有党支部开始对账查摆，问题台账已锁定，不能再修改（作答必须对应不变的条目）。".into(),
            ));
        }
        let (by, item, seen) = (user.id(), LedgerItemId(edit.id), edit.version);
        let found = match edit.action.as_str() {
            "category_title" => {
                db::ledger_admin::set_category_title(tx, by, campaign, CategoryId(edit.id), seen, &value).await?
            }
            "item_text" => db::ledger_admin::set_item(tx, by, campaign, item, seen, ItemField::Text(&value)).await?,
            "item_level" => {
                let level = Level::parse(&edit.level).ok_or_else(|| Stop::Refused("请选择由谁作答".into()))?;
                db::ledger_admin::set_item(tx, by, campaign, item, seen, ItemField::Level(level)).await?
            }
            "item_up" => Ok(db::ledger_admin::move_item(tx, by, campaign, item, -1).await?),
            "item_down" => Ok(db::ledger_admin::move_item(tx, by, campaign, item, 1).await?),
            "item_add" => Ok(db::ledger_admin::add_item(tx, by, campaign, CategoryId(edit.id), &value).await?),
            "item_delete" => Ok(db::ledger_admin::delete_item(tx, by, campaign, item).await?),
            _ => return Err(Stop::Invalid(Default::default())),
        };
        match found {
            Ok(true) => Ok(()),
            Ok(false) => Err(Stop::NotFound),
            Err(_stale) => Err(Stop::Stale(format!(
                "这一条刚刚被他人修改过，您的修改没有保存。您填写的内容：{}",
                edit.text
            ))),
        }
    })
    .await
}
