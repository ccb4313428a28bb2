//! The 组织部's campus overview: every committee and branch with counts, and 五星级 eligibility
//! (结果运用) with the reasons, exportable as XLSX.

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
use crate::domain::states::LedgerState;
use crate::domain::{CommitteeId, Scope};
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
    pub report: &'static str,
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

/// Everything the overview shows, before filtering, paging and rendering.
#[derive(Clone)]
struct Snapshot {
    committees: Vec<db::units::CommitteeRow>,
    judged_on: String,
    rows: Vec<(ProgressView, Judgement)>,
    item_count: i64,
    charts: Vec<String>,
    reports: Vec<(CommitteeId, String)>,
    /// Findings per ledger category (by position) of each committee's branches.
    per_committee_category: std::collections::HashMap<CommitteeId, Vec<(i64, i64)>>,
}

/// The overview's data: summing a campus's answers, findings and measures takes tens of
/// milliseconds, so it is computed once per change of the data (and of the day) and shared by
/// every 组织部 request until the next write (see [`db::memo`]).
static SNAPSHOT: std::sync::LazyLock<db::memo::Memo<(crate::domain::CampaignId, time::Date), Snapshot>> =
    std::sync::LazyLock::new(Default::default);

async fn snapshot(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    campaign: &Campaign,
) -> AppResult<std::sync::Arc<Snapshot>> {
    let today = dates::today();
    SNAPSHOT
        .get_or_load(&state.db, (campaign.id, today), || async {
            let db = &state.db.read;
            let committees = db::units::committees(db, user.scope).await?;
            let (judged_on, rows) = judged(state, campaign).await?;
            let item_count = db::progress::item_count(db, campaign.id).await?;
            let charts = charts(state, campaign, &committees, &rows, item_count).await?;
            let reports = db::progress::report_states(db, campaign.id).await?;
            let mut per_committee_category: std::collections::HashMap<CommitteeId, Vec<(i64, i64)>> =
                std::collections::HashMap::new();
            for (committee, position, n) in db::progress::findings_per_committee_category(db, campaign.id).await? {
                per_committee_category.entry(committee).or_default().push((position, n));
            }
            Ok(Snapshot {
                committees,
                judged_on,
                rows,
                item_count,
                charts,
                reports,
                per_committee_category,
            })
        })
        .await
}

/// Every branch of the campus with its judgement, in the 组织部's order.
async fn judged(state: &AppState, campaign: &Campaign) -> AppResult<(String, Vec<(ProgressView, Judgement)>)> {
    let today = dates::today();
    let on = eligibility::as_of(campaign.results_due, today);
    let rows = db::progress::branches_judged(&state.db.read, Scope::Campus, campaign.id, today, on).await?;
    let judged = rows
        .into_iter()
        .map(|row| {
            let view = ProgressView::from(row);
            let facts = Facts {
                ledger: view.state,
                overdue: view.row.overdue_at_judgement as usize,
                example: None,
                rebounds: view.row.rebounds as usize,
            };
            let j = eligibility::judge(&facts, on);
            (view, j)
        })
        .collect();
    Ok((format_date(on), judged))
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
                report: match reports.iter().find(|(id, _)| *id == c.id).map(|(_, s)| s.as_str()) {
                    Some("signed") => "已签字",
                    Some(_) => "草稿",
                    None => "未开始",
                },
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
async fn charts(
    state: &AppState,
    campaign: &Campaign,
    committees: &[db::units::CommitteeRow],
    rows: &[(ProgressView, Judgement)],
    item_count: i64,
) -> AppResult<Vec<String>> {
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
    let per_category = db::progress::findings_per_category(&state.db.read, campaign.id).await?;
    let max_findings = per_category.iter().map(|(_, _, n)| *n).max().unwrap_or(0) as f64;
    let findings: Vec<(String, f64, String)> = per_category
        .into_iter()
        .map(|(pos, title, n)| (format!("{pos}. {title}"), n as f64, format!("{n} 条")))
        .collect();
    let deadlines = db::progress::deadlines(&state.db.read, campaign.id).await?;
    let days = dates::sample_days(campaign.issued_on, dates::today(), 24);
    let series = dates::overdue_series(&deadlines, &days);
    let points: Vec<(String, i64)> = days.iter().zip(series).map(|(d, n)| (format_date(*d), n)).collect();
    Ok(vec![
        charts::bars("各党总支（党委）对账查摆进度", &progress, 100.0, "#b3261e"),
        charts::bars("各类别查摆问题数", &findings, max_findings, "#0550ae"),
        charts::line("逾期未销号措施数（随时间）", &points, "#cf222e"),
    ])
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
    let (judged_on, rows) = judged(&state, &campaign).await?;
    let item_count = db::progress::item_count(&state.db.read, campaign.id).await?;
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
    let (judged_on, rows) = judged(&state, &campaign).await?;
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
