//! A 党总支's pages: its branches and where each stands (what waits first), the 销号 requests
//! waiting, and 催办 (measures due within 7 days or overdue).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use time::Duration;

use super::views::{ExtensionWaiting, Phase, phases};
use super::{CampaignParam, Nav, Path, query_value};
use crate::AppState;
use crate::actions;
use crate::auth::session;
use crate::auth::{CurrentUser, RequireReviewer};
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::progress::BranchProgress;
use crate::db::review::MeasureLine;
use crate::db::units::CommitteeRow;
use std::collections::HashMap;
use tower_sessions::Session;

use crate::domain::dates::{self, days_left, display_moment, format_date, is_overdue};
use crate::domain::hints::Flags;
use crate::domain::states::ReportState;
use crate::domain::states::{LedgerState, MeasureStatus};
use crate::domain::units::Level;
use crate::domain::{BranchId, CommitteeId};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "review/committee.html")]
pub struct CommitteePage {
    nav: Nav,
    committee: CommitteeRow,
    campaign: Campaign,
    phases: Vec<Phase>,
    item_count: i64,
    branches: Vec<BranchProgress>,
    sort: &'static str,
    sorts: [(&'static str, &'static str); 5],
    report_state: ReportState,
    /// How its 报送 stands.
    delivery: crate::domain::delivery::Standing,
    today: time::Date,
    close_out_requests: i64,
    reminders: i64,
    /// The committee's own 本级 ledger (its own items), and how many items it has.
    own: Option<BranchProgress>,
    own_item_count: i64,
    /// What the branches' data flags (domain::hints): contradicted answers, terms due.
    flags: HashMap<BranchId, Flags>,
    /// 按期换届提醒: its branches whose term has ended or ends soon, the most overdue first.
    elections: Vec<super::views::ElectionRow>,
    term_warning_days: i64,
    /// Each branch's 专题支委会 record.
    meetings: HashMap<BranchId, db::meetings::Recorded>,
}

impl CommitteePage {
    /// A branch's 专题支委会 in a word, with its badge's style.
    fn meeting_words(&self, branch: &BranchId) -> (&'static str, &'static str) {
        match self.meetings.get(branch) {
            Some(m) if m.returned => ("s-bad", "已退回"),
            Some(m) if m.held => ("s-good", "已召开"),
            Some(_) => ("s-wait", "未召开（已说明）"),
            None => ("s-none", "未记录"),
        }
    }

    /// What in the 报送材料 ZIP would be a 草稿: ledgers not yet signed off (the branches' and
    /// the committee's own), and whether the 附件3 is unsigned.
    fn zip_drafts(&self) -> (usize, bool) {
        let ledgers = self
            .branches
            .iter()
            .chain(self.own.iter())
            .filter(|b| b.state() != LedgerState::SignedOff)
            .count();
        (ledgers, self.report_state != ReportState::Signed)
    }

    fn flag(&self, branch: &BranchId) -> Option<&Flags> {
        self.flags.get(branch).filter(|f| !f.is_empty())
    }
}

const SORTS: [(&str, &str); 5] = [
    ("waiting", "待办优先"),
    ("progress", "对账进度"),
    ("overdue", "逾期数"),
    ("recent", "最近更新"),
    ("name", "支部名称"),
];

/// Orders the rows for the page; ties keep the 组织部's order. Unknown keys sort as "waiting".
pub fn sort_rows(rows: &mut [BranchProgress], key: &str) -> &'static str {
    match key {
        "progress" => rows.sort_by_key(|r| r.answered),
        "overdue" => rows.sort_by_key(|r| std::cmp::Reverse(r.measures_overdue)),
        "recent" => rows.sort_by(|a, b| b.last_change.cmp(&a.last_change)),
        "name" => rows.sort_by(|a, b| a.branch_name.cmp(&b.branch_name)),
        _ => {
            rows.sort_by_key(|r| std::cmp::Reverse(r.waiting()));
            return "waiting";
        }
    }
    SORTS.iter().find(|(k, _)| *k == key).map_or("waiting", |(k, _)| k)
}

