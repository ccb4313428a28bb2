//! The 组织部's campus overview: every committee and branch with counts, and 五星级 eligibility
//! (结果运用) with the reasons, exportable as XLSX.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use super::branch::{Phase, phases};
use super::committee::ProgressView;
use super::{CampaignParam, Nav};
use crate::AppState;
use crate::auth::RequireOverseer;
use crate::charts;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::domain::dates::{self, format_date};
use crate::domain::eligibility::{self, Facts, Judgement};
use crate::domain::states::{LedgerState, ReportState};
use crate::domain::{BranchId, CampaignId, CommitteeId, Scope};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "overseer/overview.html")]
pub struct OverviewPage {
    nav: Nav,
    campaign: Campaign,
    phases: Vec<Phase>,
    item_count: i64,
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
}

/// Branch rows per page of the overview.
const PAGE_ROWS: usize = 100;

impl OverviewPage {
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
        }
    }

    fn keeps(&self, v: &ProgressView, j: &Judgement) -> bool {
        self.committee.is_none_or(|c| c == v.row.committee_id)
            && self.state.is_none_or(|s| s == v.state)
            && (!self.overdue_only || v.row.measures_overdue > 0)
            && (!self.ineligible_only || !j.eligible)
    }

    fn order<T: std::borrow::Borrow<(ProgressView, Judgement)>>(&self, rows: &mut [T]) {
        fn row<T: std::borrow::Borrow<(ProgressView, Judgement)>>(r: &T) -> &db::progress::BranchProgress {
            &r.borrow().0.row
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
    pub eligible: i64,
}

impl Totals {
    fn add(&mut self, b: &ProgressView, eligible: bool) {
        self.branches += 1;
        self.started += i64::from(b.state != LedgerState::NotStarted);
        self.submitted += i64::from(b.state == LedgerState::Submitted);
        self.returned += i64::from(b.state == LedgerState::Returned);
        self.signed_off += i64::from(b.state == LedgerState::SignedOff);
        self.findings += b.row.findings;
        self.measures += b.measures_total;
        self.closed_out += b.row.measures_closed_out;
        self.overdue += b.row.measures_overdue;
        self.eligible += i64::from(eligible);
    }
}

pub struct CommitteeView {
    pub id: CommitteeId,
    pub name: String,
    pub totals: Totals,
    pub branches: Vec<(ProgressView, Judgement)>,
    /// 附件3: 未开始 / 草稿 / 已签字.
    pub report: Option<ReportState>,
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

/// Everything the overview shows, before filtering, paging and rendering, and what it was
/// read at.
#[derive(Clone)]
struct Snapshot {
    generation: db::Generation,
    campaign: CampaignId,
    today: time::Date,
    /// The change counters (migration 000009) read before the data.
    seq: i64,
    structure: i64,
    committees: Vec<db::units::CommitteeRow>,
    judged_on: String,
    rows: Vec<(ProgressView, Judgement)>,
    item_count: i64,
    charts: Vec<String>,
    reports: Vec<(CommitteeId, ReportState)>,
    /// Findings per ledger category (by position) of each committee's branches.
    per_committee_category: HashMap<CommitteeId, Vec<(i64, i64)>>,
    /// Per branch (active or not): findings per category position, and the overdue count on
    /// each of `days`; the charts are their sums.
    per_branch_category: HashMap<BranchId, Vec<(i64, i64)>>,
    days: Vec<time::Date>,
    overdue: HashMap<BranchId, Vec<i64>>,
}

/// What the snapshot holds per branch, read for the whole campus or patched branch by branch.
struct BranchParts {
    judged_on: time::Date,
    rows: Vec<(ProgressView, Judgement)>,
    per_branch_category: HashMap<BranchId, Vec<(i64, i64)>>,
    days: Vec<time::Date>,
    overdue: HashMap<BranchId, Vec<i64>>,
}

/// The last snapshot of each database. Summing a campus's answers, findings and measures takes a few hundred
/// milliseconds at 1,000 branches, so it is read once, then kept: while nothing is written it
/// serves every view as it is; after writes only the branches whose rows changed are read
/// again (the triggers of migration 000009 say which), and everything after a change of units,
/// campaigns or the ledger, or on a new day. Always exact: counters and generation are read
/// before the data.
/// Per database (by [`db::Db::id`]): one in a server, one per test app in a test run.
static SNAPSHOTS: std::sync::LazyLock<std::sync::Mutex<HashMap<u64, Arc<Snapshot>>>> =
    std::sync::LazyLock::new(Default::default);

async fn snapshot(state: &AppState, user: &crate::auth::CurrentUser, campaign: &Campaign) -> AppResult<Arc<Snapshot>> {
    let generation = state.db.generation();
    let today = dates::today();
    let last = SNAPSHOTS.lock().expect("not poisoned").get(&state.db.id()).cloned();
    if let Some(s) = &last
        && s.generation == generation
        && s.campaign == campaign.id
        && s.today == today
    {
        return Ok(s.clone());
    }
    let db = &state.db.read;
    let (seq, structure) = db::progress::change_counters(db).await?;
    let patched = match &last {
        Some(s) if s.campaign == campaign.id && s.today == today && s.structure == structure => {
            patch(state, campaign, s).await?
        }
        _ => None,
    };
    let parts = match patched {
        Some(parts) => parts,
        None => read_all(state, campaign, today).await?,
    };

    // The parts every branch shares are few rows: read afresh each time.
    let committees = db::units::committees(db, user.scope).await?;
    let item_count = db::ledger::item_count(&state.db, campaign.id).await?;
    let reports = db::progress::report_states(db, campaign.id).await?;
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let mut per_committee_category: HashMap<CommitteeId, Vec<(i64, i64)>> = HashMap::new();
    for (view, _) in &parts.rows {
        let sums = per_committee_category.entry(view.row.committee_id).or_default();
        for &(position, n) in parts.per_branch_category.get(&view.row.branch_id).into_iter().flatten() {
            match sums.iter_mut().find(|(p, _)| *p == position) {
                Some((_, total)) => *total += n,
                None => sums.push((position, n)),
            }
        }
    }
    for sums in per_committee_category.values_mut() {
        sums.sort();
    }
    let per_category: Vec<(i64, String, i64)> = categories
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
    let mut overdue = vec![0; parts.days.len()];
    for series in parts.overdue.values() {
        for (total, n) in overdue.iter_mut().zip(series) {
            *total += n;
        }
    }
    let charts = charts(
        &committees,
        &parts.rows,
        item_count,
        per_category,
        &parts.days,
        &overdue,
    );
    let snap = Arc::new(Snapshot {
        generation,
        campaign: campaign.id,
        today,
        seq,
        structure,
        committees,
        judged_on: format_date(parts.judged_on),
        rows: parts.rows,
        item_count,
        charts,
        reports,
        per_committee_category,
        per_branch_category: parts.per_branch_category,
        days: parts.days,
        overdue: parts.overdue,
    });
    SNAPSHOTS
        .lock()
        .expect("not poisoned")
        .insert(state.db.id(), snap.clone());
    Ok(snap)
}

/// Reads the per-branch parts of every branch of the campus.
async fn read_all(state: &AppState, campaign: &Campaign, today: time::Date) -> AppResult<BranchParts> {
    let db = &state.db.read;
    let (judged_on, rows) = judged(state, campaign).await?;
    let mut per_branch_category: HashMap<BranchId, Vec<(i64, i64)>> = HashMap::new();
    for (branch, position, n) in db::progress::findings_per_branch_category(db, campaign.id, None).await? {
        per_branch_category.entry(branch).or_default().push((position, n));
    }
    let days = dates::sample_days(campaign.issued_on, today, 24);
    let overdue = overdue_per_branch(db::progress::deadline_groups(db, campaign.id, None).await?, &days);
    Ok(BranchParts {
        judged_on,
        rows,
        per_branch_category,
        days,
        overdue,
    })
}

/// The last snapshot's per-branch parts with the branches changed since it read again; `None`
/// when that cannot be done exactly (a branch appeared), and everything must be read.
async fn patch(state: &AppState, campaign: &Campaign, last: &Snapshot) -> AppResult<Option<BranchParts>> {
    let db = &state.db.read;
    let judged_on = eligibility::as_of(campaign.results_due, last.today);
    let mut parts = BranchParts {
        judged_on,
        rows: last.rows.clone(),
        per_branch_category: last.per_branch_category.clone(),
        days: last.days.clone(),
        overdue: last.overdue.clone(),
    };
    for branch in db::progress::branches_changed_since(db, last.seq).await? {
        let row = db::progress::branches_judged(db, Scope::Branch(branch), campaign.id, last.today, judged_on)
            .await?
            .pop();
        match (parts.rows.iter().position(|(v, _)| v.row.branch_id == branch), row) {
            (Some(i), Some(row)) => parts.rows[i] = judge(row, judged_on),
            (Some(i), None) => {
                parts.rows.remove(i);
            }
            (None, None) => {}
            (None, Some(_)) => return Ok(None),
        }
        let categories = db::progress::findings_per_branch_category(db, campaign.id, Some(branch)).await?;
        parts
            .per_branch_category
            .insert(branch, categories.into_iter().map(|(_, p, n)| (p, n)).collect());
        let groups = db::progress::deadline_groups(db, campaign.id, Some(branch)).await?;
        let series = overdue_per_branch(groups, &parts.days)
            .remove(&branch)
            .unwrap_or_default();
        parts.overdue.insert(branch, series);
    }
    Ok(Some(parts))
}

/// Each branch's overdue count on each sample day.
fn overdue_per_branch(groups: Vec<db::progress::DeadlineGroup>, days: &[time::Date]) -> HashMap<BranchId, Vec<i64>> {
    let mut by_branch: HashMap<BranchId, Vec<(time::Date, Option<time::Date>, i64)>> = HashMap::new();
    for db::progress::DeadlineGroup(branch, deadline, closed_on, measures) in groups {
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
fn judge(row: db::progress::BranchProgress, on: time::Date) -> (ProgressView, Judgement) {
    let view = ProgressView::from(row);
    let facts = Facts {
        ledger: view.state,
        overdue: view.row.overdue_at_judgement as usize,
        example: None,
        rebounds: view.row.rebounds as usize,
    };
    let j = eligibility::judge(&facts, on);
    (view, j)
}

/// Every branch of the campus with its judgement, in the 组织部's order.
async fn judged(state: &AppState, campaign: &Campaign) -> AppResult<(time::Date, Vec<(ProgressView, Judgement)>)> {
    let today = dates::today();
    let on = eligibility::as_of(campaign.results_due, today);
    let rows = db::progress::branches_judged(&state.db.read, Scope::Campus, campaign.id, today, on).await?;
    Ok((on, rows.into_iter().map(|row| judge(row, on)).collect()))
}

fn ineligible<'a>(rows: impl IntoIterator<Item = &'a (ProgressView, Judgement)>) -> Vec<Ineligible> {
    rows.into_iter()
        .filter(|(_, j)| !j.eligible)
        .map(|(v, j)| Ineligible {
            committee: v.row.committee_name.clone(),
            branch_id: v.row.branch_id,
            branch: v.row.branch_name.clone(),
            state: v.state,
            overdue: v.row.overdue_at_judgement,
            rebounds: v.row.rebounds,
            reasons: j.reasons.clone(),
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    RequireOverseer(user): RequireOverseer,
    CampaignParam(asked): CampaignParam,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> AppResult<OverviewPage> {
    let campaign = db::campaigns::resolve(&state.db, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    let snap = snapshot(&state, &user, &campaign).await?;
    let Snapshot {
        committees,
        judged_on,
        rows,
        item_count,
        charts,
        reports,
        per_committee_category,
        ..
    } = &*snap;
    // The snapshot is shared: work on references to its rows, and clone only what the page shows.
    let filter = Filter::parse(query.as_deref());
    let shown: Vec<&(ProgressView, Judgement)> = rows.iter().filter(|(v, j)| filter.keeps(v, j)).collect();
    let ineligible_total = shown.iter().filter(|(_, j)| !j.eligible).count();
    let ineligible = ineligible(shown.iter().copied().filter(|(_, j)| !j.eligible).take(PAGE_ROWS));

    let mut totals = Totals::default();
    let mut views: Vec<(CommitteeView, Vec<&(ProgressView, Judgement)>)> = committees
        .iter()
        .filter(|c| filter.committee.is_none_or(|f| f == c.id))
        .map(|c| {
            let view = CommitteeView {
                id: c.id,
                name: c.name.clone(),
                totals: Totals::default(),
                branches: Vec::new(),
                report: reports.iter().find(|(id, _)| *id == c.id).map(|(_, s)| *s),
                per_category: Vec::new(),
            };
            (view, Vec::new())
        })
        .collect();
    for row in rows {
        let (view, j) = row;
        totals.add(view, j.eligible);
        if !filter.keeps(view, j) {
            continue;
        }
        if let Some((c, branches)) = views.iter_mut().find(|(c, _)| c.id == view.row.committee_id) {
            c.totals.add(view, j.eligible);
            branches.push(row);
        }
    }
    for (_, branches) in &mut views {
        filter.order(branches);
    }
    // A campus of a thousand branches is shown a page at a time: committee totals stay whole,
    // the branch rows of the page are kept, committees without rows on it are left out.
    let shown_rows: usize = views.iter().map(|(_, b)| b.len()).sum();
    let pages = shown_rows.div_ceil(PAGE_ROWS).max(1);
    let page = filter.page.clamp(1, pages);
    let mut skip = (page - 1) * PAGE_ROWS;
    let mut room = PAGE_ROWS;
    let views: Vec<CommitteeView> = views
        .into_iter()
        .filter_map(|(mut c, branches)| {
            let take_from = skip.min(branches.len());
            skip -= take_from;
            c.branches = branches.into_iter().skip(take_from).take(room).cloned().collect();
            room -= c.branches.len();
            if c.branches.is_empty() && shown_rows > 0 {
                return None;
            }
            c.per_category = per_committee_category.get(&c.id).cloned().unwrap_or_default();
            Some(c)
        })
        .collect();
    Ok(OverviewPage {
        page,
        pages,
        ineligible_total,

        nav: Nav::for_user(&user, "/overview"),
        phases: phases(&campaign, dates::today()),
        item_count: *item_count,
        totals,
        committees: views,
        judged_on: judged_on.clone(),
        ineligible,
        committee_names: committees.iter().map(|c| (c.id, c.name.clone())).collect(),
        states: LedgerState::ALL,
        charts: charts.clone(),
        query: query.map(|q| format!("?{q}")).unwrap_or_default(),
        filter,
        campaign,
    })
}

/// Progress per committee, findings per category, overdue over time.
fn charts(
    committees: &[db::units::CommitteeRow],
    rows: &[(ProgressView, Judgement)],
    item_count: i64,
    per_category: Vec<(i64, String, i64)>,
    days: &[time::Date],
    overdue: &[i64],
) -> Vec<String> {
    let progress: Vec<(String, f64, String)> = committees
        .iter()
        .map(|c| {
            let branches: Vec<&ProgressView> = rows
                .iter()
                .map(|(v, _)| v)
                .filter(|v| v.row.committee_id == c.id)
                .collect();
            let answered: i64 = branches.iter().map(|v| v.row.answered).sum();
            let possible = (branches.len() as i64 * item_count).max(1);
            let pct = answered as f64 * 100.0 / possible as f64;
            (c.name.clone(), pct, format!("{pct:.0}%"))
        })
        .collect();
    let max_findings = per_category.iter().map(|(_, _, n)| *n).max().unwrap_or(0) as f64;
    let findings: Vec<(String, f64, String)> = per_category
        .into_iter()
        .map(|(pos, title, n)| (format!("{pos}. {title}"), n as f64, format!("{n} 条")))
        .collect();
    let points: Vec<(String, i64)> = days.iter().zip(overdue).map(|(d, n)| (format_date(*d), *n)).collect();
    vec![
        charts::bars("各党总支（党委）对账查摆进度", &progress, 100.0, "#b3261e"),
        charts::bars("各类别查摆问题数", &findings, max_findings, "#0550ae"),
        charts::line("逾期未销号措施数（随时间）", &points, "#cf222e"),
    ]
}

/// The dashboard table (with the same filters) as XLSX.
pub async fn overview_xlsx(
    State(state): State<AppState>,
    RequireOverseer(_): RequireOverseer,
    CampaignParam(asked): CampaignParam,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> AppResult<Response> {
    let campaign = db::campaigns::resolve(&state.db, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    let (on, rows) = judged(&state, &campaign).await?;
    let judged_on = format_date(on);
    let item_count = db::ledger::item_count(&state.db, campaign.id).await?;
    let filter = Filter::parse(query.as_deref());
    let mut rows: Vec<(ProgressView, Judgement)> = rows.into_iter().filter(|(v, j)| filter.keeps(v, j)).collect();
    filter.order(&mut rows);
    let title = format!("{} 全校总览（五星级资格截至 {judged_on}）", campaign.title);
    let bytes = tokio::task::spawn_blocking(move || overview_workbook(&title, &rows, item_count)).await??;
    let name = format!("全校总览-{}.xlsx", campaign.title);
    Ok(super::xlsx_download(&name, bytes))
}

fn overview_workbook(title: &str, rows: &[(ProgressView, Judgement)], item_count: i64) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("全校总览").map_err(fail)?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2F2F2")
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let columns = [
        ("党总支（党委）", 22.0),
        ("党支部", 26.0),
        ("台账状态", 10.0),
        ("对账查摆", 10.0),
        ("查摆问题", 8.0),
        ("未开始", 8.0),
        ("整改中", 8.0),
        ("申请销号", 8.0),
        ("已销号", 8.0),
        ("逾期", 8.0),
        ("五星级资格", 10.0),
        ("原因", 50.0),
    ];
    sheet
        .merge_range(
            0,
            0,
            0,
            columns.len() as u16 - 1,
            title,
            &Format::new().set_bold().set_font_size(14),
        )
        .map_err(fail)?;
    for (i, (name, width)) in columns.iter().enumerate() {
        sheet
            .write_string_with_format(1, i as u16, *name, &head)
            .map_err(fail)?;
        sheet.set_column_width(i as u16, *width).map_err(fail)?;
    }
    for (r, (v, j)) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        let texts = [
            v.row.committee_name.clone(),
            v.row.branch_name.clone(),
            v.state.label().to_string(),
            format!("{}/{item_count}", v.row.answered),
        ];
        for (c, t) in texts.iter().enumerate() {
            sheet.write_string_with_format(r, c as u16, t, &cell).map_err(fail)?;
        }
        let numbers = [
            v.row.findings,
            v.row.measures_not_started,
            v.row.measures_in_progress,
            v.row.measures_done,
            v.row.measures_closed_out,
            v.row.measures_overdue,
        ];
        for (c, n) in numbers.iter().enumerate() {
            sheet
                .write_number_with_format(r, c as u16 + 4, *n as f64, &cell)
                .map_err(fail)?;
        }
        sheet
            .write_string_with_format(r, 10, if j.eligible { "具备" } else { "不具备" }, &cell)
            .map_err(fail)?;
        sheet
            .write_string_with_format(r, 11, j.reasons.join("；"), &cell)
            .map_err(fail)?;
    }
    sheet.set_freeze_panes(2, 2).map_err(fail)?;
    sheet
        .autofilter(1, 0, rows.len() as u32 + 1, columns.len() as u16 - 1)
        .map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// 不具备五星级资格的党支部, as XLSX, for the 评星定级 meeting.
pub async fn ineligible_xlsx(
    State(state): State<AppState>,
    RequireOverseer(_): RequireOverseer,
    CampaignParam(asked): CampaignParam,
) -> AppResult<Response> {
    let campaign = db::campaigns::resolve(&state.db, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    let (on, rows) = judged(&state, &campaign).await?;
    let judged_on = format_date(on);
    let list = ineligible(&rows);
    let title = format!(
        "{} 不具备五星级党支部评选资格的党支部（截至 {judged_on}）",
        campaign.title
    );
    let bytes = tokio::task::spawn_blocking(move || ineligible_workbook(&title, &list)).await??;
    let name = format!("五星级资格-{}-不具备资格的党支部.xlsx", campaign.title);
    Ok(super::xlsx_download(&name, bytes))
}

fn ineligible_workbook(title: &str, list: &[Ineligible]) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("五星级资格").map_err(fail)?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color("#F2F2F2");
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    sheet
        .merge_range(0, 0, 0, 5, title, &Format::new().set_bold().set_font_size(14))
        .map_err(fail)?;
    for (col, (name, width)) in [
        ("党总支（党委）", 22.0),
        ("党支部", 26.0),
        ("台账状态", 12.0),
        ("逾期未销号措施", 14.0),
        ("回头看反弹", 12.0),
        ("原因", 60.0),
    ]
    .into_iter()
    .enumerate()
    {
        sheet
            .write_string_with_format(1, col as u16, name, &head)
            .map_err(fail)?;
        sheet.set_column_width(col as u16, width).map_err(fail)?;
    }
    for (i, b) in list.iter().enumerate() {
        let r = i as u32 + 2;
        sheet
            .write_string_with_format(r, 0, &b.committee, &cell)
            .map_err(fail)?;
        sheet.write_string_with_format(r, 1, &b.branch, &cell).map_err(fail)?;
        sheet
            .write_string_with_format(r, 2, b.state.label(), &cell)
            .map_err(fail)?;
        sheet
            .write_number_with_format(r, 3, b.overdue as f64, &cell)
            .map_err(fail)?;
        sheet
            .write_number_with_format(r, 4, b.rebounds as f64, &cell)
            .map_err(fail)?;
        sheet
            .write_string_with_format(r, 5, b.reasons.join("；"), &cell)
            .map_err(fail)?;
    }
    sheet.set_freeze_panes(2, 0).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}
