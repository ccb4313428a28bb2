//! The 组织部's campus overview: every committee and branch with simple counts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::branch::{Phase, phases};
use super::committee::ProgressView;
use super::{CampaignParam, Nav};
use crate::AppState;
use crate::auth::RequireOverseer;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::domain::CommitteeId;
use crate::domain::dates;
use crate::domain::states::LedgerState;
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
}

impl Totals {
    fn add(&mut self, b: &ProgressView) {
        self.branches += 1;
        self.started += i64::from(b.state != LedgerState::NotStarted);
        self.submitted += i64::from(b.state == LedgerState::Submitted);
        self.returned += i64::from(b.state == LedgerState::Returned);
        self.signed_off += i64::from(b.state == LedgerState::SignedOff);
        self.findings += b.row.findings;
        self.measures += b.measures_total;
        self.closed_out += b.row.measures_closed_out;
        self.overdue += b.row.measures_overdue;
    }
}

pub struct CommitteeView {
    pub id: CommitteeId,
    pub name: String,
    pub totals: Totals,
    pub branches: Vec<ProgressView>,
}

pub async fn show(
    State(state): State<AppState>,
    RequireOverseer(user): RequireOverseer,
    CampaignParam(asked): CampaignParam,
) -> AppResult<OverviewPage> {
    let db = &state.db.read;
    let campaign = db::campaigns::resolve(db, asked).await?.ok_or(AppError::NotFound)?;
    let today = dates::today();
    let committees = db::units::committees(db, user.scope).await?;
    let rows = db::progress::branches(db, user.scope, campaign.id, today).await?;

    let mut totals = Totals::default();
    let mut views: Vec<CommitteeView> = committees
        .into_iter()
        .map(|c| CommitteeView {
            id: c.id,
            name: c.name,
            totals: Totals::default(),
            branches: Vec::new(),
        })
        .collect();
    for row in rows {
        let view = ProgressView::from(row);
        totals.add(&view);
        if let Some(c) = views.iter_mut().find(|c| c.id == view.row.committee_id) {
            c.totals.add(&view);
            c.branches.push(view);
        }
    }
    Ok(OverviewPage {
        nav: Nav::for_user(&user, "/overview"),
        phases: phases(&campaign, today),
        item_count: db::progress::item_count(db, campaign.id).await?,
        totals,
        committees: views,
        campaign,
    })
}
