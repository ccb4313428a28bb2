//! 查摆问题: the branch adds, changes, deletes and imports its findings.

use serde::Deserialize;

use super::{Outcome, STALE, Stop, answered_item, branch_step, checked, editing, finding};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::import::{self, Choice, ImportRow};
use crate::domain::input::{FieldErrors, finding_text};
use crate::domain::states::{FindingSource, Verdict};
use crate::domain::units::Part;
use crate::domain::{BranchId, CategoryId, FindingId, LedgerItemId};

/// Where a new finding goes: under an item answered 存在问题, or under a category (延伸自查).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Item(LedgerItemId),
    Category(CategoryId),
}

/// Adds a finding; its text's problem comes back as the field `text`.
pub async fn create(
    db: &Db, user: &User, branch: BranchId, placement: Placement, text: &str,
) -> super::Result<FindingId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let text = checked(finding_text(text))?;
        editing(tx, actor).await?;
        let campaign = actor.campaign();
        let (category, item, source) = match placement {
            Placement::Item(item) => {
                let category = answered_item(tx, actor, item).await?;
                let answer = db::self_checks::get(tx, actor.branch(), item).await?;
                if answer.is_none_or(|a| a.verdict != Verdict::Problem) {
                    let mut e = FieldErrors::default();
                    e.add("text", "请先将此项的结论保存为“存在问题”，再填写查摆问题");
                    return Err(Stop::Invalid(e));
                }
                (category, Some(item), FindingSource::SelfCheck)
            }
            Placement::Category(category) => {
                if !db::findings::category_in_campaign(tx, campaign, category).await? {
                    return Err(Stop::NotFound);
                }
                (category, None, FindingSource::Extended)
            }
        };
        Ok(db::findings::create(tx, actor, campaign, category, item, &text, source).await?)
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TextForm {
    pub text: String,
    pub version: i64,
}

/// Changes a finding's text (an approval lapses: the committee reviews it again).
pub async fn update(db: &Db, user: &User, branch: BranchId, id: FindingId, form: &TextForm) -> super::Result<()> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let text = checked(finding_text(&form.text))?;
        editing(tx, actor).await?;
        let before = finding(tx, actor, id).await?;
        if db::findings::update_text(tx, actor, &before, form.version, &text)
            .await?
            .is_err()
        {
            let now = finding(tx, actor, id).await?;
            return Err(Stop::Stale(format!("{STALE} 当前保存的内容是：{}", now.text)));
        }
        Ok(())
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    pub version: i64,
    /// For a finding: how many measures its confirmation page said would go with it.
    pub measures: i64,
}

/// Deletes a finding with its measures and their evidence, as confirmed; returns the item it was
/// under (to go back there). Not once a measure of it is closed off.
pub async fn delete(
    db: &Db, user: &User, branch: BranchId, id: FindingId, form: &DeleteForm,
) -> super::Result<Option<LedgerItemId>> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        editing(tx, actor).await?;
        let before = finding(tx, actor, id).await?;
        let (measures, closed_out) = db::findings::measure_counts(tx, id).await?;
        if closed_out > 0 {
            return Err(Stop::Refused(
                "这条查摆问题下有已销号的整改措施，是党总支（党委）审核确认的记录，不能删除。".into(),
            ));
        }
        if measures != form.measures {
            return Err(Stop::Stale(format!(
                "确认删除后，这条查摆问题的整改措施有了变化（现有 {measures} 条），没有删除。请返回查看后再决定。"
            )));
        }
        if db::findings::delete(tx, actor, &before, form.version).await?.is_err() {
            return Err(Stop::Stale(
                "这条查摆问题在您确认删除前被他人修改过，没有删除。请返回查看最新内容后再决定。".into(),
            ));
        }
        Ok(before.ledger_item_id)
    })
    .await
}

/// What an import would add, from pasted lines or a workbook's first two columns: nothing is
/// saved. Refused while the branch cannot change its ledger; what cannot be read comes back as
/// the field `pasted`.
pub async fn preview_import(
    db: &Db, user: &User, branch: BranchId, input: ImportInput,
) -> super::Result<Vec<ImportRow>> {
    match super::may_edit(db, user, branch).await? {
        Outcome::Done(()) => {}
        Outcome::Refused(m) => return Ok(Outcome::Refused(m)),
        Outcome::Forbidden => return Ok(Outcome::Forbidden),
        _ => return Ok(Outcome::NotFound),
    }
    let Some(campaign) = db::campaigns::current(db).await? else {
        return Ok(Outcome::NotFound);
    };
    let titles: Vec<(i64, String)> = db::ledger::categories(db, campaign.id)
        .await?
        .into_iter()
        .map(|c| (c.position, c.title))
        .collect();
    let read = match input {
        ImportInput::Workbook(bytes) => {
            crate::export::render(move || {
                let titles: Vec<(i64, &str)> = titles.iter().map(|(p, t)| (*p, t.as_str())).collect();
                Ok(
                    crate::sheets::read_first_sheet(&bytes, 2, import::MAX_ROWS + 1).map(|rows| {
                        let cells = rows
                            .into_iter()
                            .map(|(n, cells)| {
                                let [a, b]: [String; 2] = cells.try_into().unwrap_or_default();
                                (n, a, b)
                            })
                            .collect();
                        import::from_cells(cells, &titles)
                    }),
                )
            })
            .await?
        }
        ImportInput::Pasted(text) => {
            let titles: Vec<(i64, &str)> = titles.iter().map(|(p, t)| (*p, t.as_str())).collect();
            Ok(import::from_lines(&text, &titles))
        }
        ImportInput::Nothing => Err("请粘贴问题清单，或选择一个 XLSX 文件".to_string()),
        ImportInput::Unreadable(why) => Err(why.to_string()),
    };
    let problem = match read {
        Ok(rows) if !rows.is_empty() => return Ok(Outcome::Done(rows)),
        Ok(_) => "没有读到任何问题：请检查格式（每行“类别”与“问题”之间用 Tab 键或冒号分隔）".to_string(),
        Err(m) => m,
    };
    let mut e = FieldErrors::default();
    e.add("pasted", problem);
    Ok(Outcome::Invalid(e))
}

/// What the secretary sends to preview an import.
pub enum ImportInput {
    Workbook(Vec<u8>),
    Pasted(String),
    Nothing,
    /// The form did not arrive whole (too large, or the connection dropped): why.
    Unreadable(&'static str),
}

/// Saves the rows the secretary kept as findings under their categories (source: 述职评议问题);
/// nothing unless every kept row is right (`Invalid`, field `rows`: the page shows each row's
/// problem again from domain::import::confirm). Returns how many were saved.
pub async fn import(db: &Db, user: &User, branch: BranchId, choices: &[Choice]) -> super::Result<usize> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let categories = db::ledger::categories(db, actor.campaign()).await?;
        let positions: Vec<i64> = categories.iter().map(|c| c.position).collect();
        let (preview, chosen) = import::confirm(choices, &positions);
        if let Some(why) = import::refusal(&preview, chosen.len()) {
            let mut e = FieldErrors::default();
            e.add("rows", why);
            return Err(Stop::Invalid(e));
        }
        editing(tx, actor).await?;
        for (position, text) in &chosen {
            let category = categories
                .iter()
                .find(|c| c.position == *position)
                .map(|c| c.id)
                .ok_or(Stop::NotFound)?;
            db::findings::create(
                tx,
                actor,
                actor.campaign(),
                category,
                None,
                text,
                FindingSource::Imported,
            )
            .await?;
        }
        Ok(chosen.len())
    })
    .await
}
