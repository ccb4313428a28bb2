//! The 组织部's campus overview: every committee and branch with counts, and 五星级 eligibility
//! (结果运用) with the reasons, exportable as XLSX.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use std::collections::HashMap;

use super::views::{ElectionRow, Phase, flags_and_elections, phases};
use super::{CampaignParam, Nav};
use crate::AppState;
use crate::auth::RequireOverseer;
use crate::charts;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::overview::Campus;
use crate::db::progress::BranchProgress;
use crate::domain::dates::{self, format_date};
use crate::domain::eligibility::Judgement;
use crate::domain::hints::Flags;
use crate::domain::states::{LedgerState, ReportState};
use crate::domain::units::Level;
use crate::domain::{BranchId, CommitteeId};
use crate::error::{AppError, AppResult};
use crate::export::workbooks::{self, IneligibleRow, OverviewRow};

#[derive(Template, WebTemplate)]
#[template(path = "overseer/overview.html")]
pub struct OverviewPage {
    nav: Nav,
    campaign: Campaign,
    today: time::Date,
    /// Ranked campus-wide (a sort was asked for): the page's branch rows, in one table.
    ranked: Vec<(BranchProgress, Judgement)>,
    phases: Vec<Phase>,
    item_count: i64,
    /// Each committee's own 本级 ledger, which the 组织部 reviews.
    own_units: Vec<BranchProgress>,
    own_item_count: i64,
    /// The committees' own 延期申请, which the 组织部 decides.
    own_extensions: Vec<super::views::ExtensionWaiting>,
    totals: Totals,
    committees: Vec<CommitteeView>,
    /// The day eligibility is judged on (the results date, or today if earlier).
    judged_on: String,
    ineligible: Vec<Ineligible>,
    filter: Filter,
    /// Every committee, for the filter's choices.
    committee_names: Vec<(CommitteeId, String)>,
    states: &'static [LedgerState],
    charts: Vec<String>,
    /// The query string of the current filter, for the download link.
    query: String,
    page: usize,
    pages: usize,
    /// How many branches are ineligible in all (the page lists the first PAGE_ROWS).
    ineligible_total: usize,
    /// What the branches' data flags: contradicted answers, terms due (domain::hints).
    flags: HashMap<BranchId, Flags>,
    /// 按期换届提醒 campus-wide, the most overdue first (the page lists the first PAGE_ROWS).
    elections: Vec<ElectionRow>,
    elections_total: usize,
    term_warning_days: i64,
}

/// Branch rows per page of the overview.
const PAGE_ROWS: usize = 100;

impl OverviewPage {
    fn flag(&self, branch: &BranchId) -> Option<&Flags> {
        self.flags.get(branch).filter(|f| !f.is_empty())
    }

    /// The current filter's query with another page number.
    fn page_link(&self, n: usize) -> String {
        let kept: Vec<(String, String)> = super::form_urlencoded_pairs(self.query.trim_start_matches('?').as_bytes())
            .into_iter()
            .filter(|(k, _)| k != "page")
            .chain([("page".to_string(), n.to_string())])
            .collect();
        format!("/overview?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
    }
}

/// The dashboard's filters, from the query string; everything optional.
#[derive(Default, Clone)]
pub struct Filter {
    pub committee: Option<CommitteeId>,
    pub state: Option<LedgerState>,
    pub overdue_only: bool,
    pub ineligible_only: bool,
    /// "progress" (least first), "overdue" or "findings" (most first); else the 组织部's order.
    pub sort: String,
    /// 1-based page of branch rows.
    pub page: usize,
    /// Part of a branch's or a committee's name.
    pub search: String,
}

impl Filter {
    fn parse(query: Option<&str>) -> Filter {
        let q = |k| super::query_value(query, k).filter(|v| !v.is_empty());
        Filter {
            committee: q("committee").and_then(|v| v.parse().ok()).map(CommitteeId),
            state: q("state").and_then(|v| LedgerState::parse(&v)),
            overdue_only: q("overdue").is_some(),
            ineligible_only: q("ineligible").is_some(),
            sort: q("sort").unwrap_or_default(),
            page: q("page").and_then(|v| v.parse().ok()).unwrap_or(1),
            search: q("q").map(|v| v.trim().to_string()).unwrap_or_default(),
        }
    }