async fn committee_and_campaign(
    state: &AppState, user: &CurrentUser, id: i64, asked: Option<crate::domain::CampaignId>,
) -> AppResult<(CommitteeRow, Campaign)> {
    let db = &state.db.read;
    let committee = db::units::committee(db, user.scope(), CommitteeId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::resolve(&state.db, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((committee, campaign))
}

pub async fn show(
    State(state): State<AppState>, RequireReviewer(user): RequireReviewer, Path(id): Path<i64>,
    CampaignParam(asked): CampaignParam, axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> AppResult<CommitteePage> {
    let (committee, campaign) = committee_and_campaign(&state, &user, id, asked).await?;
    let db = &state.db.read;
    let today = dates::today();
    // The user's scope narrowed to this committee (an overseer looking at one of many).
    let scope = user.scope().within_committee(committee.id).ok_or(AppError::NotFound)?;
    let mut branches = db::progress::branches(&state.db, scope, campaign.id, today).await?;
    let checked = db::profiles::checked(&state.db, scope, campaign.id).await?;
    let (flags, elections) = super::views::flags_and_elections(
        &checked,
        &branches.iter().collect::<Vec<_>>(),
        today,
        &state.config.hints,
    );
    let sort = sort_rows(
        &mut branches,
        query_value(query.as_deref(), "sort").as_deref().unwrap_or(""),
    );
    let report = db::reports::get(db, user.scope(), campaign.id, committee.id).await?;
    let (close_out_requests, reminders) = db::review::queue_counts(
        &state.db,
        user.scope(),
        campaign.id,
        committee.id,
        today + Duration::days(7),
    )
    .await?;
    Ok(CommitteePage {
        nav: Nav::for_user(&user, &format!("/committees/{}", committee.id)),
        phases: phases(&campaign, today),
        item_count: db::ledger::item_count(&state.db, campaign.id, Level::Branch).await?,
        own: db::progress::own_units(db, scope, campaign.id, today).await?.pop(),
        flags,
        elections,
        term_warning_days: state.config.hints.term_warning_days,
        meetings: db::meetings::recorded(db, scope, campaign.id).await?,
        own_item_count: db::ledger::item_count(&state.db, campaign.id, Level::Committee).await?,
        branches,
        sort,
        sorts: SORTS,
        report_state: ReportState::of(report.as_ref().map(|r| r.state)),
        today,
        delivery: db::deliveries::latest_standing(
            &db::deliveries::of_committee(db, user.scope(), campaign.id, committee.id).await?,
            campaign.report_due,
        ),
        close_out_requests,
        reminders,
        committee,
        campaign,
    })
}

/// The committee's own 本级 ledger: its page is the unit's ledger page.
pub async fn self_check(
    State(state): State<AppState>, RequireReviewer(user): RequireReviewer, Path(id): Path<i64>,
) -> AppResult<axum::response::Redirect> {
    let own = db::units::own_unit(&state.db.read, user.scope(), CommitteeId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::response::Redirect::to(&format!("/branches/{}", own.id)))
}

/// A measure line as the queues show it.
pub struct LineView {
    pub line: MeasureLine,
    pub status: MeasureStatus,
    pub deadline: String,
    pub overdue: bool,
    /// "还剩 3 天" / "已超过 5 天".
    pub due_words: String,
    pub requested_at: String,
}

impl LineView {
    fn new(line: MeasureLine, today: time::Date) -> LineView {
        let status = line.status;
        let first = crate::domain::progress::first_due(line.deadline, line.milestone_due);
        // A milestone due before the deadline is what the reminder is about.
        let by_milestone = first.is_some() && first != line.deadline;
        LineView {
            status,
            overdue: is_overdue(first, status, today),
            deadline: line.deadline.map(format_date).unwrap_or_default(),
            due_words: first
                .map(|d| {
                    let words = dates::days_left_label(d, today);
                    if by_milestone {
                        format!("进度节点（{}）{words}", format_date(d))
                    } else {
                        words
                    }
                })
                .unwrap_or_default(),
            requested_at: line.completed_at.as_deref().map(display_moment).unwrap_or_default(),
            line,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "review/queue.html")]
pub struct QueuePage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    committee: CommitteeRow,
    title: &'static str,
    intro: &'static str,
    lines: Vec<LineView>,
    empty: &'static str,
    /// 催办 lists group by branch and owner; the 销号 queue by age.
    reminders: bool,
    /// The 销号 queue also lists the branches' 延期申请 waiting for a decision.
    extensions: Vec<ExtensionWaiting>,
    /// Each waiting measure's evidence, shown on the 销号 queue (images as thumbnails).
    evidence: HashMap<crate::domain::MeasureId, Vec<db::evidence::EvidenceMeta>>,
}

impl QueuePage {
    fn evidence_of(&self, line: &MeasureLine) -> &[db::evidence::EvidenceMeta] {
        self.evidence.get(&line.measure_id).map_or(&[], Vec::as_slice)
    }

    /// The units on the list, each with how many of its measures it holds (to 催办 a unit).
    fn units(&self) -> Vec<(BranchId, String, usize)> {
        let mut out: Vec<(BranchId, String, usize)> = Vec::new();
        for l in &self.lines {
            match out.iter_mut().find(|(id, _, _)| *id == l.line.branch_id) {
                Some(u) => u.2 += 1,
                None => out.push((l.line.branch_id, l.line.branch_name.clone(), 1)),
            }
        }
        out
    }
}

/// 销号 requests waiting for this committee.
pub async fn close_outs(
    State(state): State<AppState>, session: tower_sessions::Session, RequireReviewer(user): RequireReviewer,
    Path(id): Path<i64>,
) -> AppResult<QueuePage> {
    let (committee, campaign) = committee_and_campaign(&state, &user, id, None).await?;
    let today = dates::today();
    let lines = db::review::close_out_queue(&state.db.read, user.scope(), campaign.id, committee.id).await?;
    // Decided on the list: the note and the evidence are there, images as thumbnails.
    let waiting: Vec<_> = lines.iter().map(|l| l.measure_id).collect();
    let evidence = db::evidence::of_measures(&state.db.read, user.scope(), &waiting).await?;
    let scope = user.scope().within_committee(committee.id).ok_or(AppError::NotFound)?;
    let extensions = db::schedule::waiting(&state.db.read, scope, campaign.id, Level::Branch).await?;
    Ok(QueuePage {
        nav: Nav::for_user(&user, ""),
        csrf: crate::auth::session::csrf_token(&session).await?,
        flash: crate::auth::session::take_flash(&session).await?,
        evidence,
        title: "销号及延期待审批",
        intro: "党支部已申请销号的整改措施，以及申请延长整改时限的措施。请查看完成情况和证明材料，在此确认销号或不予销号；延期申请在措施的“进度安排”页审批。",
        lines: lines.into_iter().map(|l| LineView::new(l, today)).collect(),
        empty: "目前没有待确认的销号申请。",
        reminders: false,
        extensions: extensions.into_iter().map(ExtensionWaiting::from).collect(),
        committee,
    })
}

/// 催办: measures of the committee due within 7 days or overdue, by branch and owner.
pub async fn reminders(
    State(state): State<AppState>, session: Session, RequireReviewer(user): RequireReviewer, Path(id): Path<i64>,
) -> AppResult<QueuePage> {
    let (committee, campaign) = committee_and_campaign(&state, &user, id, None).await?;
    let today = dates::today();
    let lines = db::review::reminders(
        &state.db.read,
        user.scope(),
        campaign.id,
        committee.id,
        today + Duration::days(7),
    )
    .await?;
    let mut lines: Vec<LineView> = lines.into_iter().map(|l| LineView::new(l, today)).collect();
    // Overdue first within each branch and owner, the most overdue at the top.
    lines.sort_by_key(|l| {
        (
            l.line.branch_id,
            l.line.owner.clone(),
            l.line.deadline.map(|d| days_left(d, today)),
        )
    });
    Ok(QueuePage {
        nav: Nav::for_user(&user, ""),
        csrf: user.csrf.clone(),
        flash: session::take_flash(&session).await?,
        evidence: HashMap::new(),
        title: "催办：7 天内到期及逾期的整改措施",
        intro: "按党支部和责任人列出尚未销号、整改时限在 7 天内或已超过的措施。“催办”给该支部书记发一条消息（站内消息，设置了邮箱的同时发邮件），每条措施每天一次。",
        lines,
        empty: "目前没有 7 天内到期或逾期的整改措施。",
        reminders: true,
        extensions: Vec::new(),
        committee,
    })
}

/// 催办 a whole unit: one message on its measures due or overdue; back to the 催办 list.
pub async fn urge_unit(
    State(state): State<AppState>, session: Session, RequireReviewer(user): RequireReviewer, Path(branch): Path<i64>,
) -> AppResult<axum::response::Response> {
    let unit = db::units::branch(&state.db.read, user.scope(), BranchId(branch))
        .await?
        .ok_or(AppError::NotFound)?;
    match actions::review::urge_unit(&state.db, &user, unit.id).await? {
        actions::Outcome::Done(n) => {
            let back = format!("/committees/{}/reminders", unit.committee_id);
            let said = format!("已催办{}：其台账填报人会收到一条消息（{n} 条措施）", unit.name);
            super::done(&session, said, &back).await
        }
        other => Err(super::refusal(other)),
    }
}

/// 催办 one measure: a message to its unit's keeper; back to the 催办 list.
pub async fn urge(
    State(state): State<AppState>, session: Session, RequireReviewer(user): RequireReviewer,
    Path((branch, measure)): Path<(i64, i64)>,
) -> AppResult<axum::response::Response> {
    let unit = db::units::branch(&state.db.read, user.scope(), crate::domain::BranchId(branch))
        .await?
        .ok_or(AppError::NotFound)?;
    match actions::review::urge(&state.db, &user, unit.id, crate::domain::MeasureId(measure)).await? {
        actions::Outcome::Done(()) => {
            let back = format!("/committees/{}/reminders#close-out-{measure}", unit.committee_id);
            super::done(&session, "已催办：该单位的台账填报人会收到消息", &back).await
        }
        other => Err(super::refusal(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BranchId, CommitteeId};

    fn row(name: &str, state: Option<LedgerState>, answered: i64, done: i64, overdue: i64) -> BranchProgress {
        BranchProgress {
            branch_id: BranchId(1),
            branch_name: name.into(),
            committee_id: CommitteeId(1),
            committee_name: String::new(),
            secretary_name: String::new(),
            ledger_state: state,
            answered,
            findings: 0,
            inspection_open: 0,
            inspection_handed_in: 0,
            measures_not_started: 0,
            measures_in_progress: 0,
            measures_done: done,
            measures_closed_out: 0,
            measures_overdue: overdue,
            measures_overdue_original: overdue,
            measures_extended: 0,
            closed_on_time: 0,
            closed_on_time_original: 0,
            last_change: None,
            overdue_at_judgement: overdue,
            rebounds: 0,
            first_submitted_at: None,
        }
    }

    #[test]
    fn what_waits_for_the_reviewer_comes_first() {
        let mut rows = vec![
            row("甲", None, 0, 0, 0),
            row("乙", Some(LedgerState::Submitted), 25, 1, 0),
            row("丙", Some(LedgerState::InProgress), 10, 1, 3),
        ];
        assert_eq!(sort_rows(&mut rows, ""), "waiting");
        let names: Vec<&str> = rows.iter().map(|r| r.branch_name.as_str()).collect();
        assert_eq!(names, ["乙", "丙", "甲"]);
        assert_eq!(sort_rows(&mut rows, "overdue"), "overdue");
        assert_eq!(rows[0].branch_name, "丙");
        assert_eq!(sort_rows(&mut rows, "progress"), "progress");
        assert_eq!(rows[0].branch_name, "甲");
        assert_eq!(sort_rows(&mut rows, "drop table"), "waiting");
    }
}
