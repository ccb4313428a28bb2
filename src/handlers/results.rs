//! 结果运用 (/overview/results): the 组织部 finalises the campaign's 评星 results from its results
//! date, records the 星级 awarded, and sees apart every branch whose live judgement has changed
//! since, with the changes that caused it. The frozen list downloads as XLSX.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::views::HistoryView;
use super::{CampaignParam, Form, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::results::StarsForm;
use crate::actions::{self, Outcome};
use crate::auth::{RequireOverseer, session};
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::results::ToFreeze;
use crate::domain::BranchId;
use crate::domain::dates::{display_moment, format_date};
use crate::domain::input::FieldErrors;
use crate::domain::results::{differs, star_words};
use crate::error::{AppError, AppResult};
use crate::export::workbooks::{self, ResultLine};

#[derive(Template, WebTemplate)]
#[template(path = "overseer/results.html")]
pub struct ResultsPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    campaign: Campaign,
    /// "2026-12-01 10:20，王玥确定（判定日 2026-11-30）" once finalised.
    finalised: Option<String>,
    /// Why the results cannot be finalised now (before the results date).
    blocked: Option<String>,
    /// The live judgement: branches judged, and eligible among them.
    live: (usize, usize),
    rows: Vec<ResultRow>,
    changed: Vec<Changed>,
    /// A refused 星级: its branch, messages and what was sent.
    refused: Option<(BranchId, FieldErrors, StarsForm)>,
    error: Option<String>,
}

pub struct ResultRow {
    pub branch_id: BranchId,
    pub committee: String,
    pub branch: String,
    pub state: &'static str,
    pub eligible: bool,
    pub reasons: String,
    pub stars: Option<i64>,
    pub stars_words: String,
    pub stars_note: String,
    pub version: i64,
}

/// A branch whose live judgement differs from the frozen one.
pub struct Changed {
    pub committee: String,
    pub branch: String,
    pub frozen: String,
    pub live: String,
    pub changes: Vec<HistoryView>,
}

impl ResultsPage {
    /// The 星级 the row's select shows: what was just sent if it was refused, else the saved one.
    fn shown_stars(&self, r: &ResultRow) -> Option<i64> {
        match self.refused_for(&r.branch_id) {
            Some((_, _, sent)) => sent.stars.trim().parse().ok(),
            None => r.stars,
        }
    }

    fn selected_stars(&self, r: &ResultRow, n: &i64) -> bool {
        self.shown_stars(r) == Some(*n)
    }

    fn selected_none(&self, r: &ResultRow) -> bool {
        self.shown_stars(r).is_none()
    }

    fn refused_for(&self, branch: &BranchId) -> Option<&(BranchId, FieldErrors, StarsForm)> {
        self.refused.as_ref().filter(|(b, _, _)| b == branch)
    }
}

fn judgement_words(eligible: bool, reasons: &str) -> String {
    if eligible {
        "具备五星级评选资格".into()
    } else {
        format!("不具备：{reasons}")
    }
}

async fn page(state: &AppState, user: &crate::auth::CurrentUser, asked: CampaignParam) -> AppResult<ResultsPage> {
    let (campaign, campus) = super::overview::campus(state, user, asked).await?;
    let frozen = db::results::campus(&state.db.read, campaign.id).await?;
    let today = crate::domain::dates::today();
    let live = (
        campus.rows.len(),
        campus.rows.iter().filter(|(_, j)| j.eligible).count(),
    );
    let (finalised, rows, changed) = match frozen {
        None => (None, Vec::new(), Vec::new()),
        Some((f, results)) => {
            let mut changed = Vec::new();
            let differing: Vec<_> = results
                .iter()
                .filter_map(|r| {
                    let (_, live) = campus.rows.iter().find(|(b, _)| b.branch_id == r.branch_id)?;
                    differs(r.eligible, &r.reasons, live.eligible, &live.reasons).then_some((r, live))
                })
                .collect();
            let ids: Vec<BranchId> = differing.iter().map(|(r, _)| r.branch_id).collect();
            let mut history = db::results::changes_after(&state.db.read, &ids, f.audit_mark).await?;
            for (r, live) in differing {
                let (mine, rest) = history.into_iter().partition(|(b, _)| *b == r.branch_id);
                history = rest;
                changed.push(Changed {
                    committee: r.committee_name.clone(),
                    branch: r.branch_name.clone(),
                    frozen: judgement_words(r.eligible, &r.reasons),
                    live: judgement_words(live.eligible, &live.reasons.join("；")),
                    changes: mine
                        .into_iter()
                        .map(|(_, h): (BranchId, _)| HistoryView::from(h))
                        .collect(),
                });
            }
            let words = format!(
                "{}，{}确定（判定日 {}）",
                display_moment(&f.finalised_at),
                f.finalised_by_name.unwrap_or_default(),
                format_date(f.judged_on)
            );
            let rows = results
                .into_iter()
                .map(|r| ResultRow {
                    branch_id: r.branch_id,
                    committee: r.committee_name,
                    branch: r.branch_name,
                    state: r.ledger_state.label(),
                    eligible: r.eligible,
                    reasons: r.reasons,
                    stars_words: star_words(r.stars),
                    stars: r.stars,
                    stars_note: r.stars_note,
                    version: r.version,
                })
                .collect();
            (Some(words), rows, changed)
        }
    };
    let blocked = crate::domain::results::may_finalise(campaign.results_due, today, finalised.is_some()).err();
    Ok(ResultsPage {
        nav: Nav::for_user(user, "/overview"),
        csrf: user.csrf.clone(),
        flash: None,
        finalised,
        blocked,
        live,
        rows,
        changed,
        refused: None,
        error: None,
        campaign,
    })
}

