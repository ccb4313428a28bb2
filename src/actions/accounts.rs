//! Accounts: the 组织部 makes, changes and resets them, one by one or from a workbook; every
//! user changes their own password. A new or reset account gets a one-time password, shown
//! once and never stored, which must be changed at the first login.

use serde::Deserialize;

use super::units::{campus_only, taken};
use super::{Outcome, Stop, step};
use crate::auth::{User, password};
use crate::db::{self, Db};
use crate::domain::bulk::{self, COLUMNS, Unit};
use crate::domain::history::AuditAction;
use crate::domain::input::FieldErrors;
use crate::domain::password_policy::{check_new_password, check_username};
use crate::domain::units::{CommitteeInput, person_name};
use crate::domain::{BranchId, CommitteeId, Role, UserId};

/// The most rows one import takes (a campus of 1,000 branches and their accounts).
pub const MAX_IMPORT_ROWS: usize = 3000;

/// An account made, with its one-time password: (username, name, password).
pub type NewAccount = (String, String, String);

/// A one-time password: 12 characters from a reading-friendly alphabet (no 0/O, 1/l/I).
fn one_time_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A one-time password and its hash (hashed off the async runtime, before any transaction).
async fn one_time() -> anyhow::Result<(String, String)> {
    let plain = one_time_password();
    let hash = password::hash(plain.clone()).await?;
    Ok((plain, hash))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// For a reviewer.
    pub committee_id: String,
    /// For a secretary.
    pub branch_id: String,
    pub active: Option<String>,
    /// Optional: where the account's messages go by e-mail.
    pub email: String,
    pub version: i64,
}

/// Makes an account; returns its username and one-time password. Every problem is said at once
/// (field `form`).
pub async fn create(db: &Db, user: &User, form: &AccountForm) -> super::Result<(String, String)> {
    let (plain, hash) = one_time().await?;
    step(db, async |tx| {
        campus_only(user)?;
        let username = form.username.trim().to_string();
        let mut e = FieldErrors::default();
        if let Err(m) = check_username(&username) {
            e.add("form", m);
        }
        let name = person_name(&form.display_name).unwrap_or_else(|m| {
            e.add("form", m);
            String::new()
        });
        let email = crate::domain::notify::email(&form.email).unwrap_or_else(|m| {
            e.add("form", m);
            None
        });
        let role = Role::parse(&form.role);
        let unit = match role {
            Some(Role::Reviewer) => form.committee_id.trim().parse::<i64>().ok(),
            Some(Role::Secretary) => form.branch_id.trim().parse::<i64>().ok(),
            _ => None,
        };
        let (committee_id, branch_id) = match (role, unit) {
            (Some(Role::Overseer), _) => (None, None),
            (Some(Role::Reviewer), Some(c)) if db::admin::committee(&mut *tx, CommitteeId(c)).await?.is_some() => {
                (Some(CommitteeId(c)), None)
            }
            (Some(Role::Secretary), Some(b)) if db::admin::branch(&mut *tx, BranchId(b)).await?.is_some() => {
                (None, Some(BranchId(b)))
            }
            (None, _) => {
                e.add("form", "请选择角色");
                (None, None)
            }
            (Some(_), _) => {
                e.add("form", "请选择所属单位：审核人选党总支（党委），党支部书记选党支部");
                (None, None)
            }
        };
        if !e.is_empty() {
            return Err(Stop::Invalid(e));
        }
        let new = db::users::NewUser {
            username: &username,
            display_name: &name,
            password_hash: &hash,
            role: role.unwrap_or(Role::Secretary),
            committee_id,
            branch_id,
            must_change_password: true,
        };
        let id = db::users::insert(tx, &new).await.map_err(|e| match taken(e) {
            Stop::Refused(_) => Stop::Refused("用户名已存在，请换一个".into()),
            other => other,
        })?;
        db::admin::set_email(tx, id, email.as_deref()).await?;
        db::admin::record_account_created(tx, user.id(), id, &username).await?;
        Ok((username, plain.clone()))
    })
    .await
}

/// Changes an account's name or whether it is active; returns its username.
pub async fn update(db: &Db, user: &User, id: UserId, form: &AccountForm) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let before = db::admin::account(&mut *tx, id).await?.ok_or(Stop::NotFound)?;
        let name = person_name(&form.display_name).map_err(Stop::Refused)?;
        let email = crate::domain::notify::email(&form.email).map_err(|m| Stop::Refused(m.into()))?;
        let active = form.active.is_some();
        if before.id == user.id() && !active {
            return Err(Stop::Refused("不能停用自己正在使用的账号".into()));
        }
        if db::admin::update_account(tx, user.id(), &before, form.version, &name, active, email.as_deref())
            .await?
            .is_err()
        {
            return Err(Stop::Stale(
                "这一条刚刚被他人修改过，您的修改没有保存；请查看最新内容后重试。".into(),
            ));
        }
        Ok(before.username)
    })
    .await
}

/// A new one-time password; the account's sessions end and the password must change at login.
/// Returns the username and the password.
pub async fn reset_password(db: &Db, user: &User, id: UserId) -> super::Result<(String, String)> {
    let (plain, hash) = one_time().await?;
    step(db, async |tx| {
        campus_only(user)?;
        let account = db::admin::account(&mut *tx, id).await?.ok_or(Stop::NotFound)?;
        if !db::admin::reset_password(tx, user.id(), account.id, &hash).await? {
            return Err(Stop::NotFound);
        }
        Ok((account.username, plain.clone()))
    })
    .await
}

/// What an import made: committees, branches, and each new account with its one-time password.
pub struct Imported {
    pub committees: usize,
    pub branches: usize,
    /// Branches whose data (附件1's checks) was set for the current campaign.
    pub profiles: usize,
    pub accounts: Vec<NewAccount>,
}

