//! A branch's ledger page: the 25 items by category, with the branch's answers so far.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use time::Date;

use super::{CampaignParam, Nav, Path};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::ledger::{CategoryRow, FindingRow, ItemRow, MeasureRow, SelfCheckRow};
use crate::db::units::BranchRow;
use crate::domain::dates::{self, days_left_label, format_date, is_overdue};
use crate::domain::ledger::{item_label, split_examples};
use crate::domain::states::{LedgerState, MeasureStatus, ReviewState, Verdict};
use crate::domain::{BranchId, CategoryId, FindingId, LedgerItemId};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/ledger.html")]
pub struct LedgerPage {
    nav: Nav,
    branch: BranchRow,
    campaign: Campaign,
    state: LedgerState,
    phases: Vec<Phase>,
    answered: usize,
    item_count: usize,
    categories: Vec<CategoryView>,
}

/// One phase deadline in the banner.
pub struct Phase {
    pub name: &'static str,
    pub due: String,
    pub left: String,
    pub passed: bool,
}

pub struct CategoryView {
    pub position: i64,
    pub title: String,
    pub items: Vec<ItemView>,
    /// 延伸自查: findings under this category outside its items.
    pub extended: Vec<FindingView>,
}

pub struct ItemView {
    pub label: String,
    pub statement: String,
    pub examples: Option<String>,
    pub verdict: Option<Verdict>,
    pub reason: String,
    pub findings: Vec<FindingView>,
}

pub struct FindingView {
    pub position: i64,
    pub text: String,
    pub review: ReviewState,
    pub review_comment: String,
    pub measures: Vec<MeasureView>,
}

pub struct MeasureView {
    pub position: i64,
    pub text: String,
    pub deadline: String,
    pub owner: String,
    pub status: MeasureStatus,
    pub immediate: bool,
    pub overdue: bool,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CampaignParam(asked): CampaignParam,
) -> AppResult<LedgerPage> {
    let db = &state.db.read;
    let branch = db::units::branch(db, user.scope, BranchId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::resolve(db, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    let categories = db::ledger::categories(db, campaign.id).await?;
    let items = db::ledger::items(db, campaign.id).await?;
    let checks = db::ledger::self_checks(db, user.scope, campaign.id, branch.id).await?;
    let findings = db::ledger::findings(db, user.scope, campaign.id, branch.id).await?;
    let measures = db::ledger::measures(db, user.scope, campaign.id, branch.id).await?;
    let state = db::ledger::ledger_state(db, user.scope, campaign.id, branch.id).await?;
    let today = dates::today();

    Ok(LedgerPage {
        nav: Nav::for_user(&user, &format!("/branches/{}", branch.id)),
        phases: phases(&campaign, today),
        answered: checks.len(),
        item_count: items.len(),
        categories: group(categories, items, checks, findings, measures, today),
        branch,
        campaign,
        state,
    })
}

pub fn phases(c: &Campaign, today: Date) -> Vec<Phase> {
    [
        ("对账查摆", c.self_check_due),
        ("党总支报送", c.report_due),
        ("立项整改", c.rectify_due),
    ]
    .into_iter()
    .map(|(name, due)| Phase {
        name,
        due: format_date(due),
        left: days_left_label(due, today),
        passed: due < today,
    })
    .collect()
}

/// Arranges the flat rows as the page reads: category → item → finding → measure, with
/// 延伸自查 findings (no item) at the end of their category.
fn group(
    categories: Vec<CategoryRow>,
    items: Vec<ItemRow>,
    checks: Vec<SelfCheckRow>,
    findings: Vec<FindingRow>,
    measures: Vec<MeasureRow>,
    today: Date,
) -> Vec<CategoryView> {
    let mut measures_of: HashMap<FindingId, Vec<MeasureView>> = HashMap::new();
    for m in measures {
        let status = MeasureStatus::parse(&m.status).unwrap_or(MeasureStatus::NotStarted);
        measures_of
            .entry(m.finding_id)
            .or_default()
            .push(MeasureView {
                position: m.position,
                overdue: is_overdue(m.deadline, status, today),
                deadline: m.deadline.map(format_date).unwrap_or_default(),
                text: m.text,
                owner: m.owner,
                status,
                immediate: m.immediate,
            });
    }
    let mut by_item: HashMap<LedgerItemId, Vec<FindingView>> = HashMap::new();
    let mut extended: HashMap<CategoryId, Vec<FindingView>> = HashMap::new();
    for f in findings {
        let view = FindingView {
            position: f.position,
            review: ReviewState::parse(&f.review_state).unwrap_or(ReviewState::Pending),
            review_comment: f.review_comment,
            measures: measures_of.remove(&f.id).unwrap_or_default(),
            text: f.text,
        };
        match f.ledger_item_id {
            Some(item) => by_item.entry(item).or_default().push(view),
            None => extended.entry(f.category_id).or_default().push(view),
        }
    }
    let checks: HashMap<LedgerItemId, SelfCheckRow> =
        checks.into_iter().map(|c| (c.ledger_item_id, c)).collect();

    categories
        .into_iter()
        .map(|c| CategoryView {
            position: c.position,
            items: items
                .iter()
                .filter(|i| i.category_id == c.id)
                .map(|i| {
                    let (statement, examples) = split_examples(&i.text);
                    let check = checks.get(&i.id);
                    ItemView {
                        label: item_label(i.position),
                        statement: statement.to_string(),
                        examples: examples.map(str::to_string),
                        verdict: check.and_then(|c| Verdict::parse(&c.verdict)),
                        reason: check.map(|c| c.reason.clone()).unwrap_or_default(),
                        findings: by_item.remove(&i.id).unwrap_or_default(),
                    }
                })
                .collect(),
            extended: extended.remove(&c.id).unwrap_or_default(),
            title: c.title,
        })
        .collect()
}
