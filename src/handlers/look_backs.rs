//! 整改"回头看" sampling (/overview/look-backs): the campaign's closed-off measures, filtered by
//! committee, and a random sample of N drawn from a seed that is shown, each committee with any
//! getting at least one; from a sampled measure the 组织部 starts its 回头看.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};

use super::{Nav, query_value};
use crate::AppState;
use crate::auth::RequireOverseer;
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::look_backs::ClosedOff;
use crate::db::units::CommitteeRow;
use crate::domain::CommitteeId;
use crate::domain::dates::display_moment;
use crate::domain::sampling;
use crate::domain::states::LookBackOutcome;
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "overseer/look_backs.html")]
pub struct SamplingPage {
    nav: Nav,
    campaign: Campaign,
    committees: Vec<CommitteeRow>,
    /// The committee the list is filtered to.
    committee: Option<CommitteeId>,
    measures: Vec<Line>,
    /// The draw asked for: (N, seed), and the measures it drew.
    drawn: Option<(usize, u64)>,
    sample: Vec<Line>,
    /// A seed for the next draw.
    next_seed: u64,
}

pub struct Line {
    pub measure: ClosedOff,
    pub closed_out: String,
}

impl SamplingPage {
    fn is_committee(&self, c: &CommitteeId) -> bool {
        self.committee == Some(*c)
    }

    /// One per committee drew more than the N asked for.
    fn more_than_asked(&self) -> bool {
        self.drawn.is_some_and(|(n, _)| self.sample.len() > n)
    }
}

impl Line {
    /// Its latest 回头看's badge style.
    fn look_back_css(&self) -> &'static str {
        match self.measure.look_back {
            Some(LookBackOutcome::Rebound) => "s-bad",
            Some(LookBackOutcome::Holds) => "s-good",
            _ => "s-wait",
        }
    }

    fn of(m: &ClosedOff) -> Line {
        Line {
            closed_out: m.closed_out_at.as_deref().map(display_moment).unwrap_or_default(),
            measure: m.clone(),
        }
    }
}

pub async fn show(
    State(state): State<AppState>, RequireOverseer(user): RequireOverseer, RawQuery(query): RawQuery,
) -> AppResult<SamplingPage> {
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let committees = db::units::committees(&state.db.read, user.scope()).await?;
    let committee = query_value(query.as_deref(), "committee")
        .and_then(|c| c.parse().ok())
        .map(CommitteeId)
        .filter(|c| committees.iter().any(|k| k.id == *c));
    let all = db::look_backs::closed_off_campus(&state.db.read, campaign.id).await?;
    let listed: Vec<&ClosedOff> = all
        .iter()
        .filter(|m| committee.is_none_or(|c| m.committee_id == c))
        .collect();
    let n = query_value(query.as_deref(), "n").and_then(|v| v.trim().parse::<usize>().ok());
    let seed = query_value(query.as_deref(), "seed").and_then(|v| v.trim().parse::<u64>().ok());
    let drawn = n.zip(seed).filter(|(n, _)| *n > 0);
    let sample = match drawn {
        Some((n, seed)) => {
            let items: Vec<(i64, i64)> = listed.iter().map(|m| (m.committee_id.0, m.measure_id.0)).collect();
            let ids = sampling::draw(&items, n, seed);
            listed
                .iter()
                .filter(|m| ids.contains(&m.measure_id.0))
                .map(|m| Line::of(m))
                .collect()
        }
        None => Vec::new(),
    };
    Ok(SamplingPage {
        nav: Nav::for_user(&user, "/overview"),
        measures: listed.iter().map(|m| Line::of(m)).collect(),
        next_seed: sampling::fresh_seed(),
        committees,
        committee,
        drawn,
        sample,
        campaign,
    })
}
