//! A 党总支's page: its branches and where each stands.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::branch::{Phase, phases};
use super::{CampaignParam, Nav, Path};
use crate::AppState;
use crate::auth::RequireReviewer;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::progress::BranchProgress;
use crate::db::units::CommitteeRow;
use crate::domain::CommitteeId;
use crate::domain::dates::{self, display_moment};
use crate::domain::states::LedgerState;
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "review/committee.html")]
pub struct CommitteePage {
    nav: Nav,
    committee: CommitteeRow,
    campaign: Campaign,
    phases: Vec<Phase>,
    item_count: i64,
    branches: Vec<ProgressView>,
}

/// A branch's progress row as the committee page and the overview show it.
pub struct ProgressView {
    pub row: BranchProgress,
    pub state: LedgerState,
    pub last_change: String,
    pub measures_total: i64,
}

impl From<BranchProgress> for ProgressView {
    fn from(row: BranchProgress) -> Self {
        ProgressView {
            state: LedgerState::from_row(row.ledger_state.as_deref()),
            last_change: row
                .last_change
                .as_deref()
                .map(display_moment)
                .unwrap_or_else(|| "—".into()),
            measures_total: row.measures_not_started
                + row.measures_in_progress
                + row.measures_done
                + row.measures_closed_out,
            row,
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    RequireReviewer(user): RequireReviewer,
    Path(id): Path<i64>,
    CampaignParam(asked): CampaignParam,
) -> AppResult<CommitteePage> {
    let db = &state.db.read;
    let committee = db::units::committee(db, user.scope, CommitteeId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::resolve(db, asked).await?.ok_or(AppError::NotFound)?;
    let today = dates::today();
    // The user's scope, narrowed to this committee (an overseer looking at one of many).
    let scope = crate::domain::Scope::Committee(committee.id);
    let branches = db::progress::branches(db, scope, campaign.id, today).await?;
    Ok(CommitteePage {
        nav: Nav::for_user(&user, &format!("/committees/{}", committee.id)),
        phases: phases(&campaign, today),
        item_count: db::progress::item_count(db, campaign.id).await?,
        branches: branches.into_iter().map(ProgressView::from).collect(),
        committee,
        campaign,
    })
}
