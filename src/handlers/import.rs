//! Importing last year's 书记述职评议 problem list (an XLSX, or pasted 类别 + 问题 lines) into
//! findings: a preview first, nothing saved until the secretary confirms.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::work::Work;
use super::{Nav, Path};
use crate::AppState;
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::domain::import::{self, ImportRow, MAX_ROWS};
use crate::domain::input::finding_text;
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/import.html")]
pub struct ImportPage {
    nav: Nav,
    csrf: String,
    branch_id: crate::domain::BranchId,
    branch_name: String,
    categories: Vec<(i64, String)>,
    pasted: String,
    error: Option<String>,
    /// Rows to preview; empty on the first visit.
    rows: Vec<ImportRow>,
    max_rows: usize,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    work: &Work,
    pasted: String,
    rows: Vec<ImportRow>,
    error: Option<String>,
) -> AppResult<ImportPage> {
    let categories = db::ledger::categories(&state.db, work.campaign.id).await?;
    Ok(ImportPage {
        nav: Nav::for_user(user, ""),
        csrf: user.csrf.clone(),
        branch_id: work.branch.id,
        branch_name: work.branch.name.clone(),
        categories: categories.into_iter().map(|c| (c.position, c.title)).collect(),
        pasted,
        error,
        rows,
        max_rows: MAX_ROWS,
    })
}

pub async fn form(State(state): State<AppState>, user: CurrentUser, Path(branch): Path<i64>) -> AppResult<ImportPage> {
    let work = Work::load(&state, &user, branch).await?;
    work.ensure_editable(&state).await?;
    page(&state, &user, &work, String::new(), Vec::new(), None).await
}

/// Reads pasted lines or an uploaded XLSX and shows what would be imported.
pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(branch): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    work.ensure_editable(&state).await?;
    let mut multipart = multipart.map_err(|_| super::not_a_form())?;
    let (mut pasted, mut file) = (String::new(), Vec::new());
    let bad = |_| AppError::BadRequest("上传的内容不完整（可能超过大小限制或网络中断），请重新提交。".into());
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "pasted" => pasted = field.text().await.map_err(bad)?,
            "file" => file = field.bytes().await.map_err(bad)?.to_vec(),
            _ => {}
        }
    }
    let categories = db::ledger::categories(&state.db, work.campaign.id).await?;
    let titles: Vec<(i64, &str)> = categories.iter().map(|c| (c.position, c.title.as_str())).collect();
    let result = if !file.is_empty() {
        tokio::task::spawn_blocking(move || read_xlsx(&file))
            .await?
            .map(|cells| import::from_cells(cells, &titles))
    } else if !pasted.trim().is_empty() {
        Ok(import::from_lines(&pasted, &titles))
    } else {
        Err("请粘贴问题清单，或选择一个 XLSX 文件".to_string())
    };
    let (rows, error) = match result {
        Ok(rows) if rows.is_empty() => (
            rows,
            Some("没有读到任何问题：请检查格式（每行“类别”与“问题”之间用 Tab 键或冒号分隔）".to_string()),
        ),
        Ok(rows) => (rows, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, page(&state, &user, &work, pasted, rows, error).await?).into_response())
}

/// The first two columns of the first sheet, as (row number, 类别, 问题).
fn read_xlsx(bytes: &[u8]) -> Result<Vec<(usize, String, String)>, String> {
    let rows = crate::sheets::read_first_sheet(bytes, 2, MAX_ROWS + 1)?;
    Ok(rows
        .into_iter()
        .map(|(n, cells)| {
            let [a, b]: [String; 2] = cells.try_into().unwrap_or_default();
            (n, a, b)
        })
        .collect())
}

/// Saves the rows the secretary kept, as findings under their categories.
pub async fn confirm(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(branch): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let work = Work::load(&state, &user, branch).await?;
    // row_N_category, row_N_text, row_N_include — read by hand: serde_urlencoded has no arrays.
    let pairs = super::form_urlencoded_pairs(&body);
    let get = |k: String| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let mut rows = Vec::new();
    for n in 1..=MAX_ROWS {
        let Some(text) = get(format!("row_{n}_text")) else {
            break;
        };
        let category = get(format!("row_{n}_category")).and_then(|c| c.parse::<i64>().ok());
        let include = get(format!("row_{n}_include")).is_some();
        rows.push((n, category, text, include));
    }
    let categories = db::ledger::categories(&state.db, work.campaign.id).await?;
    let mut preview = Vec::new();
    let mut chosen = Vec::new();
    for (n, category, text, include) in rows {
        let cat = category.and_then(|p| categories.iter().find(|c| c.position == p));
        let error = match (finding_text(&text), cat) {
            _ if !include => None,
            (Err(e), _) => e.get("text").map(str::to_string),
            (Ok(_), None) => Some("请选择类别".into()),
            (Ok(t), Some(c)) => {
                chosen.push((c.id, t));
                None
            }
        };
        preview.push(ImportRow {
            line: n,
            category,
            text,
            error,
        });
    }
    if preview.iter().any(|r| r.error.is_some()) || chosen.is_empty() {
        let error = if chosen.is_empty() && preview.iter().all(|r| r.error.is_none()) {
            Some("没有勾选任何要导入的问题".to_string())
        } else {
            Some("有几行需要修改，请看标红的行".to_string())
        };
        let p = page(&state, &user, &work, String::new(), preview, error).await?;
        return Ok((StatusCode::BAD_REQUEST, p).into_response());
    }
    let count = chosen.len();
    work.edit(&state, async |tx| {
        for (category, text) in &chosen {
            db::findings::create(
                tx,
                work.actor,
                work.campaign.id,
                *category,
                None,
                text,
                crate::domain::states::FindingSource::Imported,
            )
            .await?;
        }
        Ok(())
    })
    .await?;
    session::flash(
        &session,
        format!("已导入 {count} 条述职评议问题，请为每条问题制定整改措施"),
    )
    .await?;
    Ok(Redirect::to(&work.ledger_url()).into_response())
}
