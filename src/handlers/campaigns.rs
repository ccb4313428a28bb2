//! The 组织部 runs campaigns: a new one from a copy of a previous ledger (optionally carrying
//! unfinished measures over), its dates, which one is current. Past campaigns stay readable
//! (every page takes ?campaign=ID) and unchanged.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Form, Nav, Path};
use crate::AppState;
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::campaigns::Campaign;
use crate::domain::CampaignId;
use crate::domain::campaign::{CampaignInput, DATE_FIELDS};
use crate::domain::dates::format_date;
use crate::domain::input::FieldErrors;
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

    fn new_value(&self, field: &str) -> String {
        self.sent_value(0, field).unwrap_or_default()
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    sent: (i64, Vec<(String, String)>),
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

#[derive(Deserialize)]
pub struct CampaignData {
    #[serde(default)]
    title: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    self_check_due: String,
    #[serde(default)]
    report_due: String,
    #[serde(default)]
    rectify_due: String,
    #[serde(default)]
    results_due: String,
    #[serde(default)]
    copy_from: Option<i64>,
    #[serde(default)]
    carry_over: Option<String>,
    #[serde(default)]
    version: i64,
}

impl CampaignData {
    fn parse(&self) -> Result<CampaignInput, FieldErrors> {
        CampaignInput::parse(
            &self.title,
            &self.doc_number,
            [
                &self.issued_on,
                &self.self_check_due,
                &self.report_due,
                &self.rectify_due,
                &self.results_due,
            ],
        )
    }

    fn sent(&self, id: i64) -> (i64, Vec<(String, String)>) {
        let pairs = [
            ("title", &self.title),
            ("doc_number", &self.doc_number),
            ("issued_on", &self.issued_on),
            ("self_check_due", &self.self_check_due),
            ("report_due", &self.report_due),
            ("rectify_due", &self.rectify_due),
            ("results_due", &self.results_due),
        ];
        (id, pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }
}

fn messages(e: &FieldErrors) -> String {
    e.0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；")
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Form(form): Form<CampaignData>,
) -> AppResult<Response> {
    let input = match form.parse() {
        Ok(i) => i,
        Err(e) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                page(&state, &user, Some(messages(&e)), form.sent(0)).await?,
            )
                .into_response());
        }
    };
    let from = match form.copy_from {
        Some(id) => {
            db::campaigns::by_id(&state.db.read, CampaignId(id))
                .await?
                .ok_or(AppError::NotFound)?
                .id
        }
        None => db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?.id,
    };
    let mut tx = state.db.write.begin().await?;
    db::campaigns::create(&mut tx, user.id, &input, from, form.carry_over.is_some()).await?;
    tx.commit().await?;
    session::flash(
        &session,
        format!(
            "已建立“{}”（复制了问题台账）；设为当前专项行动后，各页面默认显示它。",
            input.title
        ),
    )
    .await?;
    Ok(Redirect::to(URL).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CampaignData>,
) -> AppResult<Response> {
    let before = db::campaigns::by_id(&state.db.read, CampaignId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let input = match form.parse() {
        Ok(i) => i,
        Err(e) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                page(&state, &user, Some(messages(&e)), form.sent(id)).await?,
            )
                .into_response());
        }
    };
    let mut tx = state.db.write.begin().await?;
    if db::campaigns::update(&mut tx, user.id, &before, form.version, &input)
        .await?
        .is_err()
    {
        drop(tx);
        let msg = "这个专项行动刚刚被他人修改过，您的修改没有保存（已保留在下方）；请核对后重新保存。".to_string();
        return Ok((
            StatusCode::CONFLICT,
            page(&state, &user, Some(msg), form.sent(id)).await?,
        )
            .into_response());
    }
    tx.commit().await?;
    session::flash(&session, format!("已保存“{}”", input.title)).await?;
    Ok(Redirect::to(URL).into_response())
}

pub async fn make_current(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = db::campaigns::by_id(&state.db.read, CampaignId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.write.begin().await?;
    db::campaigns::make_current(&mut tx, user.id, c.id).await?;
    tx.commit().await?;
    session::flash(&session, format!("“{}”已设为当前专项行动", c.title)).await?;
    Ok(Redirect::to(URL).into_response())
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
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    error: Option<String>,
) -> AppResult<LedgerAdminPage> {
    let campaign = db::campaigns::by_id(&state.db.read, CampaignId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut conn = state.db.read.acquire().await?;
    let locked = db::ledger_admin::in_use(&mut conn, campaign.id).await?;
    drop(conn);
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
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<LedgerAdminPage> {
    let mut p = ledger_page(&state, &user, id, None).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

#[derive(Deserialize)]
pub struct LedgerEdit {
    #[serde(default)]
    action: String,
    #[serde(default)]
    id: i64,
    #[serde(default)]
    text: String,
    #[serde(default)]
    version: i64,
}

/// One change to the ledger: a category's title, an item's text, its place, a new or removed item.
pub async fn edit_ledger(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<LedgerEdit>,
) -> AppResult<Response> {
    use crate::domain::input::text;
    use crate::domain::{CategoryId, LedgerItemId};
    let campaign = db::campaigns::by_id(&state.db.read, CampaignId(id))
        .await?
        .ok_or(AppError::NotFound)?
        .id;
    let checked = match form.action.as_str() {
        "category_title" => text("类别名称", &form.text, 60, true),
        "item_text" | "item_add" => text("条目内容", &form.text, 500, true),
        _ => Ok(String::new()),
    };
    let value = match checked {
        Ok(v) => v,
        Err(m) => return Ok((StatusCode::BAD_REQUEST, ledger_page(&state, &user, id, Some(m)).await?).into_response()),
    };
    let mut tx = state.db.write.begin().await?;
    if db::ledger_admin::in_use(&mut tx, campaign).await? {
        drop(tx);
        let m = "已有党支部开始对账查摆，问题台账已锁定，不能再修改（作答必须对应不变的条目）。".to_string();
        return Ok((StatusCode::CONFLICT, ledger_page(&state, &user, id, Some(m)).await?).into_response());
    }
    let (by, item, seen) = (user.id, LedgerItemId(form.id), form.version);
    let found = match form.action.as_str() {
        "category_title" => {
            db::ledger_admin::set_category_title(&mut tx, by, campaign, CategoryId(form.id), seen, &value).await?
        }
        "item_text" => db::ledger_admin::set_item_text(&mut tx, by, campaign, item, seen, &value).await?,
        "item_up" => Ok(db::ledger_admin::move_item(&mut tx, by, campaign, item, -1).await?),
        "item_down" => Ok(db::ledger_admin::move_item(&mut tx, by, campaign, item, 1).await?),
        "item_add" => Ok(db::ledger_admin::add_item(&mut tx, by, campaign, CategoryId(form.id), &value).await?),
        "item_delete" => Ok(db::ledger_admin::delete_item(&mut tx, by, campaign, item).await?),
        _ => return Err(super::not_a_form()),
    };
    let found = match found {
        Ok(found) => found,
        Err(_stale) => {
            drop(tx);
            let m = format!("这一条刚刚被他人修改过，您的修改没有保存。您填写的内容：{}", form.text);
            return Ok((StatusCode::CONFLICT, ledger_page(&state, &user, id, Some(m)).await?).into_response());
        }
    };
    if !found {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    session::flash(&session, "问题台账已保存").await?;
    Ok(Redirect::to(&format!("{URL}/{id}/ledger")).into_response())
}
