//! The 组织部 keeps the campus's units: 党总支（党委） and 党支部.

use serde::Deserialize;

use super::{Stop, checked, step};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::input::typed_fields;
use crate::domain::notify::RobotKind;
use crate::domain::units::{BranchInput, CommitteeInput, Level, Part, profile};
use crate::domain::{BranchId, CommitteeId};

/// A name (or username) another unit already has.
pub const TAKEN: &str = "名称（或用户名）已存在，请换一个";
const STALE: &str = "这一条刚刚被他人修改过，您的修改没有保存；请查看最新内容后重试。";

/// Only the campus scope keeps units (routes.rs admits only the 组织部; this holds regardless).
pub(super) fn campus_only(user: &User) -> Result<(), Stop> {
    if user.scope().is_campus() {
        Ok(())
    } else {
        Err(Stop::NotFound)
    }
}

/// A UNIQUE (or other) constraint the input broke: the name is taken.
pub(super) fn taken(e: sqlx::Error) -> Stop {
    if db::is_constraint_violation(&e) {
        Stop::Refused(TAKEN.into())
    } else {
        e.into()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CommitteeForm {
    pub name: String,
    pub active: Option<String>,
    /// 党组织负责人: a reviewer account's id, or empty for none.
    pub leader_user_id: String,
    pub version: i64,
}

/// Adds a 党总支（党委）; returns its name.
pub async fn create_committee(db: &Db, user: &User, form: &CommitteeForm) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let input = checked(CommitteeInput::parse(&form.name))?;
        db::admin::create_committee(tx, user.id(), &input)
            .await
            .map_err(taken)?;
        Ok(input.name)
    })
    .await
}

/// Renames or (de)activates a committee; returns its name.
pub async fn update_committee(db: &Db, user: &User, id: CommitteeId, form: &CommitteeForm) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let before = db::admin::committee(&mut *tx, id).await?.ok_or(Stop::NotFound)?;
        let input = checked(CommitteeInput::parse(&form.name))?;
        let leader = match form.leader_user_id.trim() {
            "" => None,
            v => match v.parse().map(crate::domain::UserId) {
                // The current one may stay (even if its account is deactivated for now); a new
                // one must be an active reviewer of the committee.
                Ok(u) if before.leader_user_id == Some(u) || db::admin::is_reviewer_of(tx, u, id).await? => Some(u),
                _ => {
                    let mut e = crate::domain::input::FieldErrors::default();
                    e.add(
                        "leader_user_id",
                        "党组织负责人须从本党总支（党委）在用的审核人账号中选择",
                    );
                    return Err(Stop::Invalid(e));
                }
            },
        };
        db::admin::update_committee(
            tx,
            user.id(),
            &before,
            form.version,
            &input,
            form.active.is_some(),
            leader,
        )
        .await
        .map_err(taken)?
        .map_err(|_| Stop::Stale(STALE.into()))?;
        Ok(input.name)
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BranchForm {
    pub committee_id: i64,
    pub name: String,
    pub secretary_name: String,
    pub active: Option<String>,
    pub version: i64,
}

impl BranchForm {
    fn parse(&self) -> Result<BranchInput, Stop> {
        checked(BranchInput::parse(&self.name, &self.secretary_name))
    }

    /// What was typed, by field name, to show again after a refusal.
    pub fn fields(&self) -> Vec<(String, String)> {
        typed_fields(&[("name", &self.name), ("secretary_name", &self.secretary_name)])
    }
}

/// Adds a 党支部 to a committee; returns its name.
pub async fn create_branch(db: &Db, user: &User, form: &BranchForm) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let committee = CommitteeId(form.committee_id);
        db::admin::committee(&mut *tx, committee).await?.ok_or(Stop::NotFound)?;
        let input = form.parse()?;
        db::admin::create_branch(tx, user.id(), committee, &input)
            .await
            .map_err(taken)?;
        Ok(input.name)
    })
    .await
}

/// Changes a branch's name, secretary or whether it is active; returns its name.
pub async fn update_branch(db: &Db, user: &User, id: BranchId, form: &BranchForm) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let before = db::admin::branch(&mut *tx, id).await?.ok_or(Stop::NotFound)?;
        let input = form.parse()?;
        db::admin::update_branch(tx, user.id(), &before, form.version, &input, form.active.is_some())
            .await
            .map_err(taken)?
            .map_err(|_| Stop::Stale(STALE.into()))?;
        Ok(input.name)
    })
    .await
}

/// A branch's data (附件1's checks) as the form sends it; blank is "not known".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub last_election_on: String,
    pub term_years: String,
    pub committee_members: String,
    pub full_members: String,
    pub secretary_vacant_since: String,
    pub version: i64,
}

/// Saves a branch's data for the current campaign: by its committee or the 组织部 (the level
/// above the branch); a committee's own unit has none.
pub async fn save_profile(db: &Db, user: &User, branch: BranchId, form: &ProfileForm) -> super::Result<()> {
    step(db, async |tx| {
        // A committee's own unit has no branch data: not found, to its reviewers too.
        let (_, _, actor) = db::units::actor(tx, user, branch).await?.ok_or(Stop::NotFound)?;
        if actor.level() != Level::Branch {
            return Err(Stop::NotFound);
        }
        if actor.part() != Part::Above {
            return Err(Stop::Forbidden);
        }
        let data = checked(profile(
            &form.last_election_on,
            &form.term_years,
            &form.committee_members,
            &form.full_members,
            &form.secretary_vacant_since,
            crate::domain::dates::today(),
        ))?;
        db::profiles::set(tx, user.id(), actor.campaign(), branch, form.version, &data)
            .await?
            .map_err(|_| Stop::Stale(super::STALE.into()))
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RobotForm {
    /// "wecom", "dingtalk", or empty for none.
    pub robot_kind: String,
    pub robot_url: String,
    /// 钉钉's 加签 secret; empty keeps the saved one.
    pub robot_secret: String,
}

/// A committee's work-group robot: set, changed or removed; returns the committee's name.
pub async fn set_robot(db: &Db, user: &User, id: CommitteeId, form: &RobotForm) -> super::Result<String> {
    step(db, async |tx| {
        campus_only(user)?;
        let before = db::admin::committee(&mut *tx, id).await?.ok_or(Stop::NotFound)?;
        let kind = match form.robot_kind.trim() {
            "" => None,
            code => Some(RobotKind::parse(code).ok_or_else(|| Stop::Refused("请选择群机器人类型".into()))?),
        };
        let url = match kind {
            None => String::new(),
            Some(_) => crate::domain::notify::webhook_url(&form.robot_url).map_err(|m| Stop::Refused(m.into()))?,
        };
        let secret = form.robot_secret.trim();
        if secret.chars().count() > 200 || secret.chars().any(char::is_whitespace) {
            return Err(Stop::Refused("加签密钥应为一串不含空格的字符（200 字以内）".into()));
        }
        let secret = (!secret.is_empty() && kind == Some(RobotKind::DingTalk)).then_some(secret);
        db::notify::set_robot(tx, user.id(), id, kind, &url, secret).await?;
        Ok(before.name)
    })
    .await
}
