//! The 组织部 keeps the campus's units and accounts: 党总支（党委）, 党支部 and users; one-time
//! passwords for new accounts and resets.

use crate::domain::input::typed_fields;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{Form, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome, accounts::NewAccount};
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::admin::{Account, Branch, Committee};
use crate::domain::bulk::COLUMNS;
use crate::domain::{BranchId, CommitteeId, Role, UserId};
use crate::error::AppResult;

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
    robot_kinds: &'static [crate::domain::notify::RobotKind],
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
    /// The committee's active reviewer accounts, who may be named its 党组织负责人, and whether
    /// each is.
    /// The current one stays listed even if its account was deactivated, so saving the
    /// committee for another reason never drops it unseen. After a refused save, the choice sent.
    fn leader_choices(&self, c: &Committee) -> Vec<(&Account, bool)> {
        let sent = self.sent.get("committee", c.id.0, "leader_user_id");
        let chosen = |a: &Account| {
            if self.sent.form == "committee" && self.sent.id == c.id.0 {
                sent == a.id.0.to_string()
            } else {
                c.leader_user_id == Some(a.id)
            }
        };
        self.accounts
            .iter()
            .filter(|a| a.role == Role::Reviewer && a.committee_id == Some(c.id))
            .filter(|a| a.active || c.leader_user_id == Some(a.id))
            .map(|a| (a, chosen(a)))
            .collect()
    }

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
        robot_kinds: crate::domain::notify::RobotKind::ALL,
    })
}

pub async fn show(State(state): State<AppState>, session: Session, user: CurrentUser) -> AppResult<AdminPage> {
    let mut p = page(&state, &user, None, Sent::default()).await?;
    p.flash = session::take_flash(&session).await?;
    Ok(p)
}

/// The page again with the refusal and the form's content, as 400 (409 when stale).
async fn refuse(
    state: &AppState, user: &CurrentUser, status: StatusCode, error: String, sent: Sent,
) -> AppResult<Response> {
    Ok((status, page(state, user, Some(error), sent).await?).into_response())
}

/// A refused form: the page again with the messages and what was typed (409 when stale).
async fn refused<T>(state: &AppState, user: &CurrentUser, outcome: Outcome<T>, sent: Sent) -> AppResult<Response> {
    let (status, error) = match outcome {
        Outcome::Invalid(e) => (StatusCode::BAD_REQUEST, e.messages()),
        Outcome::Refused(m) => (StatusCode::BAD_REQUEST, m),
        Outcome::Stale(m) => (StatusCode::CONFLICT, m),
        other => return Err(refusal(other)),
    };
    refuse(state, user, status, error, sent).await
}

/// Where a step on the page leads: back to it with its message, or the page again with the
/// form as sent and why it was refused.
async fn after<T>(
    state: &AppState, session: &Session, user: &CurrentUser, outcome: Outcome<T>, message: impl FnOnce(T) -> String,
    sent: Sent,
) -> AppResult<Response> {
    match outcome {
        Outcome::Done(v) => done(session, message(v), URL).await,
        other => refused(state, user, other, sent).await,
    }
}

impl Sent {
    fn new(form: &'static str, id: i64, fields: Vec<(String, String)>) -> Sent {
        Sent { form, id, fields }
    }
}

pub async fn create_committee(
    State(state): State<AppState>, session: Session, user: CurrentUser, Form(form): Form<actions::units::CommitteeForm>,
) -> AppResult<Response> {
    let outcome = actions::units::create_committee(&state.db, &user, &form).await?;
    let sent = Sent::new("new_committee", 0, typed_fields(&[("name", &form.name)]));
    after(&state, &session, &user, outcome, |name| format!("已添加：{name}"), sent).await
}

pub async fn update_committee(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<actions::units::CommitteeForm>,
) -> AppResult<Response> {
    let outcome = actions::units::update_committee(&state.db, &user, CommitteeId(id), &form).await?;
    let sent = Sent::new(
        "committee",
        id,
        typed_fields(&[("name", &form.name), ("leader_user_id", &form.leader_user_id)]),
    );
    after(&state, &session, &user, outcome, |name| format!("已保存：{name}"), sent).await
}

