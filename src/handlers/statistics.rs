//! 评估效果 (/overview/statistics): per ledger item, how many branches found a problem, campus-wide
//! and per committee, shaded by share; per committee, 查摆完成率, 整改完成率, 按期率 and 回头看反弹率,
//! ranked.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::overview::Totals;
use super::{CampaignParam, Nav};
use crate::AppState;
use crate::auth::RequireOverseer;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::domain::statistics::{CommitteeFigures, Rate, heat, rank};
use crate::domain::units::Level;
use crate::error::AppResult;

#[derive(Template, WebTemplate)]
#[template(path = "overseer/statistics.html")]
pub struct StatisticsPage {
    nav: Nav,
    campaign: Campaign,
    /// The committees, in the 组织部's order, with their number of branches.
    committees: Vec<(String, i64)>,
    items: Vec<ItemLine>,
    ranking: Vec<CommitteeFigures>,
    /// Campaign against campaign (newest first), when there are several.
    campaigns: Vec<CampaignLine>,
}

/// One campaign's campus-wide figures.
pub struct CampaignLine {
    pub title: String,
    pub branches: i64,
    pub findings: i64,
    pub closed_out: Rate,
    pub on_time: Rate,
    pub eligible: Rate,
}

/// One ledger item: branches that answered it 存在问题, campus-wide then per committee.
pub struct ItemLine {
    pub code: String,
    pub text: String,
    pub campus: Cell,
    pub committees: Vec<Cell>,
}

pub struct Cell {
    pub rate: Rate,
    pub heat: u8,
}

impl Cell {
    fn of(rate: Rate) -> Cell {
        Cell {
            heat: heat(rate.share()),
            rate,
        }
    }
}

pub async fn show(
    State(state): State<AppState>, RequireOverseer(user): RequireOverseer, asked: CampaignParam,
) -> AppResult<StatisticsPage> {
    let (campaign, campus) = super::overview::campus(&state, &user, asked).await?;
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let items = db::ledger::items(&state.db, campaign.id).await?;
    let problems = db::progress::problems_per_item(&state.db.read, campaign.id).await?;
    let decided = db::progress::look_backs_decided(&state.db.read, campaign.id).await?;
    let branches_of = |c| campus.rows.iter().filter(|(b, _)| b.committee_id == c).count() as i64;
    let item_lines = items
        .iter()
        .filter(|i| i.level == Level::Branch)
        .map(|i| {
            let position = categories
                .iter()
                .find(|c| c.id == i.category_id)
                .map_or(0, |c| c.position);
            let found = |c: Option<crate::domain::CommitteeId>| {
                problems
                    .iter()
                    .filter(|(item, k, _)| *item == i.id && c.is_none_or(|c| c == *k))
                    .map(|(_, _, n)| n)
                    .sum::<i64>()
            };
            ItemLine {
                code: format!("{position}（{}）", i.position),
                text: i.text.clone(),
                campus: Cell::of(Rate::new(found(None), campus.rows.len() as i64)),
                committees: campus
                    .committees
                    .iter()
                    .map(|c| Cell::of(Rate::new(found(Some(c.id)), branches_of(c.id))))
                    .collect(),
            }
        })
        .collect();
    let figures = campus
        .committees
        .iter()
        .map(|c| {
            let t = Totals::of(campus.rows.iter().filter(|(b, _)| b.committee_id == c.id));
            CommitteeFigures {
                name: c.name.clone(),
                answered: Rate::new(t.answered, t.branches * campus.item_count),
                closed_out: Rate::new(t.closed_out, t.measures),
                on_time: Rate::new(t.on_time, t.closed_out),
                rebound: Rate::new(
                    t.rebounds,
                    decided.iter().find(|(k, _)| *k == c.id).map_or(0, |(_, n)| *n),
                ),
            }
        })
        .collect();
    // Campaign against campaign: each one's campus as the 组织部 sees it (the newest five).
    let mut campaigns = Vec::new();
    let all = db::campaigns::all(&state.db.read).await?;
    if all.len() > 1 {
        for (c, _) in all.into_iter().take(5) {
            let Some(other) = db::overview::campus(&state.db, user.scope(), &c).await? else {
                continue;
            };
            let t = Totals::of(&other.rows);
            campaigns.push(CampaignLine {
                title: c.title.clone(),
                branches: t.branches,
                findings: t.findings,
                closed_out: Rate::new(t.closed_out, t.measures),
                on_time: Rate::new(t.on_time, t.closed_out),
                eligible: Rate::new(t.eligible, t.branches),
            });
        }
    }
    Ok(StatisticsPage {
        campaigns,
        nav: Nav::for_user(&user, "/overview"),
        committees: campus
            .committees
            .iter()
            .map(|c| (c.name.clone(), branches_of(c.id)))
            .collect(),
        items: item_lines,
        ranking: rank(figures),
        campaign,
    })
}
