//! A branch's campaign summed up (/branches/{id}/summary, and as PDF) for its 书记述职评议 and the
//! 年度考核: read by its committee's reviewers and the 组织部.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use super::{Nav, Path};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::domain::dates::{self, format_date};
use crate::domain::states::{LookBackOutcome, Verdict};
use crate::domain::{BranchId, CommitteeId, eligibility, summary};
use crate::error::{AppError, AppResult};
use crate::export::SummaryDoc;

/// A branch's or a committee's summary page; `back` is the unit's own page, under which its PDF is.
#[derive(Template, WebTemplate)]
#[template(path = "summary.html")]
pub struct SummaryPage {
    nav: Nav,
    back: String,
    doc: SummaryDoc,
}

async fn summary_doc(state: &AppState, user: &CurrentUser, id: BranchId) -> AppResult<SummaryDoc> {
    let read = &state.db.read;
    let branch = db::units::branch(read, user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let scope = user
        .scope()
        .within_committee(branch.committee_id)
        .ok_or(AppError::NotFound)?;
    let today = dates::today();
    let judged_on = eligibility::as_of(campaign.results_due, today);
    let row = db::progress::branches_judged(read, scope, campaign.id, today, judged_on)
        .await?
        .into_iter()
        .find(|r| r.branch_id == id)
        // A committee's own 本级 ledger is summed up on its committee's pages, not here.
        .ok_or(AppError::NotFound)?;
    let (row, judgement) = db::overview::judge(row, judged_on, campaign.eligibility_deadline);
    let checks = db::ledger::self_checks(read, user.scope(), campaign.id, id).await?;
    let findings = db::ledger::findings(read, user.scope(), campaign.id, id).await?;
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let look_backs = db::look_backs::of_branch(read, user.scope(), campaign.id, id).await?;
    let count = |o: LookBackOutcome| look_backs.iter().filter(|l| l.outcome == o).count() as i64;
    let frozen = db::results::campus(read, campaign.id).await?;
    let frozen_row = frozen
        .as_ref()
        .and_then(|(_, rows)| rows.iter().find(|r| r.branch_id == id));
    let facts = summary::Facts {
        state: row.state(),
        answered: row.answered,
        items: db::ledger::item_count(&state.db, campaign.id, branch.level).await?,
        problem_items: checks.iter().filter(|c| c.verdict == Verdict::Problem).count() as i64,
        findings: row.findings,
        per_category: categories
            .iter()
            .map(|c| {
                (
                    c.title.clone(),
                    findings.iter().filter(|f| f.category_id == c.id).count() as i64,
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect(),
        first_handed_in: row.first_handed_in(),
        self_check_due: campaign.self_check_due,
        measures: row.measures_total(),
        closed_out: row.measures_closed_out,
        closed_on_time: row.closed_on_time,
        overdue: row.measures_overdue,
        extended: row.measures_extended,
        look_backs: (
            count(LookBackOutcome::Holds),
            count(LookBackOutcome::Rebound),
            count(LookBackOutcome::Pending),
        ),
        eligible: judgement.eligible,
        reasons: &judgement.reasons,
        frozen: frozen_row.map(|r| (r.eligible, r.reasons.as_str(), r.stars)),
    };
    Ok(SummaryDoc {
        title: format!("{}对账整改专项行动情况摘要", branch.name),
        meta: vec![
            format!("{} · 书记：{}", branch.committee_name, branch.secretary_name),
            format!(
                "（供书记述职评议、年度考核参考；据系统记录生成于 {}）",
                format_date(today)
            ),
        ],
        sections: summary::sections(&facts),
        unit_name: branch.name,
        campaign_title: campaign.title,
    })
}

/// A committee's summary: its branches' figures summed, and its 报送.
async fn committee_doc(state: &AppState, user: &CurrentUser, id: CommitteeId) -> AppResult<SummaryDoc> {
    let read = &state.db.read;
    let committee = db::units::committee(read, user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let scope = user.scope().within_committee(id).ok_or(AppError::NotFound)?;
    let today = dates::today();
    let judged_on = eligibility::as_of(campaign.results_due, today);
    let rows: Vec<_> = db::progress::branches_judged(read, scope, campaign.id, today, judged_on)
        .await?
        .into_iter()
        .map(|r| db::overview::judge(r, judged_on, campaign.eligibility_deadline))
        .collect();
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let mut per_category: Vec<(String, i64)> = categories.iter().map(|c| (c.title.clone(), 0)).collect();
    for (b, _) in &rows {
        for f in db::ledger::findings(read, user.scope(), campaign.id, b.branch_id).await? {
            if let Some(i) = categories.iter().position(|c| c.id == f.category_id) {
                per_category[i].1 += 1;
            }
        }
    }
    per_category.retain(|(_, n)| *n > 0);
    let t = super::overview::Totals::of(&rows);
    let delivery = db::deliveries::latest_standing(
        &db::deliveries::of_committee(read, user.scope(), campaign.id, id).await?,
        campaign.report_due,
    );
    let handed_in: Vec<_> = rows.iter().filter(|(b, _)| b.first_handed_in().is_some()).collect();
    let facts = summary::CommitteeFacts {
        branches: t.branches,
        handed_in: handed_in.len() as i64,
        handed_in_late: handed_in
            .iter()
            .filter(|(b, _)| b.handed_in_late(campaign.self_check_due, today))
            .count() as i64,
        signed_off: t.signed_off,
        findings: t.findings,
        per_category,
        measures: t.measures,
        closed_out: t.closed_out,
        closed_on_time: t.on_time,
        overdue: t.overdue,
        rebounds: t.rebounds,
        eligible: t.eligible,
        delivery: delivery.label(),
    };
    Ok(SummaryDoc {
        title: format!("{}对账整改专项行动情况摘要", committee.name),
        meta: vec![format!(
            "（供述职评议、年度考核参考；据系统记录生成于 {}）",
            format_date(today)
        )],
        sections: summary::committee_sections(&facts),
        unit_name: committee.name,
        campaign_title: campaign.title,
    })
}

pub async fn committee(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<SummaryPage> {
    let doc = committee_doc(&state, &user, CommitteeId(id)).await?;
    Ok(SummaryPage {
        nav: Nav::for_user(&user, ""),
        back: format!("/committees/{id}"),
        doc,
    })
}

pub async fn committee_pdf(
    State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<Response> {
    let doc = committee_doc(&state, &user, CommitteeId(id)).await?;
    offer(doc, format!("summary-committee-{id}.pdf")).await
}

/// The summary as a PDF download.
async fn offer(doc: SummaryDoc, ascii: String) -> AppResult<Response> {
    let name = format!("{}.pdf", doc.title);
    let bytes = crate::export::render(move || crate::export::pdf::summary(&doc)).await?;
    Ok(super::named_download("application/pdf", &name, &ascii, bytes))
}

pub async fn show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<SummaryPage> {
    let doc = summary_doc(&state, &user, BranchId(id)).await?;
    Ok(SummaryPage {
        nav: Nav::for_user(&user, ""),
        back: format!("/branches/{id}"),
        doc,
    })
}

pub async fn pdf(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let doc = summary_doc(&state, &user, BranchId(id)).await?;
    offer(doc, format!("summary-branch-{id}.pdf")).await
}
