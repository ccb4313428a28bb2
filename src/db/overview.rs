//! The 组织部's campus overview as data: every branch's progress with its 五星级 judgement, and
//! the sums the charts draw. Summing a campus's answers, findings and measures takes a few
//! hundred milliseconds at 1,000 branches, so the result is a memo (see [`super::memo`]) like
//! the others; when a write has moved the generation, it is not read whole again but patched:
//! only the branches whose own rows changed since (the change counters of migration 000009)
//! are read again, and everything when units, campaigns or the ledger changed.

use std::collections::HashMap;
use std::sync::Arc;

use time::Date;

use super::Db;
use super::campaigns::Campaign;
use super::progress::{self, BranchProgress, DeadlineGroup};
use super::units::CommitteeRow;
use crate::auth::Scope;
use crate::domain::dates;
use crate::domain::eligibility::{self, Facts, Judgement};
use crate::domain::progress::DeadlineBasis;
use crate::domain::states::ReportState;
use crate::domain::units::Level;
use crate::domain::{BranchId, CampaignId, CommitteeId};

/// What the overview shows of a campaign, before filtering and paging.
#[derive(Debug)]
pub struct Campus {
    /// The change counters read before the data (see [`progress::change_counters`]).
    seq: i64,
    structure: i64,
    /// The day eligibility is judged on (the results date, or today if earlier).
    pub judged_on: Date,
    pub committees: Vec<CommitteeRow>,
    /// Every active branch in the 组织部's order, with its judgement.
    pub rows: Vec<(BranchProgress, Judgement)>,
    pub item_count: i64,
    /// Each committee's own 本级 ledger (which the 组织部 reviews), and how many items it has.
    pub own_units: Vec<BranchProgress>,
    pub own_item_count: i64,
    /// Committees with a saved 附件3 and its state.
    pub reports: Vec<(CommitteeId, ReportState)>,
    /// Each committee's 报送 as it stands (committees that have not handed in are absent).
    pub deliveries: Vec<(CommitteeId, crate::domain::delivery::Standing)>,
    /// Findings per ledger category (position, count) of each committee's branches.
    pub per_committee_category: HashMap<CommitteeId, Vec<(i64, i64)>>,
    /// Findings per ledger category of the campus: (position, title, count).
    pub per_category: Vec<(i64, String, i64)>,
    /// Each committee's 对账查摆 progress: items answered by its branches of all they have.
    pub answered_share: Vec<(CommitteeId, f64)>,
    /// The days the overdue chart samples, and the campus's overdue measures on each.
    pub days: Vec<Date>,
    pub overdue: Vec<i64>,
    /// Per branch (active or not): findings per category and the overdue count on each day;
    /// kept so that a patch sums them again without reading every branch.
    per_branch_category: HashMap<BranchId, Vec<(i64, i64)>>,
    per_branch_overdue: HashMap<BranchId, Vec<i64>>,
    /// What the page draws from exactly this data (its charts), made on the first view and
    /// gone with it: a fragment cache that the memo's invalidation covers.
    pub drawn: std::sync::OnceLock<Vec<String>>,
}

impl Campus {
    /// How the committee's 报送 stands.
    pub fn delivery_of(&self, committee: CommitteeId) -> crate::domain::delivery::Standing {
        self.deliveries
            .iter()
            .find(|(c, _)| *c == committee)
            .map_or(crate::domain::delivery::Standing::NotDelivered, |(_, s)| *s)
    }
}

/// The overview of `campaign` today, for the 组织部 (`None` for any narrower scope: its sums are
/// the campus's).
pub async fn campus(db: &Db, scope: Scope, campaign: &Campaign) -> sqlx::Result<Option<Arc<Campus>>> {
    if !scope.is_campus() {
        return Ok(None);
    }
    let today = dates::today();
    db.memos
        .campus
        .get_or_refresh(db, (scope, campaign.id, today), async |last| {
            let (seq, structure) = progress::change_counters(&db.read).await?;
            let parts = match last {
                Some(last) if last.structure == structure => patch(db, scope, campaign, &last, today).await?,
                _ => None,
            };
            let parts = match parts {
                Some(parts) => parts,
                None => read_all(db, scope, campaign, today).await?,
            };
            assemble(db, scope, campaign.id, seq, structure, parts).await
        })
        .await
        .map(Some)
}

/// The per-branch parts, read for the whole campus or patched branch by branch.
struct BranchParts {
    judged_on: Date,
    rows: Vec<(BranchProgress, Judgement)>,
    per_branch_category: HashMap<BranchId, Vec<(i64, i64)>>,
    days: Vec<Date>,
    per_branch_overdue: HashMap<BranchId, Vec<i64>>,
}

async fn read_all(db: &Db, scope: Scope, campaign: &Campaign, today: Date) -> sqlx::Result<BranchParts> {
    let judged_on = eligibility::as_of(campaign.results_due, today);
    let rows = progress::branches_judged(&db.read, scope, campaign.id, today, judged_on).await?;
    let mut per_branch_category: HashMap<BranchId, Vec<(i64, i64)>> = HashMap::new();
    for (branch, position, n) in progress::findings_per_branch_category(&db.read, campaign.id, None).await? {
        per_branch_category.entry(branch).or_default().push((position, n));
    }
    let days = dates::sample_days(campaign.issued_on, today, 24);
    let groups = progress::deadline_groups(&db.read, campaign.id, None).await?;
    Ok(BranchParts {
        judged_on,
        rows: rows
            .into_iter()
            .map(|r| judge(r, judged_on, campaign.eligibility_deadline))
            .collect(),
        per_branch_category,
        per_branch_overdue: overdue_per_branch(groups, &days),
        days,
    })
}

