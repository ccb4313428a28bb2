//! 查摆问题: the branch adds, changes, deletes and imports its findings.

use serde::Deserialize;

use super::measures::MeasureForm;
use super::{Outcome, STALE, Stop, answered_item, branch_step, checked, editing, finding};
use crate::auth::User;
use crate::db::audit::Actor;
use crate::db::{self, Db};
use crate::domain::checklist_import::{self, ImportedMeasure, ItemText};
use crate::domain::import::{self, Choice, ImportRow};
use crate::domain::input::{FieldErrors, finding_text};
use crate::domain::input::{MeasureInput, VerdictInput, deadline_window};
use crate::domain::progress::MilestoneInput;
use crate::domain::states::MeasureStatus;
use crate::domain::states::{FindingSource, Verdict};
use crate::domain::units::Part;
use crate::domain::{BranchId, CategoryId, FindingId, LedgerItemId};

/// Where a new finding goes: under an item answered 存在问题, or under a category (延伸自查).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Item(LedgerItemId),
    Category(CategoryId),
}

/// Adds a finding, and its first measure when `first` has one (the ledger page's form); the
/// finding's text's problem comes back as the field `text`, the measure's as `measure_text`,
/// `measure_deadline`, `measure_owner`, `measure_kind`. Both are saved or neither.
pub async fn create(
    db: &Db, user: &User, branch: BranchId, placement: Placement, text: &str, first: Option<&MeasureForm>,
) -> super::Result<FindingId> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let finding_text = finding_text(text);
        let measure = match first {
            Some(form) => Some(super::measures::parse(tx, actor, form, None).await),
            None => None,
        };
        let (text, measure) = match (finding_text, measure) {
            (Ok(text), None) => (text, None),
            (Ok(text), Some(Ok(m))) => (text, Some(m)),
            (text, measure) => {
                let mut e = FieldErrors::default();
                if let Err(m) = text {
                    e.0.extend(m.0);
                }
                match measure {
                    Some(Err(Stop::Invalid(m))) => {
                        e.0.extend(m.0.into_iter().map(|(f, m)| (first_measure_field(f), m)))
                    }
                    Some(Err(other)) => return Err(other),
                    _ => {}
                }
                return Err(Stop::Invalid(e));
            }
        };
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
        let id = db::findings::create(tx, actor, campaign, category, item, &text, source).await?;
        if let Some(m) = measure {
            db::measures::create(tx, actor, id, &m).await?;
        }
        Ok(id)
    })
    .await
}

/// A 督查发现 is the 组织部's word: the unit answers it with measures, and neither rewrites nor
/// deletes it.
fn raised_by_inspection(f: &db::findings::Finding) -> Result<(), Stop> {
    if f.source == FindingSource::Inspection {
        return Err(Stop::Refused(
            "这是组织部督查发现的问题，党支部不能修改或删除其内容；请制定整改措施作答。".into(),
        ));
    }
    Ok(())
}