    fn keeps(&self, b: &BranchProgress, j: &Judgement) -> bool {
        self.committee.is_none_or(|c| c == b.committee_id)
            && self.state.is_none_or(|s| s == b.state())
            && (!self.overdue_only || b.measures_overdue > 0)
            && (!self.ineligible_only || !j.eligible)
            && self.names(&b.branch_name, &b.committee_name)
    }

    /// The search (if any) is part of the branch's or its committee's name.
    fn names(&self, branch: &str, committee: &str) -> bool {
        self.search.is_empty() || branch.contains(&self.search) || committee.contains(&self.search)
    }

    /// A sort was asked for: the branches are ranked campus-wide, in one table.
    fn ranks(&self) -> bool {
        matches!(self.sort.as_str(), "progress" | "overdue" | "findings")
    }

    fn order<T: std::borrow::Borrow<(BranchProgress, Judgement)>>(&self, rows: &mut [T]) {
        fn row<T: std::borrow::Borrow<(BranchProgress, Judgement)>>(r: &T) -> &BranchProgress {
            &r.borrow().0
        }
        match self.sort.as_str() {
            "progress" => rows.sort_by_key(|r| row(r).answered),
            "overdue" => rows.sort_by_key(|r| std::cmp::Reverse(row(r).measures_overdue)),
            "findings" => rows.sort_by_key(|r| std::cmp::Reverse(row(r).findings)),
            _ => {}
        }
    }

    fn is_state(&self, s: &LedgerState) -> bool {
        self.state == Some(*s)
    }

    fn is_committee(&self, c: &CommitteeId) -> bool {
        self.committee == Some(*c)
    }
}

#[derive(Default)]
pub struct Totals {
    pub branches: i64,
    pub started: i64,
    /// Waiting for the committee (已提交).
    pub submitted: i64,
    pub returned: i64,
    pub signed_off: i64,
    pub findings: i64,
    pub measures: i64,
    pub closed_out: i64,
    pub overdue: i64,
    /// Overdue against the original deadlines, and measures extended (see BranchProgress).
    pub overdue_original: i64,
    pub extended: i64,
    /// Closed off by the approved deadline, and by the original one (按期率).
    pub on_time: i64,
    pub on_time_original: i64,
    pub eligible: i64,
    /// Items answered (对账查摆) and 回头看 rebounds, summed.
    pub answered: i64,
    pub rebounds: i64,
}

impl Totals {
    /// 按期率: the share of closed-off measures closed by their deadline, against the approved
    /// and the original deadlines ("—" before anything is closed off).
    pub fn on_time_words(&self) -> (String, String) {
        let share = |n: i64| {
            if self.closed_out == 0 {
                "—".to_string()
            } else {
                format!("{:.0}%", n as f64 * 100.0 / self.closed_out as f64)
            }
        };
        (share(self.on_time), share(self.on_time_original))
    }
}

impl Totals {
    fn add(&mut self, b: &BranchProgress, eligible: bool) {
        let state = b.state();
        self.branches += 1;
        self.started += i64::from(state != LedgerState::NotStarted);
        self.submitted += i64::from(state == LedgerState::Submitted);
        self.returned += i64::from(state == LedgerState::Returned);
        self.signed_off += i64::from(state == LedgerState::SignedOff);
        self.findings += b.findings;
        self.measures += b.measures_total();
        self.closed_out += b.measures_closed_out;
        self.overdue += b.measures_overdue;
        self.overdue_original += b.measures_overdue_original;
        self.extended += b.measures_extended;
        self.on_time += b.closed_on_time;
        self.on_time_original += b.closed_on_time_original;
        self.eligible += i64::from(eligible);
        self.answered += b.answered;
        self.rebounds += b.rebounds;
    }

    /// The totals of `rows` (branches with their judgement).
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a (BranchProgress, Judgement)>) -> Totals {
        let mut t = Totals::default();
        for (b, j) in rows {
            t.add(b, j.eligible);
        }
        t
    }
}