/// The last overview's per-branch parts with the branches changed since read again; `None`
/// when that cannot be done exactly (a branch appeared), and everything must be read.
async fn patch(
    db: &Db, scope: Scope, campaign: &Campaign, last: &Campus, today: Date,
) -> sqlx::Result<Option<BranchParts>> {
    let judged_on = eligibility::as_of(campaign.results_due, today);
    let mut parts = BranchParts {
        judged_on,
        rows: last.rows.clone(),
        per_branch_category: last.per_branch_category.clone(),
        days: last.days.clone(),
        per_branch_overdue: last.per_branch_overdue.clone(),
    };
    for branch in progress::branches_changed_since(&db.read, last.seq).await? {
        let Some(one) = scope.within_branch(branch) else {
            return Ok(None);
        };
        let row = progress::branches_judged(&db.read, one, campaign.id, today, judged_on)
            .await?
            .pop();
        match (parts.rows.iter().position(|(r, _)| r.branch_id == branch), row) {
            (Some(i), Some(row)) => parts.rows[i] = judge(row, judged_on, campaign.eligibility_deadline),
            (Some(i), None) => {
                parts.rows.remove(i);
            }
            (None, None) => {}
            (None, Some(_)) => return Ok(None),
        }
        let categories = progress::findings_per_branch_category(&db.read, campaign.id, Some(branch)).await?;
        parts
            .per_branch_category
            .insert(branch, categories.into_iter().map(|(_, p, n)| (p, n)).collect());
        let groups = progress::deadline_groups(&db.read, campaign.id, Some(branch)).await?;
        let series = overdue_per_branch(groups, &parts.days)
            .remove(&branch)
            .unwrap_or_default();
        parts.per_branch_overdue.insert(branch, series);
    }
    Ok(Some(parts))
}

/// The overview from its per-branch parts and the few rows every branch shares (read afresh).
async fn assemble(
    db: &Db, scope: Scope, campaign: CampaignId, seq: i64, structure: i64, parts: BranchParts,
) -> sqlx::Result<Campus> {
    let committees = super::units::committees(&db.read, scope).await?;
    let item_count = super::ledger::item_count(db, campaign, Level::Branch).await?;
    let own_units = progress::own_units(&db.read, scope, campaign, dates::today()).await?;
    let own_item_count = super::ledger::item_count(db, campaign, Level::Committee).await?;
    let reports = progress::report_states(&db.read, campaign).await?;
    let due = super::campaigns::by_id(&db.read, campaign).await?.map(|c| c.report_due);
    let deliveries = super::deliveries::latest_campus(&db.read, campaign)
        .await?
        .into_iter()
        .filter_map(|d| due.map(|due| (d.committee_id, d.standing(due))))
        .collect();
    let categories = super::ledger::categories(db, campaign).await?;
    let mut per_committee_category: HashMap<CommitteeId, Vec<(i64, i64)>> = HashMap::new();
    for (row, _) in &parts.rows {
        let sums = per_committee_category.entry(row.committee_id).or_default();
        for &(position, n) in parts.per_branch_category.get(&row.branch_id).into_iter().flatten() {
            match sums.iter_mut().find(|(p, _)| *p == position) {
                Some((_, total)) => *total += n,
                None => sums.push((position, n)),
            }
        }
    }
    for sums in per_committee_category.values_mut() {
        sums.sort();
    }
    let per_category = categories
        .iter()
        .map(|c| {
            let n = parts
                .per_branch_category
                .values()
                .flatten()
                .filter(|(p, _)| *p == c.position)
                .map(|(_, n)| n)
                .sum();
            (c.position, c.title.clone(), n)
        })
        .collect();
    let answered_share = committees
        .iter()
        .map(|c| {
            let (branches, answered) = parts
                .rows
                .iter()
                .filter(|(r, _)| r.committee_id == c.id)
                .fold((0, 0), |(n, a), (r, _)| (n + 1, a + r.answered));
            (c.id, answered as f64 / (branches * item_count).max(1) as f64)
        })
        .collect();
    let mut overdue = vec![0; parts.days.len()];
    for series in parts.per_branch_overdue.values() {
        for (total, n) in overdue.iter_mut().zip(series) {
            *total += n;
        }
    }
    Ok(Campus {
        seq,
        structure,
        judged_on: parts.judged_on,
        committees,
        rows: parts.rows,
        item_count,
        own_units,
        own_item_count,
        reports,
        deliveries,
        per_committee_category,
        per_category,
        answered_share,
        days: parts.days,
        overdue,
        per_branch_category: parts.per_branch_category,
        per_branch_overdue: parts.per_branch_overdue,
        drawn: Default::default(),
    })
}

/// Each branch's overdue count on each sample day.
fn overdue_per_branch(groups: Vec<DeadlineGroup>, days: &[Date]) -> HashMap<BranchId, Vec<i64>> {
    let mut by_branch: HashMap<BranchId, Vec<(Date, Option<Date>, i64)>> = HashMap::new();
    for DeadlineGroup(branch, deadline, closed_on, measures) in groups {
        by_branch
            .entry(branch)
            .or_default()
            .push((deadline, closed_on, measures));
    }
    by_branch
        .into_iter()
        .map(|(branch, measures)| (branch, dates::overdue_series(&measures, days)))
        .collect()
}

/// A branch's row with its 五星级 judgement on `on`.
pub fn judge(row: BranchProgress, on: Date, basis: DeadlineBasis) -> (BranchProgress, Judgement) {
    let facts = Facts {
        basis,
        extended: row.measures_extended as usize,
        ledger: row.state(),
        overdue: row.overdue_at_judgement as usize,
        example: None,
        rebounds: row.rebounds as usize,
        inspection_open: row.inspection_open as usize,
    };
    let j = eligibility::judge(&facts, on);
    (row, j)
}
