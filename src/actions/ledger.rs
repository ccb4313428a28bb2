//! The branch's own steps on its ledger: answering an item (对账查摆) and submitting.

use std::collections::HashMap;

use serde::Deserialize;

use super::{Stop, answered_item, branch_step, checked, editing};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::input::{FieldErrors, VerdictInput};
use crate::domain::ledger::item_label;
use crate::domain::notify::Event;
use crate::domain::states::Verdict;
use crate::domain::submission::{self, FindingPlan, ItemAnswer};
use crate::domain::units::Part;
use crate::domain::{BranchId, CategoryId, LedgerItemId};

/// The answer to one item, as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Answer {
    pub verdict: String,
    pub reason: String,
    /// The version the user saw (0: unanswered).
    pub version: i64,
}

/// 对账查摆: saves the answer to one item. An item with findings keeps 存在问题 until they go.
pub async fn answer(db: &Db, user: &User, branch: BranchId, item: LedgerItemId, form: &Answer) -> super::Result<()> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        let input = checked(VerdictInput::parse(&form.verdict, &form.reason))?;
        editing(tx, actor).await?;
        answered_item(tx, actor, item).await?;
        if input.verdict != Verdict::Problem {
            let n = db::findings::count_under_item(tx, actor.branch(), item).await?;
            if n > 0 {
                let mut e = FieldErrors::default();
                e.add(
                    "verdict",
                    format!("此项下还有 {n} 条查摆问题；如确无问题，请先删除这些查摆问题，再修改结论"),
                );
                return Err(Stop::Invalid(e));
            }
        }
        db::self_checks::set(tx, actor, item, form.version, &input)
            .await?
            .map_err(|_| Stop::Stale(super::STALE.into()))
    })
    .await
}

/// 提交审核: the submission gate on the branch's saved rows, then the ledger goes to the
/// committee (rows it had returned go back to 待审核).
pub async fn submit(db: &Db, user: &User, branch: BranchId) -> super::Result<()> {
    branch_step(db, user, branch, Part::Own, async |tx, actor| {
        editing(tx, actor).await?;
        let missing = gate(db, user, actor).await?;
        if !missing.is_empty() {
            return Err(Stop::Incomplete(missing));
        }
        db::ledger::submit(tx, actor, actor.campaign()).await?;
        let unit = db::notify::unit_name(tx, actor.branch()).await?;
        let event = Event::LedgerSubmitted {
            branch: actor.branch(),
            unit: &unit,
        };
        super::tell(tx, db, event).await
    })
    .await
}

/// What the submission gate finds missing, from the branch's saved rows. (Read through the read
/// pool while the write transaction waits: the branch's rows change only through this one
/// write connection, and the transaction has changed nothing but the ledger's state yet.)
async fn gate(db: &Db, user: &User, actor: db::audit::Actor) -> Result<Vec<submission::Missing>, Stop> {
    let (campaign, branch) = (actor.campaign(), actor.branch());
    let scope = user.scope();
    let categories = db::ledger::categories(db, campaign).await?;
    let items: Vec<_> = db::ledger::items(db, campaign)
        .await?
        .into_iter()
        .filter(|i| i.level == actor.level())
        .collect();
    let checks = db::ledger::self_checks(&db.read, scope, campaign, branch).await?;
    let findings = db::ledger::findings(&db.read, scope, campaign, branch).await?;
    let measures = db::ledger::measures(&db.read, scope, campaign, branch).await?;
    let position_of: HashMap<CategoryId, i64> = categories.iter().map(|c| (c.id, c.position)).collect();
    let codes: Vec<String> = items
        .iter()
        .map(|i| format!("{}{}", position_of[&i.category_id], item_label(i.position)))
        .collect();
    let anchors: Vec<String> = items.iter().map(|i| format!("#item-{}", i.id)).collect();
    let answers: Vec<ItemAnswer<'_>> = items
        .iter()
        .zip(codes.iter().zip(&anchors))
        .map(|(i, (code, href))| ItemAnswer {
            label: code,
            href,
            verdict: checks.iter().find(|c| c.ledger_item_id == i.id).map(|c| c.verdict),
            findings: findings.iter().filter(|f| f.ledger_item_id == Some(i.id)).count(),
        })
        .collect();
    let quotes: Vec<String> = findings.iter().map(|f| submission::quote(&f.text)).collect();
    let pages: Vec<String> = findings
        .iter()
        .map(|f| format!("/branches/{branch}/findings/{}", f.id))
        .collect();
    let plans: Vec<FindingPlan<'_>> = findings
        .iter()
        .zip(quotes.iter().zip(&pages))
        .map(|(f, (q, href))| {
            let of_finding = measures.iter().filter(|m| m.finding_id == f.id);
            FindingPlan {
                label: q,
                href,
                measures: of_finding.clone().count(),
                complete_measures: of_finding
                    .filter(|m| submission::is_complete(m.deadline, &m.owner))
                    .count(),
            }
        })
        .collect();
    let meeting = match actor.level() {
        crate::domain::units::Level::Branch => {
            Some(db::meetings::get(&db.read, scope, campaign, branch).await?.is_some())
        }
        crate::domain::units::Level::Committee => None,
    };
    Ok(submission::missing(&answers, &plans, meeting))
}
