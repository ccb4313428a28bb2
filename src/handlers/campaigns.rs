//! The 组织部 runs campaigns: a new one from a copy of a previous ledger (optionally carrying
//! unfinished measures over), its dates, which one is current. Past campaigns stay readable
//! (every page takes ?campaign=ID) and unchanged.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{Form, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::campaigns::Campaign;
use crate::domain::CampaignId;
use crate::domain::campaign::DATE_FIELDS;
use crate::domain::dates::format_date;
use crate::domain::progress::DeadlineBasis;
use crate::domain::units::Level;
use crate::error::{AppError, AppResult};

const URL: &str = "/admin/campaigns";

#[derive(Template, WebTemplate)]
#[template(path = "overseer/campaigns.html")]
pub struct CampaignsPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    campaigns: Vec<(Campaign, i64)>,
    date_fields: [(&'static str, &'static str); 5],
    error: Option<String>,
    /// The refused form: campaign id (0 = new) and what was typed.
    sent: (i64, Vec<(String, String)>),
}

impl CampaignsPage {
    /// The value a date field shows: what was just sent, else the saved date.
    fn date(&self, c: &Campaign, field: &str) -> String {
        if let Some(v) = self.sent_value(c.id.0, field) {
            return v;
        }
        let d = match field {
            "issued_on" => c.issued_on,
            "self_check_due" => c.self_check_due,
            "report_due" => c.report_due,
            "rectify_due" => c.rectify_due,
            _ => c.results_due,
        };
        format_date(d)
    }

    fn sent_value(&self, id: impl std::borrow::Borrow<i64>, field: &str) -> Option<String> {
        (self.sent.0 == *id.borrow())
            .then(|| self.sent.1.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone()))
            .flatten()
    }

    /// The choices for which deadline eligibility judges against.
    fn bases(&self) -> &'static [DeadlineBasis] {
        DeadlineBasis::ALL
    }

    /// The basis a campaign's form shows chosen (0 = the new campaign's form).
    fn basis_chosen(&self, id: impl std::borrow::Borrow<i64>, saved: Option<&DeadlineBasis>) -> String {
        self.sent_value(*id.borrow(), "eligibility_deadline")
            .unwrap_or_else(|| saved.copied().unwrap_or(DeadlineBasis::Approved).code().to_string())
    }

    fn new_value(&self, field: &str) -> String {
        self.sent_value(0, field).unwrap_or_default()
    }
}

async fn page(
    state: &AppState, user: &CurrentUser, error: Option<String>, sent: (i64, Vec<(String, String)>),
) -> AppResult<CampaignsPage> {
    Ok(CampaignsPage {
        nav: Nav::for_user(user, URL),
        csrf: user.csrf.clone(),
        flash: None,
        campaigns: db::campaigns::all(&state.db.read).await?,
        date_fields: DATE_FIELDS,
        error,
        sent,
    })
}

pub async fn show(State(state): State<AppState>, session: Session, user: CurrentUser) -> AppResult<CampaignsPage> {
    let mut p = page(&state, &user, None, (-1, Vec::new())).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

/// The campaigns page again after a refused form, with what was typed (409 when stale).
async fn refused<T>(
    state: &AppState, user: &CurrentUser, outcome: Outcome<T>, id: i64, form: &actions::campaigns::CampaignForm,
) -> AppResult<Response> {
    let (status, error) = match outcome {
        Outcome::Invalid(e) => (StatusCode::BAD_REQUEST, e.messages()),
        Outcome::Stale(m) => (StatusCode::CONFLICT, m),
        other => return Err(refusal(other)),
    };
    Ok((status, page(state, user, Some(error), (id, form.fields())).await?).into_response())
}

pub async fn create(
    State(state): State<AppState>, session: Session, user: CurrentUser,
    Form(form): Form<actions::campaigns::CampaignForm>,
) -> AppResult<Response> {
    match actions::campaigns::create(&state.db, &user, &form).await? {
        Outcome::Done(title) => {
            let message = format!("已建立“{title}”（复制了问题台账）；设为当前专项行动后，各页面默认显示它。");
            done(&session, message, URL).await
        }
        other => refused(&state, &user, other, 0, &form).await,
    }
}

pub async fn update(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<actions::campaigns::CampaignForm>,
) -> AppResult<Response> {
    match actions::campaigns::update(&state.db, &user, CampaignId(id), &form).await? {
        Outcome::Done(title) => done(&session, format!("已保存“{title}”"), URL).await,
        other => refused(&state, &user, other, id, &form).await,
    }
}

pub async fn make_current(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<Response> {
    match actions::campaigns::make_current(&state.db, &user, CampaignId(id)).await? {
        Outcome::Done(title) => done(&session, format!("“{title}”已设为当前专项行动"), URL).await,
        other => Err(refusal(other)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "overseer/ledger.html")]
pub struct LedgerAdminPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    campaign: Campaign,
    /// A branch has answered or recorded a finding: the ledger can no longer change.
    locked: bool,
    categories: Vec<(db::ledger::CategoryRow, Vec<db::ledger::ItemRow>)>,
    error: Option<String>,
}

async fn ledger_page(
    state: &AppState, user: &CurrentUser, id: i64, error: Option<String>,
) -> AppResult<LedgerAdminPage> {
    let campaign = db::campaigns::by_id(&state.db.read, CampaignId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let locked = db::ledger_admin::in_use(&mut *state.db.read.acquire().await?, campaign.id).await?;
    let items = db::ledger::items(&state.db, campaign.id).await?;
    let categories = db::ledger::categories(&state.db, campaign.id)
        .await?
        .into_iter()
        .map(|c| {
            let its = items.iter().filter(|i| i.category_id == c.id).cloned().collect();
            (c, its)
        })
        .collect();
    Ok(LedgerAdminPage {
        nav: Nav::for_user(user, URL),
        csrf: user.csrf.clone(),
        flash: None,
        campaign,
        locked,
        categories,
        error,
    })
}

pub async fn ledger(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<LedgerAdminPage> {
    let mut p = ledger_page(&state, &user, id, None).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

/// One change to the ledger: a category's title, an item's text, its place, a new or removed item.
pub async fn edit_ledger(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<actions::campaigns::LedgerEdit>,
) -> AppResult<Response> {
    let (status, error) = match actions::campaigns::edit_ledger(&state.db, &user, CampaignId(id), &form).await? {
        Outcome::Done(()) => return done(&session, "问题台账已保存", &format!("{URL}/{id}/ledger")).await,
        Outcome::Refused(m) => (StatusCode::BAD_REQUEST, m),
        Outcome::Stale(m) => (StatusCode::CONFLICT, m),
        Outcome::Invalid(_) => return Err(super::not_a_form()),
        other => return Err(refusal(other)),
    };
    Ok((status, ledger_page(&state, &user, id, Some(error)).await?).into_response())
}