/// A committee's work-group robot. The secret typed is never sent back to the page.
pub async fn set_robot(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<actions::units::RobotForm>,
) -> AppResult<Response> {
    let outcome = actions::units::set_robot(&state.db, &user, CommitteeId(id), &form).await?;
    let typed = [("robot_kind", form.robot_kind.as_str()), ("robot_url", &form.robot_url)];
    let sent = Sent::new("robot", id, typed_fields(&typed));
    after(
        &state,
        &session,
        &user,
        outcome,
        |name| format!("已保存{name}的群机器人设置"),
        sent,
    )
    .await
}

pub async fn create_branch(
    State(state): State<AppState>, session: Session, user: CurrentUser, Form(form): Form<actions::units::BranchForm>,
) -> AppResult<Response> {
    let outcome = actions::units::create_branch(&state.db, &user, &form).await?;
    let sent = Sent::new("new_branch", form.committee_id, form.fields());
    after(&state, &session, &user, outcome, |name| format!("已添加：{name}"), sent).await
}

pub async fn update_branch(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<actions::units::BranchForm>,
) -> AppResult<Response> {
    let outcome = actions::units::update_branch(&state.db, &user, BranchId(id), &form).await?;
    let sent = Sent::new("branch", id, form.fields());
    after(&state, &session, &user, outcome, |name| format!("已保存：{name}"), sent).await
}

fn one_time_notice((username, password): (String, String)) -> String {
    format!("账号 {username} 的一次性密码：{password}　（只显示这一次，请当面或电话告知本人；首次登录须修改密码）")
}

pub async fn create_account(
    State(state): State<AppState>, session: Session, user: CurrentUser,
    Form(form): Form<actions::accounts::AccountForm>,
) -> AppResult<Response> {
    let outcome = actions::accounts::create(&state.db, &user, &form).await?;
    let typed = [
        ("username", form.username.as_str()),
        ("display_name", &form.display_name),
        ("role", &form.role),
        ("committee_id", &form.committee_id),
        ("branch_id", &form.branch_id),
        ("email", &form.email),
    ];
    after(
        &state,
        &session,
        &user,
        outcome,
        one_time_notice,
        Sent::new("new_account", 0, typed_fields(&typed)),
    )
    .await
}

pub async fn update_account(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<actions::accounts::AccountForm>,
) -> AppResult<Response> {
    let outcome = actions::accounts::update(&state.db, &user, UserId(id), &form).await?;
    let typed = [("display_name", form.display_name.as_str()), ("email", &form.email)];
    let sent = Sent::new("account", id, typed_fields(&typed));
    after(
        &state,
        &session,
        &user,
        outcome,
        |username| format!("已保存账号 {username}"),
        sent,
    )
    .await
}

/// A new one-time password; the account's sessions end and the password must change at login.
pub async fn reset_password(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<Response> {
    match actions::accounts::reset_password(&state.db, &user, UserId(id)).await? {
        Outcome::Done(made) => done(&session, one_time_notice(made), URL).await,
        other => Err(refusal(other)),
    }
}

/// Bulk import of units and accounts from an XLSX.
#[derive(Template, WebTemplate)]
#[template(path = "overseer/import.html")]
pub struct ImportPage {
    nav: Nav,
    csrf: String,
    columns: [&'static str; 12],
    problems: Vec<String>,
    /// After a successful import: what was made, and each new account's one-time password
    /// (shown this once, never stored).
    made: Option<(usize, usize, usize, Vec<NewAccount>)>,
}

fn import_page(user: &CurrentUser) -> ImportPage {
    ImportPage {
        nav: Nav::for_user(user, ""),
        csrf: user.csrf.clone(),
        columns: COLUMNS,
        problems: Vec::new(),
        made: None,
    }
}

pub async fn import_form(user: CurrentUser) -> ImportPage {
    import_page(&user)
}

/// The template: the columns, with two example rows.
pub async fn import_template() -> AppResult<Response> {
    let bytes = crate::export::render(|| crate::export::workbooks::import_template(&COLUMNS)).await?;
    Ok(super::xlsx_download("单位与账号导入模板.xlsx", bytes))
}

/// Checks the whole file; saves everything in one transaction only if every row is right.
pub async fn import(
    State(state): State<AppState>, user: CurrentUser,
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
    match actions::accounts::import(&state.db, &user, bytes).await? {
        Outcome::Done(made) => {
            p.made = Some((made.committees, made.branches, made.profiles, made.accounts));
            Ok(p.into_response())
        }
        Outcome::Invalid(e) => {
            p.problems = e.0.into_iter().map(|(_, m)| m).collect();
            Ok((StatusCode::BAD_REQUEST, p).into_response())
        }
        other => Err(refusal(other)),
    }
}
