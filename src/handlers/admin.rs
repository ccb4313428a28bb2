//! The 组织部 keeps the campus's units and accounts: 党总支（党委）, 党支部 and users; one-time
//! passwords for new accounts and resets.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Form, Nav, Path};
use crate::AppState;
use crate::auth::{CurrentUser, password, session};
use crate::db;
use crate::db::admin::{Account, Branch, Committee};
use crate::domain::input::FieldErrors;
use crate::domain::password_policy::check_username;
use crate::domain::units::{BranchInput, CommitteeInput, person_name};
use crate::domain::{BranchId, CommitteeId, Role, UserId};
use crate::error::{AppError, AppResult};

const URL: &str = "/admin";

#[derive(Template, WebTemplate)]
#[template(path = "overseer/admin.html")]
pub struct AdminPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    committees: Vec<(Committee, Vec<Branch>)>,
    accounts: Vec<Account>,
    /// A refused form: which one (and its row), the messages, and what was typed.
    error: Option<String>,
    sent: Sent,
}

/// What the refused form carried, to show again.
#[derive(Default)]
pub struct Sent {
    pub form: &'static str,
    pub id: i64,
    pub fields: Vec<(String, String)>,
}

impl Sent {
    fn get(&self, form: &str, id: impl std::borrow::Borrow<i64>, field: &str) -> String {
        if self.form != form || self.id != *id.borrow() {
            return String::new();
        }
        self.fields
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

impl AdminPage {
    fn unit_name(&self, a: &Account) -> String {
        let committee = |id: CommitteeId| {
            self.committees
                .iter()
                .find(|(c, _)| c.id == id)
                .map(|(c, _)| c.name.clone())
        };
        match (a.committee_id, a.branch_id) {
            (Some(c), _) => committee(c).unwrap_or_default(),
            (_, Some(b)) => self
                .committees
                .iter()
                .flat_map(|(_, bs)| bs.iter())
                .find(|x| x.id == b)
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            _ => "组织部".into(),
        }
    }

    fn role_label(&self, a: &Account) -> &'static str {
        a.role.label()
    }
}

async fn page(state: &AppState, user: &CurrentUser, error: Option<String>, sent: Sent) -> AppResult<AdminPage> {
    let committees = db::admin::committees(&state.db.read).await?;
    let branches = db::admin::branches(&state.db.read).await?;
    Ok(AdminPage {
        nav: Nav::for_user(user, URL),
        csrf: user.csrf.clone(),
        flash: None,
        committees: committees
            .into_iter()
            .map(|c| {
                let bs = branches.iter().filter(|b| b.committee_id == c.id).cloned().collect();
                (c, bs)
            })
            .collect(),
        accounts: db::admin::accounts(&state.db.read).await?,
        error,
        sent,
    })
}

pub async fn show(State(state): State<AppState>, session: Session, user: CurrentUser) -> AppResult<AdminPage> {
    let mut p = page(&state, &user, None, Sent::default()).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

/// The page again with the refusal and the form's content, as 400 (409 when stale).
async fn refuse(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    error: String,
    sent: Sent,
) -> AppResult<Response> {
    Ok((status, page(state, user, Some(error), sent).await?).into_response())
}

fn messages(e: &FieldErrors) -> String {
    e.0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；")
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

const STALE: &str = "这一条刚刚被他人修改过，您的修改没有保存；请查看最新内容后重试。";
const TAKEN: &str = "名称（或用户名）已存在，请换一个";

#[derive(Deserialize)]
pub struct CommitteeData {
    #[serde(default)]
    name: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    version: i64,
}

pub async fn create_committee(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Form(form): Form<CommitteeData>,
) -> AppResult<Response> {
    let sent = || Sent {
        form: "new_committee",
        id: 0,
        fields: fields(&[("name", &form.name)]),
    };
    let input = match CommitteeInput::parse(&form.name) {
        Ok(i) => i,
        Err(e) => return refuse(&state, &user, StatusCode::BAD_REQUEST, messages(&e), sent()).await,
    };
    let mut tx = state.db.write.begin().await?;
    match db::admin::create_committee(&mut tx, user.id, &input).await {
        Ok(_) => tx.commit().await?,
        Err(e) if db::is_constraint_violation(&e) => {
            return refuse(&state, &user, StatusCode::BAD_REQUEST, TAKEN.into(), sent()).await;
        }
        Err(e) => return Err(e.into()),
    }
    session::flash(&session, format!("已添加：{}", input.name)).await?;
    Ok(Redirect::to(URL).into_response())
}

pub async fn update_committee(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CommitteeData>,
) -> AppResult<Response> {
    let before = db::admin::committees(&state.db.read)
        .await?
        .into_iter()
        .find(|c| c.id.0 == id)
        .ok_or(AppError::NotFound)?;
    let sent = || Sent {
        form: "committee",
        id,
        fields: fields(&[("name", &form.name)]),
    };
    let input = match CommitteeInput::parse(&form.name) {
        Ok(i) => i,
        Err(e) => return refuse(&state, &user, StatusCode::BAD_REQUEST, messages(&e), sent()).await,
    };
    let mut tx = state.db.write.begin().await?;
    match db::admin::update_committee(&mut tx, user.id, &before, form.version, &input, form.active.is_some()).await {
        Ok(Ok(())) => tx.commit().await?,
        Ok(Err(_)) => return refuse(&state, &user, StatusCode::CONFLICT, STALE.into(), sent()).await,
        Err(e) if db::is_constraint_violation(&e) => {
            return refuse(&state, &user, StatusCode::BAD_REQUEST, TAKEN.into(), sent()).await;
        }
        Err(e) => return Err(e.into()),
    }
    session::flash(&session, format!("已保存：{}", input.name)).await?;
    Ok(Redirect::to(URL).into_response())
}

#[derive(Deserialize)]
pub struct BranchData {
    #[serde(default)]
    committee_id: i64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    full_member_count: String,
    #[serde(default)]
    secretary_name: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    version: i64,
}

impl BranchData {
    fn sent(&self, form: &'static str, id: i64) -> Sent {
        Sent {
            form,
            id,
            fields: fields(&[
                ("name", &self.name),
                ("full_member_count", &self.full_member_count),
                ("secretary_name", &self.secretary_name),
            ]),
        }
    }
}

pub async fn create_branch(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Form(form): Form<BranchData>,
) -> AppResult<Response> {
    let committee = CommitteeId(form.committee_id);
    if !db::units::committee_exists(&state.db.read, committee).await? {
        return Err(AppError::NotFound);
    }
    let input = match BranchInput::parse(&form.name, &form.full_member_count, &form.secretary_name) {
        Ok(i) => i,
        Err(e) => {
            return refuse(
                &state,
                &user,
                StatusCode::BAD_REQUEST,
                messages(&e),
                form.sent("new_branch", committee.0),
            )
            .await;
        }
    };
    let mut tx = state.db.write.begin().await?;
    match db::admin::create_branch(&mut tx, user.id, committee, &input).await {
        Ok(_) => tx.commit().await?,
        Err(e) if db::is_constraint_violation(&e) => {
            return refuse(
                &state,
                &user,
                StatusCode::BAD_REQUEST,
                TAKEN.into(),
                form.sent("new_branch", committee.0),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    session::flash(&session, format!("已添加：{}", input.name)).await?;
    Ok(Redirect::to(URL).into_response())
}

pub async fn update_branch(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<BranchData>,
) -> AppResult<Response> {
    let before = db::admin::branches(&state.db.read)
        .await?
        .into_iter()
        .find(|b| b.id.0 == id)
        .ok_or(AppError::NotFound)?;
    let input = match BranchInput::parse(&form.name, &form.full_member_count, &form.secretary_name) {
        Ok(i) => i,
        Err(e) => {
            return refuse(
                &state,
                &user,
                StatusCode::BAD_REQUEST,
                messages(&e),
                form.sent("branch", id),
            )
            .await;
        }
    };
    let mut tx = state.db.write.begin().await?;
    match db::admin::update_branch(&mut tx, user.id, &before, form.version, &input, form.active.is_some()).await {
        Ok(Ok(())) => tx.commit().await?,
        Ok(Err(_)) => {
            return refuse(
                &state,
                &user,
                StatusCode::CONFLICT,
                STALE.into(),
                form.sent("branch", id),
            )
            .await;
        }
        Err(e) if db::is_constraint_violation(&e) => {
            return refuse(
                &state,
                &user,
                StatusCode::BAD_REQUEST,
                TAKEN.into(),
                form.sent("branch", id),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    session::flash(&session, format!("已保存：{}", input.name)).await?;
    Ok(Redirect::to(URL).into_response())
}

#[derive(Deserialize)]
pub struct AccountData {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    /// For a reviewer.
    #[serde(default)]
    committee_id: String,
    /// For a secretary.
    #[serde(default)]
    branch_id: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    version: i64,
}

/// A one-time password: 12 characters from a reading-friendly alphabet (no 0/O, 1/l/I).
fn one_time_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub async fn create_account(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Form(form): Form<AccountData>,
) -> AppResult<Response> {
    let sent = || Sent {
        form: "new_account",
        id: 0,
        fields: fields(&[
            ("username", &form.username),
            ("display_name", &form.display_name),
            ("role", &form.role),
            ("committee_id", &form.committee_id),
            ("branch_id", &form.branch_id),
        ]),
    };
    let username = form.username.trim().to_string();
    let mut problems = Vec::new();
    if let Err(m) = check_username(&username) {
        problems.push(m.to_string());
    }
    let name = person_name(&form.display_name).unwrap_or_else(|m| {
        problems.push(m);
        String::new()
    });
    let role = Role::parse(&form.role);
    let unit = match role {
        Some(Role::Reviewer) => form.committee_id.trim().parse::<i64>().ok(),
        Some(Role::Secretary) => form.branch_id.trim().parse::<i64>().ok(),
        _ => None,
    };
    let (role, committee_id, branch_id) = match (role, unit) {
        (Some(Role::Overseer), _) => (Role::Overseer, None, None),
        (Some(Role::Reviewer), Some(c)) if db::units::committee_exists(&state.db.read, CommitteeId(c)).await? => {
            (Role::Reviewer, Some(CommitteeId(c)), None)
        }
        (Some(Role::Secretary), Some(b)) if db::units::branch_exists(&state.db.read, BranchId(b)).await? => {
            (Role::Secretary, None, Some(BranchId(b)))
        }
        (None, _) => {
            problems.push("请选择角色".into());
            (Role::Secretary, None, None)
        }
        (Some(_), _) => {
            problems.push("请选择所属单位：审核人选党总支（党委），党支部书记选党支部".into());
            (Role::Secretary, None, None)
        }
    };
    if !problems.is_empty() {
        return refuse(&state, &user, StatusCode::BAD_REQUEST, problems.join("；"), sent()).await;
    }
    let one_time = one_time_password();
    let hash = password::hash(one_time.clone()).await?;
    let mut tx = state.db.write.begin().await?;
    let new = db::users::NewUser {
        username: &username,
        display_name: &name,
        password_hash: &hash,
        role,
        committee_id,
        branch_id,
        must_change_password: true,
    };
    match db::users::insert(&mut tx, &new).await {
        Ok(id) => db::admin::record_account_created(&mut tx, user.id, id, &username).await?,
        Err(e) if db::is_constraint_violation(&e) => {
            return refuse(
                &state,
                &user,
                StatusCode::BAD_REQUEST,
                "用户名已存在，请换一个".into(),
                sent(),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    session::flash(&session, one_time_notice(&username, &one_time)).await?;
    Ok(Redirect::to(URL).into_response())
}

fn one_time_notice(username: &str, password: &str) -> String {
    format!("账号 {username} 的一次性密码：{password}　（只显示这一次，请当面或电话告知本人；首次登录须修改密码）")
}

pub async fn update_account(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AccountData>,
) -> AppResult<Response> {
    let before = db::admin::account(&state.db.read, UserId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let sent = || Sent {
        form: "account",
        id,
        fields: fields(&[("display_name", &form.display_name)]),
    };
    let name = match person_name(&form.display_name) {
        Ok(n) => n,
        Err(m) => return refuse(&state, &user, StatusCode::BAD_REQUEST, m, sent()).await,
    };
    let active = form.active.is_some();
    if before.id == user.id && !active {
        return refuse(
            &state,
            &user,
            StatusCode::BAD_REQUEST,
            "不能停用自己正在使用的账号".into(),
            sent(),
        )
        .await;
    }
    let mut tx = state.db.write.begin().await?;
    if db::admin::update_account(&mut tx, user.id, &before, form.version, &name, active)
        .await?
        .is_err()
    {
        return refuse(&state, &user, StatusCode::CONFLICT, STALE.into(), sent()).await;
    }
    tx.commit().await?;
    session::flash(&session, format!("已保存账号 {}", before.username)).await?;
    Ok(Redirect::to(URL).into_response())
}

/// A new one-time password; the account's sessions end and the password must change at login.
pub async fn reset_password(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let account = db::admin::account(&state.db.read, UserId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let one_time = one_time_password();
    let hash = password::hash(one_time.clone()).await?;
    let mut tx = state.db.write.begin().await?;
    if !db::admin::reset_password(&mut tx, user.id, account.id, &hash).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    session::flash(&session, one_time_notice(&account.username, &one_time)).await?;
    Ok(Redirect::to(URL).into_response())
}

#[cfg(test)]
mod tests {
    use super::one_time_password;

    #[test]
    fn one_time_passwords_are_readable_and_random() {
        let p = one_time_password();
        assert_eq!(p.chars().count(), 12);
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
        assert_ne!(p, one_time_password());
        assert!(crate::domain::password_policy::check_new_password("someone", &p).is_ok());
    }
}

/// Bulk import of units and accounts from an XLSX.
#[derive(Template, WebTemplate)]
#[template(path = "overseer/import.html")]
pub struct ImportPage {
    nav: Nav,
    csrf: String,
    columns: [&'static str; 7],
    problems: Vec<String>,
    /// After a successful import: what was made, and each new account's one-time password
    /// (shown this once, never stored).
    made: Option<(usize, usize, Vec<NewAccount>)>,
}

/// An account made by an import: username, name, one-time password.
type NewAccount = (String, String, String);

fn import_page(user: &CurrentUser) -> ImportPage {
    ImportPage {
        nav: Nav::for_user(user, ""),
        csrf: user.csrf.clone(),
        columns: COLUMNS,
        problems: Vec::new(),
        made: None,
    }
}

use crate::domain::bulk::{self, COLUMNS, Unit};

/// The most rows one import takes (a campus of 1,000 branches and their accounts).
const MAX_IMPORT_ROWS: usize = 3000;

pub async fn import_form(user: CurrentUser) -> ImportPage {
    import_page(&user)
}

/// The template: the columns, with two example rows.
pub async fn import_template() -> AppResult<Response> {
    let bytes = tokio::task::spawn_blocking(|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("单位与账号")?;
        let head = rust_xlsxwriter::Format::new()
            .set_bold()
            .set_background_color("#F2F2F2");
        for (i, c) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, *c, &head)?;
            sheet.set_column_width(i as u16, if i < 2 { 26.0 } else { 14.0 })?;
        }
        for (r, row) in [
            ["化学化工学院党委", "", "", "", "hx.reviewer", "钱堃", "审核人"],
            [
                "化学化工学院党委",
                "化学系教工党支部",
                "12",
                "赵珺",
                "hx.secretary1",
                "赵珺",
                "党支部书记",
            ],
        ]
        .iter()
        .enumerate()
        {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, *v)?;
            }
        }
        book.save_to_buffer()
    })
    .await?
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(super::xlsx_download("单位与账号导入模板.xlsx", bytes))
}

/// Checks the whole file; saves everything in one transaction only if every row is right.
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> AppResult<Response> {
    let mut multipart = multipart.map_err(|_| super::not_a_form())?;
    let mut bytes = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| super::not_a_form())? {
        if field.name() == Some("file") {
            bytes = field.bytes().await.map_err(|_| super::not_a_form())?.to_vec();
        }
    }
    let mut p = import_page(&user);
    let refuse = |mut p: ImportPage, problems: Vec<String>| {
        p.problems = problems;
        Ok((StatusCode::BAD_REQUEST, p).into_response())
    };
    if bytes.is_empty() {
        return refuse(p, vec!["请选择要导入的 XLSX 文件".into()]);
    }
    let rows =
        match tokio::task::spawn_blocking(move || crate::sheets::read_first_sheet(&bytes, 7, MAX_IMPORT_ROWS + 1))
            .await?
        {
            Ok(rows) => rows,
            Err(m) => return refuse(p, vec![m]),
        };
    // The header row is skipped; everything else is data.
    let rows: Vec<bulk::Row> = rows
        .into_iter()
        .filter(|(_, cells)| cells[0] != COLUMNS[0])
        .map(|(n, cells)| (n, cells.try_into().unwrap_or_default()))
        .collect();
    if rows.len() > MAX_IMPORT_ROWS {
        return refuse(p, vec![format!("一次最多导入 {MAX_IMPORT_ROWS} 行，请分批导入")]);
    }
    let committees = db::admin::committees(&state.db.read).await?;
    let branches = db::admin::branches(&state.db.read).await?;
    let accounts = db::admin::accounts(&state.db.read).await?;
    let name_of = |id: CommitteeId| {
        committees
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str())
            .unwrap_or("")
    };
    let existing = bulk::Existing {
        committees: committees.iter().map(|c| c.name.as_str()).collect(),
        branches: branches
            .iter()
            .map(|b| (name_of(b.committee_id), b.name.as_str()))
            .collect(),
        usernames: accounts.iter().map(|a| a.username.as_str()).collect(),
    };
    let plan = match bulk::plan(&rows, &existing) {
        Ok(plan) => plan,
        Err(problems) => return refuse(p, problems),
    };
    // Hash first (CPU, outside the write transaction).
    let mut passwords = Vec::with_capacity(plan.accounts.len());
    for _ in &plan.accounts {
        let one_time = one_time_password();
        let hash = password::hash(one_time.clone()).await?;
        passwords.push((one_time, hash));
    }
    let mut tx = state.db.write.begin().await?;
    for c in &plan.committees {
        db::admin::create_committee(&mut tx, user.id, &CommitteeInput { name: c.clone() }).await?;
    }
    for (c, b) in &plan.branches {
        let id = db::admin::committee_by_name(&mut tx, c)
            .await?
            .ok_or(AppError::NotFound)?;
        db::admin::create_branch(&mut tx, user.id, id, b).await?;
    }
    let mut made = Vec::new();
    for ((username, name, role, unit), (one_time, hash)) in plan.accounts.iter().zip(&passwords) {
        let (committee_id, branch_id) = match unit {
            Unit::Campus => (None, None),
            Unit::Committee(c) => (db::admin::committee_by_name(&mut tx, c).await?, None),
            Unit::Branch(c, b) => (None, db::admin::branch_by_names(&mut tx, c, b).await?),
        };
        let new = db::users::NewUser {
            username,
            display_name: name,
            password_hash: hash,
            role: *role,
            committee_id,
            branch_id,
            must_change_password: true,
        };
        let id = db::users::insert(&mut tx, &new).await?;
        db::admin::record_account_created(&mut tx, user.id, id, username).await?;
        made.push((username.clone(), name.clone(), one_time.clone()));
    }
    tx.commit().await?;
    p.made = Some((plan.committees.len(), plan.branches.len(), made));
    Ok(p.into_response())
}