pub async fn show(
    State(state): State<AppState>, session: Session, RequireOverseer(user): RequireOverseer, asked: CampaignParam,
) -> AppResult<ResultsPage> {
    let mut p = page(&state, &user, asked).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

/// 确定评星结果: the live judgement of every branch, frozen as it is now.
pub async fn finalise(
    State(state): State<AppState>, session: Session, RequireOverseer(user): RequireOverseer,
) -> AppResult<Response> {
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let campus = db::overview::campus(&state.db, user.scope(), &campaign)
        .await?
        .ok_or(AppError::Forbidden)?;
    let rows: Vec<ToFreeze> = campus
        .rows
        .iter()
        .map(|(b, j)| ToFreeze {
            branch_id: b.branch_id,
            committee_name: &b.committee_name,
            branch_name: &b.branch_name,
            ledger_state: b.state(),
            eligible: j.eligible,
            reasons: j.reasons.join("；"),
        })
        .collect();
    match actions::results::finalise(&state.db, &user, campaign.id, campus.judged_on, &rows).await? {
        Outcome::Done(()) => {
            done(
                &session,
                "评星结果已确定并存档；此后的变化将单独列出",
                "/overview/results",
            )
            .await
        }
        Outcome::Refused(m) => {
            let mut p = page(&state, &user, CampaignParam(None)).await?;
            p.error = Some(m);
            Ok((StatusCode::CONFLICT, p).into_response())
        }
        other => Err(refusal(other)),
    }
}

/// The 星级 awarded to one branch.
pub async fn set_stars(
    State(state): State<AppState>, session: Session, RequireOverseer(user): RequireOverseer, Path(branch): Path<i64>,
    Form(form): Form<StarsForm>,
) -> AppResult<Response> {
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let branch = BranchId(branch);
    let outcome = actions::results::set_stars(&state.db, &user, campaign.id, branch, &form).await?;
    let (errors, status) = match outcome {
        Outcome::Done(()) => {
            return done(
                &session,
                "已记录评定星级",
                &format!("/overview/results#result-{branch}"),
            )
            .await;
        }
        Outcome::Invalid(e) => (e, StatusCode::BAD_REQUEST),
        Outcome::Stale(m) => {
            let mut e = FieldErrors::default();
            e.add("stars", m);
            (e, StatusCode::CONFLICT)
        }
        other => return Err(refusal(other)),
    };
    let mut p = page(&state, &user, CampaignParam(None)).await?;
    p.refused = Some((branch, errors, form));
    Ok((status, p).into_response())
}

/// The finalised results as PDF: by committee, each branch's judgement and 星级.
pub async fn results_pdf(
    State(state): State<AppState>, RequireOverseer(user): RequireOverseer, asked: CampaignParam,
) -> AppResult<Response> {
    let p = page(&state, &user, asked).await?;
    let Some(finalised) = p.finalised else {
        return Err(AppError::NotFound);
    };
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for r in p.rows {
        let line = if r.eligible {
            format!("{}：具备五星级评选资格；评定星级：{}。", r.branch, r.stars_words)
        } else {
            format!(
                "{}：不具备五星级评选资格（{}）；评定星级：{}。",
                r.branch, r.reasons, r.stars_words
            )
        };
        match sections.last_mut() {
            Some((c, lines)) if *c == r.committee => lines.push(line),
            _ => sections.push((r.committee, vec![line])),
        }
    }
    let doc = crate::export::SummaryDoc {
        title: format!("{}评星结果", p.campaign.title),
        unit_name: "组织部".into(),
        meta: vec![format!("{finalised}；结果确定后的变化不改动本表")],
        campaign_title: p.campaign.title.clone(),
        sections,
    };
    let bytes = crate::export::render(move || crate::export::pdf::summary(&doc)).await?;
    let name = format!("评星结果-{}.pdf", p.campaign.title);
    let ascii = format!("results-{}.pdf", p.campaign.issued_on.year());
    Ok(super::named_download("application/pdf", &name, &ascii, bytes))
}

/// The finalised results as XLSX.
pub async fn results_xlsx(
    State(state): State<AppState>, RequireOverseer(user): RequireOverseer, asked: CampaignParam,
) -> AppResult<Response> {
    let p = page(&state, &user, asked).await?;
    let Some(finalised) = p.finalised else {
        return Err(AppError::NotFound);
    };
    let lines: Vec<ResultLine> = p
        .rows
        .into_iter()
        .map(|r| ResultLine {
            committee: r.committee,
            branch: r.branch,
            state: r.state,
            eligible: r.eligible,
            reasons: r.reasons,
            stars: r.stars_words,
            stars_note: r.stars_note,
        })
        .collect();
    let title = format!("{} 评星结果（{}）", p.campaign.title, finalised);
    let bytes = crate::export::render(move || workbooks::results(&title, &lines)).await?;
    let name = format!("评星结果-{}.xlsx", p.campaign.title);
    let ascii = format!("results-{}.xlsx", p.campaign.issued_on.year());
    Ok(super::named_download(super::XLSX, &name, &ascii, bytes))
}