pub struct CommitteeView {
    pub id: CommitteeId,
    pub name: String,
    pub totals: Totals,
    pub branches: Vec<(BranchProgress, Judgement)>,
    /// 附件3: 未开始 / 草稿 / 已签字.
    pub report: Option<ReportState>,
    /// 报送: 未报送 / 已报送 / 逾期报送 / 纸质件已收 / 已退回.
    pub delivery: crate::domain::delivery::Standing,
    /// Findings per ledger category (by position), of the committee's branches.
    pub per_category: Vec<(i64, i64)>,
}

/// A branch that loses 五星级 eligibility, and why.
pub struct Ineligible {
    pub committee: String,
    pub branch_id: crate::domain::BranchId,
    pub branch: String,
    pub state: LedgerState,
    pub overdue: i64,
    pub rebounds: i64,
    pub reasons: Vec<String>,
}

fn ineligible<'a>(rows: impl IntoIterator<Item = &'a (BranchProgress, Judgement)>) -> Vec<Ineligible> {
    rows.into_iter()
        .filter(|(_, j)| !j.eligible)
        .map(|(b, j)| Ineligible {
            committee: b.committee_name.clone(),
            branch_id: b.branch_id,
            branch: b.branch_name.clone(),
            state: b.state(),
            overdue: b.overdue_at_judgement,
            rebounds: b.rebounds,
            reasons: j.reasons.clone(),
        })
        .collect()
}