/// The new-finding form's name for a field of its first measure.
fn first_measure_field(field: &'static str) -> &'static str {
    match field {
        "text" => "measure_text",
        "deadline" => "measure_deadline",
        "owner" => "measure_owner",
        "kind" => "measure_kind",
        "status" => "measure_status",
        _ => "measure_form",
    }
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
        raised_by_inspection(&before)?;
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
        raised_by_inspection(&before)?;
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

/// Reads pasted lines, a two-column XLSX, or a workbook in the 附件2 layout (the notice's, or
/// this system's own export) into preview rows; nothing is saved.
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
    let Some(unit) = db::units::branch(&db.read, user.scope(), branch).await? else {
        return Ok(Outcome::NotFound);
    };
    let (categories, targets) = import_targets(db, user.scope(), campaign.id, &unit).await?;
    let titles: Vec<(i64, String)> = categories.iter().map(|c| (c.position, c.title.clone())).collect();
    // Only items a finding may go under: not those the unit answered 未发现问题 or 不适用.
    let texts = db::ledger::items(db, campaign.id).await?;
    let items: Vec<(i64, i64, String)> = targets
        .iter()
        .filter(|(_, _, _, closed)| !closed)
        .filter_map(|(c, p, id, _)| Some((*c, *p, texts.iter().find(|i| i.id == *id)?.text.clone())))
        .collect();
    let window = deadline_window(campaign.issued_on);
    let read = match input {
        ImportInput::Workbook(bytes) => {
            crate::export::render(move || {
                let titles: Vec<(i64, &str)> = titles.iter().map(|(p, t)| (*p, t.as_str())).collect();
                let items: Vec<ItemText<'_>> = items.iter().map(|(c, p, t)| (*c, *p, t.as_str())).collect();
                Ok(
                    crate::sheets::read_first_sheet(&bytes, checklist_import::COLUMNS, checklist_import::SHEET_ROWS)
                        .map(|rows| {
                            if checklist_import::is_checklist(&rows) {
                                return checklist_import::from_sheet(&rows, &titles, &items, window);
                            }
                            let cells = rows
                                .into_iter()
                                .take(import::MAX_ROWS + 1)
                                .map(|(n, mut cells)| {
                                    cells.resize(2, String::new());
                                    let b = cells.pop().unwrap_or_default();
                                    let a = cells.pop().unwrap_or_default();
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

/// Saves the rows the secretary kept: findings under their categories (or items), with the
/// measures and milestones an 附件2 gave them; nothing unless every kept row is right
/// (`Invalid`, field `rows`: the page shows each row's problem again from
/// domain::import::confirm). A finding under an item not yet answered answers it 存在问题; one
/// answered otherwise is refused. Returns how many findings were saved.
pub async fn import(db: &Db, user: &User, branch: BranchId, choices: &[Choice]) -> super::Result<usize> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let campaign = db::campaigns::by_id(&mut *tx, actor.campaign())
            .await?
            .ok_or(Stop::NotFound)?;
        let unit = db::units::branch(&db.read, user.scope(), branch)
            .await?
            .ok_or(Stop::NotFound)?;
        let (categories, items) = import_targets(db, user.scope(), actor.campaign(), &unit).await?;
        let (preview, chosen) = confirm_rows(&categories, &items, choices, &campaign);
        if let Some(why) = import::refusal(&preview, chosen.len()) {
            let mut e = FieldErrors::default();
            e.add("rows", why);
            return Err(Stop::Invalid(e));
        }
        editing(tx, actor).await?;
        for row in &chosen {
            let category = categories
                .iter()
                .find(|c| c.position == row.category)
                .map(|c| c.id)
                .ok_or(Stop::NotFound)?;
            let item = row
                .item
                .and_then(|p| items.iter().find(|(c, i, _, _)| *c == row.category && *i == p))
                .map(|(_, _, id, _)| *id);
            let source = match item {
                Some(id) => {
                    answer_problem(tx, actor, id).await?;
                    FindingSource::SelfCheck
                }
                None if row.measures.is_empty() => FindingSource::Imported,
                None => FindingSource::Extended,
            };
            let finding = db::findings::create(tx, actor, actor.campaign(), category, item, &row.text, source).await?;
            for m in &row.measures {
                save_measure(tx, actor, finding, m).await?;
            }
        }
        Ok(chosen.len())
    })
    .await
}

/// What an import places rows under: the campaign's categories, and the items the unit answers
/// as (category position, item position, id, answered 未发现问题 or 不适用).
async fn import_targets(
    db: &Db, scope: crate::auth::Scope, campaign: crate::domain::CampaignId, unit: &db::units::BranchRow,
) -> sqlx::Result<(Vec<db::ledger::CategoryRow>, Vec<(i64, i64, LedgerItemId, bool)>)> {
    let categories = db::ledger::categories(db, campaign).await?;
    let answers = db::ledger::self_checks(&db.read, scope, campaign, unit.id).await?;
    let items = db::ledger::items(db, campaign)
        .await?
        .into_iter()
        .filter(|i| i.level == unit.level)
        .filter_map(|i| {
            let c = categories.iter().find(|c| c.id == i.category_id)?;
            let closed = answers
                .iter()
                .any(|a| a.ledger_item_id == i.id && a.verdict != Verdict::Problem);
            Some((c.position, i.position, i.id, closed))
        })
        .collect();
    Ok((categories, items))
}

fn confirm_rows(
    categories: &[db::ledger::CategoryRow], items: &[(i64, i64, LedgerItemId, bool)], choices: &[Choice],
    campaign: &db::campaigns::Campaign,
) -> (Vec<ImportRow>, Vec<import::Chosen>) {
    let positions: Vec<i64> = categories.iter().map(|c| c.position).collect();
    let pairs: Vec<(i64, i64)> = items.iter().map(|(c, p, _, _)| (*c, *p)).collect();
    let closed: Vec<(i64, i64)> = items
        .iter()
        .filter(|(_, _, _, closed)| *closed)
        .map(|(c, p, _, _)| (*c, *p))
        .collect();
    import::confirm(
        choices,
        &positions,
        &pairs,
        &closed,
        deadline_window(campaign.issued_on),
    )
}

/// The rows of a refused confirmation, each with what is wrong with it (for showing them again).
pub async fn recheck_import(
    db: &Db, user: &User, branch: BranchId, choices: &[Choice],
) -> anyhow::Result<Vec<ImportRow>> {
    let Some(campaign) = db::campaigns::current(db).await? else {
        return Ok(Vec::new());
    };
    let Some(unit) = db::units::branch(&db.read, user.scope(), branch).await? else {
        return Ok(Vec::new());
    };
    let (categories, items) = import_targets(db, user.scope(), campaign.id, &unit).await?;
    Ok(confirm_rows(&categories, &items, choices, &campaign).0)
}

/// An item a finding comes in under: answered 存在问题 if not yet answered; refused if answered
/// otherwise (the unit said it found nothing there).
async fn answer_problem(tx: &mut sqlx::SqliteConnection, actor: Actor, item: LedgerItemId) -> Result<(), Stop> {
    match db::self_checks::get(tx, actor.branch(), item).await? {
        Some(a) if a.verdict == Verdict::Problem => Ok(()),
        Some(a) => {
            let mut e = FieldErrors::default();
            e.add(
                "rows",
                format!(
                    "有问题对应的条目已答“{}”：请在预览中改为其他条目或“不对应具体条目”，或先修改该条目的结论",
                    a.verdict.label()
                ),
            );
            Err(Stop::Invalid(e))
        }
        None => {
            let input = VerdictInput {
                verdict: Verdict::Problem,
                reason: String::new(),
            };
            db::self_checks::set(tx, actor, item, 0, &input)
                .await?
                .map_err(|_| Stop::Stale(super::STALE.into()))
        }
    }
}

/// A measure from an 附件2, as the unit's new plan: 未开始 (立行立改 done), its milestones with it.
async fn save_measure(
    tx: &mut sqlx::SqliteConnection, actor: Actor, finding: FindingId, m: &ImportedMeasure,
) -> Result<(), Stop> {
    let input = MeasureInput {
        text: m.text.clone(),
        deadline: m.deadline,
        owner: m.owner.clone(),
        status: if m.immediate {
            MeasureStatus::Done
        } else {
            MeasureStatus::NotStarted
        },
        immediate: m.immediate,
        long_term: m.long_term,
    };
    let id = db::measures::create(tx, actor, finding, &input).await?;
    let measure = super::measure(tx, actor, id).await?;
    for ms in &m.milestones {
        let input = MilestoneInput {
            title: ms.title.clone(),
            due_on: ms.due_on,
        };
        let added = db::schedule::add_milestone(tx, actor, &measure, &input).await?;
        if ms.done {
            // The list says only that it was done: by its date (or today, for a date still to
            // come), as far as anyone can tell.
            let row = db::schedule::milestone(tx, actor, added).await?.ok_or(Stop::NotFound)?;
            let on = ms.due_on.min(crate::domain::dates::today());
            db::schedule::set_milestone_done(tx, actor, &row, finding, row.version, Some(on))
                .await?
                .map_err(|_| Stop::Stale(super::STALE.into()))?;
        }
    }
    Ok(())
}
