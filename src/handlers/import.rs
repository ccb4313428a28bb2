//! Importing last year's 书记述职评议 problem list (an XLSX, or pasted 类别 + 问题 lines) into
//! findings: a preview first, nothing saved until the secretary confirms.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome, findings::ImportInput};
use crate::auth::CurrentUser;
use crate::db;
use crate::domain::BranchId;
use crate::domain::checklist_import::ImportedMeasure;
use crate::domain::import::{Choice, ImportRow, MAX_ROWS};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/import.html")]
pub struct ImportPage {
    nav: Nav,
    csrf: String,
    branch_id: BranchId,
    branch_name: String,
    categories: Vec<(i64, String)>,
    /// The items the unit answers, by category: (category, item, "2（1） …").
    items: Vec<(i64, i64, String)>,
    pasted: String,
    error: Option<String>,
    /// Rows to preview; empty on the first visit.
    rows: Vec<ImportRow>,
    max_rows: usize,
}

async fn page(
    state: &AppState, user: &CurrentUser, branch: BranchId, pasted: String, rows: Vec<ImportRow>, error: Option<String>,
) -> AppResult<ImportPage> {
    let branch = db::units::branch(&state.db.read, user.scope(), branch)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let items = db::ledger::items(&state.db, campaign.id)
        .await?
        .into_iter()
        .filter(|i| i.level == branch.level)
        .filter_map(|i| {
            let c = categories.iter().find(|c| c.id == i.category_id)?;
            let label = format!(
                "{}{} {}",
                c.position,
                crate::domain::ledger::item_label(i.position),
                crate::domain::submission::quote(&i.text)
            );
            Some((c.position, i.position, label))
        })
        .collect();
    Ok(ImportPage {
        items,
        nav: Nav::for_user(user, ""),
        csrf: user.csrf.clone(),
        branch_id: branch.id,
        branch_name: branch.name,
        categories: categories.into_iter().map(|c| (c.position, c.title)).collect(),
        pasted,
        error,
        rows,
        max_rows: MAX_ROWS,
    })
}

pub async fn form(State(state): State<AppState>, user: CurrentUser, Path(branch): Path<i64>) -> AppResult<ImportPage> {
    let branch = BranchId(branch);
    let p = page(&state, &user, branch, String::new(), Vec::new(), None).await?;
    match actions::may_edit(&state.db, &user, branch).await? {
        Outcome::Done(()) => Ok(p),
        other => Err(refusal(other)),
    }
}

/// Reads pasted lines or an uploaded XLSX and shows what would be imported.
pub async fn preview(
    State(state): State<AppState>, user: CurrentUser, Path(branch): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    let (pasted, input) = read_form(multipart).await;
    let (rows, error, status) = match actions::findings::preview_import(&state.db, &user, branch, input).await? {
        Outcome::Done(rows) => (rows, None, StatusCode::OK),
        Outcome::Invalid(e) => (Vec::new(), Some(e.messages()), StatusCode::BAD_REQUEST),
        other => return Err(refusal(other)),
    };
    Ok((status, page(&state, &user, branch, pasted, rows, error).await?).into_response())
}

/// What the preview form sent (and the pasted text, to show again).
async fn read_form(multipart: Result<Multipart, MultipartRejection>) -> (String, ImportInput) {
    const BROKEN: &str = "上传的内容不完整（可能超过大小限制或网络中断），请重新提交。";
    let Ok(multipart) = multipart else {
        return (String::new(), ImportInput::Unreadable(BROKEN));
    };
    let mut sent = super::SentMultipart::read(multipart).await;
    let pasted = sent.text("pasted");
    if sent.broken {
        return (pasted, ImportInput::Unreadable(BROKEN));
    }
    let file = sent
        .files("file")
        .into_iter()
        .next()
        .map(|f| f.bytes)
        .unwrap_or_default();
    let input = if !file.is_empty() {
        ImportInput::Workbook(file)
    } else if !pasted.trim().is_empty() {
        ImportInput::Pasted(pasted.clone())
    } else {
        ImportInput::Nothing
    };
    (pasted, input)
}

/// Saves the rows the secretary kept, as findings under their categories.
pub async fn confirm(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    // row_N_category, row_N_text, row_N_include — read by hand: serde_urlencoded has no arrays.
    let pairs = super::form_urlencoded_pairs(&body);
    let get = |k: String| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let mut choices = Vec::new();
    for line in 1..=MAX_ROWS {
        let Some(text) = get(format!("row_{line}_text")) else {
            break;
        };
        let measures: Option<Vec<ImportedMeasure>> = match get(format!("row_{line}_measures")) {
            None => Some(Vec::new()),
            Some(json) => serde_json::from_str(&json).ok(),
        };
        choices.push(Choice {
            line,
            category: get(format!("row_{line}_category")).and_then(|c| c.parse::<i64>().ok()),
            // "category-item", e.g. "2-1" for 2（1）; "none" for no item.
            item: get(format!("row_{line}_item")).and_then(|v| {
                let (c, i) = v.split_once('-')?;
                Some((c.parse().ok()?, i.parse().ok()?))
            }),
            text,
            include: get(format!("row_{line}_include")).is_some(),
            // The measures an 附件2 gave the row, as previewed (checked again by the action).
            measures: measures.clone().unwrap_or_default(),
            broken: measures.is_none(),
        });
    }
    match actions::findings::import(&state.db, &user, branch, &choices).await? {
        Outcome::Done(count) => {
            done(
                &session,
                format!("已导入 {count} 条述职评议问题，请为每条问题制定整改措施"),
                &format!("/branches/{branch}"),
            )
            .await
        }
        Outcome::Invalid(e) => {
            // The rows again, each with what is wrong with it.
            let rows = actions::findings::recheck_import(&state.db, &user, branch, &choices).await?;
            let p = page(&state, &user, branch, String::new(), rows, Some(e.messages())).await?;
            Ok((StatusCode::BAD_REQUEST, p).into_response())
        }
        other => Err(refusal(other)),
    }
}

impl ImportPage {
    /// A row's measures as the confirm form sends them back.
    fn measures_json(&self, row: &ImportRow) -> String {
        serde_json::to_string(&row.measures).unwrap_or_else(|_| "[]".into())
    }

    /// Whether the rows came from an 附件2 (the table then shows items and measures).
    fn has_measures(&self) -> bool {
        self.rows.iter().any(|r| !r.measures.is_empty() || r.item.is_some())
    }
}