/// The campaign asked for and the campus as the 组织部 sees it (the overview, the statistics and
/// the results all start from it).
pub(super) async fn campus(
    state: &AppState, user: &crate::auth::CurrentUser, asked: CampaignParam,
) -> AppResult<(Campaign, std::sync::Arc<Campus>)> {
    let campaign = db::campaigns::resolve(&state.db, asked.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let campus = db::overview::campus(&state.db, user.scope(), &campaign)
        .await?
        .ok_or(AppError::Forbidden)?;
    Ok((campaign, campus))
}

pub async fn show(
    State(state): State<AppState>, RequireOverseer(user): RequireOverseer, asked: CampaignParam,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> AppResult<OverviewPage> {
    let (campaign, campus) = campus(&state, &user, asked).await?;
    // The campus is shared: work on references to its rows, and clone only what the page shows.
    let filter = Filter::parse(query.as_deref());
    let shown: Vec<&(BranchProgress, Judgement)> = campus.rows.iter().filter(|(b, j)| filter.keeps(b, j)).collect();
    let ineligible_total = shown.iter().filter(|(_, j)| !j.eligible).count();
    let ineligible = ineligible(shown.iter().copied().filter(|(_, j)| !j.eligible).take(PAGE_ROWS));

    let mut totals = Totals::default();
    let mut views: Vec<(CommitteeView, Vec<&(BranchProgress, Judgement)>)> = campus
        .committees
        .iter()
        .filter(|c| filter.committee.is_none_or(|f| f == c.id))
        .map(|c| {
            let view = CommitteeView {
                id: c.id,
                name: c.name.clone(),
                totals: Totals::default(),
                branches: Vec::new(),
                report: campus.reports.iter().find(|(id, _)| *id == c.id).map(|(_, s)| *s),
                delivery: campus.delivery_of(c.id),
                per_category: Vec::new(),
            };
            (view, Vec::new())
        })
        .collect();
    for row in &campus.rows {
        let (b, j) = row;
        totals.add(b, j.eligible);
        if !filter.keeps(b, j) {
            continue;
        }
        if let Some((c, branches)) = views.iter_mut().find(|(c, _)| c.id == b.committee_id) {
            c.totals.add(b, j.eligible);
            branches.push(row);
        }
    }
    // Ranked campus-wide: one table of every branch kept, the committees keep their totals.
    let mut ranked: Vec<&(BranchProgress, Judgement)> = Vec::new();
    if filter.ranks() {
        for (_, branches) in &mut views {
            ranked.append(branches);
        }
        filter.order(&mut ranked);
    }
    for (_, branches) in &mut views {
        filter.order(branches);
    }
    // A campus of a thousand branches is shown a page at a time: committee totals stay whole,
    // the branch rows of the page are kept, committees without rows on it are left out.
    let shown_rows: usize = views.iter().map(|(_, b)| b.len()).sum::<usize>() + ranked.len();
    let pages = shown_rows.div_ceil(PAGE_ROWS).max(1);
    let page = filter.page.clamp(1, pages);
    let mut skip = (page - 1) * PAGE_ROWS;
    let mut room = PAGE_ROWS;
    let ranked: Vec<(BranchProgress, Judgement)> = ranked.into_iter().skip(skip).take(room).cloned().collect();
    let views: Vec<CommitteeView> = views
        .into_iter()
        .filter_map(|(mut c, branches)| {
            let take_from = skip.min(branches.len());
            skip -= take_from;
            c.branches = branches.into_iter().skip(take_from).take(room).cloned().collect();
            room -= c.branches.len();
            if c.branches.is_empty() && shown_rows > 0 && !filter.ranks() {
                return None;
            }
            c.per_category = campus.per_committee_category.get(&c.id).cloned().unwrap_or_default();
            Some(c)
        })
        .collect();
    let checked = db::profiles::checked(&state.db, user.scope(), campaign.id).await?;
    let all: Vec<&BranchProgress> = campus.rows.iter().map(|(b, _)| b).collect();
    let (flags, mut elections) = flags_and_elections(&checked, &all, dates::today(), &state.config.hints);
    elections.retain(|e| {
        filter.committee.is_none_or(|c| c == e.committee_id) && filter.names(&e.branch_name, &e.committee_name)
    });
    let elections_total = elections.len();
    elections.truncate(PAGE_ROWS);
    Ok(OverviewPage {
        today: dates::today(),
        page,
        pages,
        ineligible_total,
        flags,
        elections,
        elections_total,
        term_warning_days: state.config.hints.term_warning_days,
        nav: Nav::for_user(&user, "/overview"),
        phases: phases(&campaign, dates::today()),
        item_count: campus.item_count,
        own_units: campus.own_units.clone(),
        own_item_count: campus.own_item_count,
        own_extensions: db::schedule::waiting(&state.db.read, user.scope(), campaign.id, Level::Committee)
            .await?
            .into_iter()
            .map(super::views::ExtensionWaiting::from)
            .collect(),
        totals,
        committees: views,
        ranked,
        judged_on: format_date(campus.judged_on),
        ineligible,
        committee_names: campus.committees.iter().map(|c| (c.id, c.name.clone())).collect(),
        states: LedgerState::ALL,
        charts: campus.drawn.get_or_init(|| charts(&campus)).clone(),
        query: query.map(|q| format!("?{q}")).unwrap_or_default(),
        filter,
        campaign,
    })
}

/// Progress per committee, findings per category, overdue over time.
fn charts(campus: &Campus) -> Vec<String> {
    let progress: Vec<(String, f64, String)> = campus
        .committees
        .iter()
        .zip(&campus.answered_share)
        .map(|(c, (_, share))| {
            let pct = share * 100.0;
            (c.name.clone(), pct, format!("{pct:.0}%"))
        })
        .collect();
    let max_findings = campus.per_category.iter().map(|(_, _, n)| *n).max().unwrap_or(0) as f64;
    let findings: Vec<(String, f64, String)> = campus
        .per_category
        .iter()
        .map(|(pos, title, n)| (format!("{pos}. {title}"), *n as f64, format!("{n} 条")))
        .collect();
    let points: Vec<(String, i64)> = campus
        .days
        .iter()
        .zip(&campus.overdue)
        .map(|(d, n)| (format_date(*d), *n))
        .collect();
    vec![
        charts::bars("各党总支（党委）对账查摆进度", &progress, 100.0, "#b3261e"),
        charts::bars("各类别查摆问题数", &findings, max_findings, "#0550ae"),
        charts::line("逾期未销号措施数（随时间）", &points, "#cf222e"),
    ]
}

/// The dashboard table (with the same filters) as XLSX.
pub async fn overview_xlsx(
    State(state): State<AppState>, RequireOverseer(user): RequireOverseer, asked: CampaignParam,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> AppResult<Response> {
    let (campaign, campus) = campus(&state, &user, asked).await?;
    let today = dates::today();
    let filter = Filter::parse(query.as_deref());
    let mut rows: Vec<&(BranchProgress, Judgement)> = campus.rows.iter().filter(|(b, j)| filter.keeps(b, j)).collect();
    filter.order(&mut rows);
    let rows: Vec<OverviewRow> = rows
        .into_iter()
        .map(|(b, j)| OverviewRow {
            committee: b.committee_name.clone(),
            branch: b.branch_name.clone(),
            state: b.state().label(),
            answered: format!("{}/{}", b.answered, campus.item_count),
            counts: [
                b.findings,
                b.measures_not_started,
                b.measures_in_progress,
                b.measures_done,
                b.measures_closed_out,
                b.measures_overdue,
            ],
            eligible: j.eligible,
            reasons: j.reasons.join("；"),
            report: campus
                .reports
                .iter()
                .find(|(c, _)| *c == b.committee_id)
                .map_or("未开始", |(_, r)| r.label()),
            delivery: campus.delivery_of(b.committee_id).label(),
            handed_in: match b.hand_in(&campaign.self_check_due, &today) {
                (on, false) => on,
                (on, true) if on.is_empty() => "未提交（迟交）".into(),
                (on, true) => format!("{on}（迟交）"),
            },
        })
        .collect();
    let title = format!(
        "{} 全校总览（五星级资格截至 {}）",
        campaign.title,
        format_date(campus.judged_on)
    );
    let file = (format!("全校总览-{}.xlsx", campaign.title), "overview");
    offer(title, file, &campaign, rows, workbooks::overview).await
}

/// Builds a workbook of `rows` under `title` (off the async runtime) and offers it as `file`:
/// its Chinese name and the stem of its ASCII fallback name, which gets the campaign's year.
async fn offer<R: Send + 'static>(
    title: String, file: (String, &str), campaign: &Campaign, rows: Vec<R>,
    build: fn(&str, &[R]) -> anyhow::Result<Vec<u8>>,
) -> AppResult<Response> {
    let bytes = crate::export::render(move || build(&title, &rows)).await?;
    let ascii = format!("{}-{}.xlsx", file.1, campaign.issued_on.year());
    Ok(super::named_download(super::XLSX, &file.0, &ascii, bytes))
}

/// 不具备五星级资格的党支部, as XLSX, for the 评星定级 meeting.
pub async fn ineligible_xlsx(
    State(state): State<AppState>, RequireOverseer(user): RequireOverseer, asked: CampaignParam,
) -> AppResult<Response> {
    let (campaign, campus) = campus(&state, &user, asked).await?;
    let rows: Vec<IneligibleRow> = ineligible(&campus.rows)
        .into_iter()
        .map(|b| IneligibleRow {
            committee: b.committee,
            branch: b.branch,
            state: b.state.label(),
            overdue: b.overdue,
            rebounds: b.rebounds,
            reasons: b.reasons.join("；"),
        })
        .collect();
    let title = format!(
        "{} 不具备五星级党支部评选资格的党支部（截至 {}）",
        campaign.title,
        format_date(campus.judged_on)
    );
    let file = (
        format!("五星级资格-{}-不具备资格的党支部.xlsx", campaign.title),
        "ineligible",
    );
    offer(title, file, &campaign, rows, workbooks::ineligible).await
}

#[cfg(test)]
mod tests {
    use super::Totals;

    #[test]
    fn the_on_time_rate_is_of_closed_off_measures_against_either_deadline() {
        let none = Totals::default();
        assert_eq!(none.on_time_words(), ("—".to_string(), "—".to_string()));
        let t = Totals {
            closed_out: 4,
            on_time: 3,
            on_time_original: 2,
            ..Totals::default()
        };
        assert_eq!(t.on_time_words(), ("75%".to_string(), "50%".to_string()));
    }
}