/// Reads units and accounts from a workbook (the template's columns) and saves everything in one
/// transaction, only if every row is right; else each problem, by row (field `file`).
pub async fn import(db: &Db, user: &User, workbook: Vec<u8>) -> super::Result<Imported> {
    let refuse = |problems: Vec<String>| {
        let mut e = FieldErrors::default();
        for p in problems {
            e.add("file", p);
        }
        Ok(Outcome::Invalid(e))
    };
    if !user.scope().is_campus() {
        return Ok(Outcome::NotFound);
    }
    if workbook.is_empty() {
        return refuse(vec!["请选择要导入的 XLSX 文件".into()]);
    }
    let rows = match tokio::task::spawn_blocking(move || {
        crate::sheets::read_first_sheet(&workbook, COLUMNS.len(), MAX_IMPORT_ROWS + 1)
    })
    .await?
    {
        Ok(rows) => rows,
        Err(m) => return refuse(vec![m]),
    };
    // The header row is skipped; everything else is data.
    let rows: Vec<bulk::Row> = rows
        .into_iter()
        .filter(|(_, cells)| cells[0] != COLUMNS[0])
        .map(|(n, cells)| (n, cells.try_into().unwrap_or_default()))
        .collect();
    if rows.len() > MAX_IMPORT_ROWS {
        return refuse(vec![format!("一次最多导入 {MAX_IMPORT_ROWS} 行，请分批导入")]);
    }
    let committees = db::admin::committees(&db.read).await?;
    let branches = db::admin::branches(&db.read).await?;
    let accounts = db::admin::accounts(&db.read).await?;
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
    let plan = match bulk::plan(&rows, &existing, crate::domain::dates::today()) {
        Ok(plan) => plan,
        Err(problems) => return refuse(problems),
    };
    let mut passwords = Vec::with_capacity(plan.accounts.len());
    for _ in &plan.accounts {
        passwords.push(one_time().await?);
    }
    step(db, async |tx| {
        for c in &plan.committees {
            db::admin::create_committee(tx, user.id(), &CommitteeInput { name: c.clone() })
                .await
                .map_err(taken)?;
        }
        for (c, b) in &plan.branches {
            let id = db::admin::committee_by_name(tx, c).await?.ok_or(Stop::NotFound)?;
            db::admin::create_branch(tx, user.id(), id, b).await.map_err(taken)?;
        }
        let mut made = Vec::new();
        for ((username, name, role, unit, email), (plain, hash)) in plan.accounts.iter().zip(&passwords) {
            let (committee_id, branch_id) = match unit {
                Unit::Campus => (None, None),
                Unit::Committee(c) => (db::admin::committee_by_name(tx, c).await?, None),
                Unit::Branch(c, b) => (None, db::admin::branch_by_names(tx, c, b).await?),
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
            let id = db::users::insert(tx, &new).await.map_err(taken)?;
            db::admin::set_email(tx, id, email.as_deref()).await?;
            db::admin::record_account_created(tx, user.id(), id, username).await?;
            made.push((username.clone(), name.clone(), plain.clone()));
        }
        if !plan.profiles.is_empty() {
            let campaign = db::campaigns::current_in(tx).await?.ok_or(Stop::NotFound)?;
            for ((c, b), profile) in &plan.profiles {
                let id = db::admin::branch_by_names(tx, c, b).await?.ok_or(Stop::NotFound)?;
                db::profiles::replace(tx, user.id(), campaign.id, id, profile).await?;
            }
        }
        Ok(Imported {
            committees: plan.committees.len(),
            branches: plan.branches.len(),
            profiles: plan.profiles.len(),
            accounts: made,
        })
    })
    .await
}

/// A user's change of their own password, as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// Changes the user's own password once the current one checks out (like a login attempt,
/// throttle included: a borrowed session must not become a way to guess it). Returns the new
/// credential version, which ends every other session. Problems come back per field; too many
/// wrong current passwords as `Refused`.
pub async fn change_password(
    db: &Db, dummy_hash: &str, user: &User, addr: &str, form: &PasswordForm,
) -> super::Result<i64> {
    let mut e = FieldErrors::default();
    if form.current_password.is_empty() {
        e.add("current_password", "请输入当前密码");
    }
    if let Err(m) = check_new_password(&user.username, &form.new_password) {
        e.add("new_password", m);
    } else if form.new_password == form.current_password {
        e.add("new_password", "新密码不能与当前密码相同");
    }
    if form.confirm_password != form.new_password {
        e.add("confirm_password", "两次输入的新密码不一致");
    }
    if !e.is_empty() {
        return Ok(Outcome::Invalid(e));
    }
    let row = match crate::auth::login::attempt(db, dummy_hash, &user.username, &form.current_password, addr).await? {
        crate::auth::login::Outcome::Success(row) if row.id == user.id() => row,
        crate::auth::login::Outcome::AccountLocked(wait) => {
            return Ok(Outcome::Refused(format!(
                "当前密码错误次数过多，请 {} 分钟后再试",
                crate::domain::throttle::minutes_to_wait(wait)
            )));
        }
        _ => {
            let mut e = FieldErrors::default();
            e.add("current_password", "当前密码不正确");
            return Ok(Outcome::Invalid(e));
        }
    };
    let hash = password::hash(form.new_password.clone()).await?;
    step(db, async |tx| {
        if !db::users::set_own_password(tx, user.id(), row.version, &hash).await? {
            return Err(Stop::Stale(
                "账号信息刚刚被修改过（可能是管理员重置了密码），请重新输入。".into(),
            ));
        }
        db::audit::record(tx, &db::audit::Entry::account(user.id(), AuditAction::PasswordChange)).await?;
        Ok(row.credential_version + 1)
    })
    .await
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
