//! One function per user step. An action takes the acting user (`auth::User`, so its scope is
//! the account's own) and what the form sent, runs one write transaction through
//! [`Db::write`](crate::db::Db::write) holding that step's rules, and returns a typed
//! [`Outcome`]: done, or refused in one of a few ways, with nothing saved. Handlers extract the
//! request, call one action and render what it came to; they open no transaction and keep no
//! rule.
//!
//! Inside an action, a step that cannot go on returns `Err(Stop::…)` from the write closure:
//! the transaction is rolled back and the stop becomes the outcome.

pub mod accounts;
pub mod campaigns;
pub mod close_out;
pub mod delivery;
pub mod documents;
pub mod findings;
pub mod inspection;
pub mod ledger;
pub mod look_back;
pub mod measures;
pub mod meeting;
pub mod notify;
pub mod practices;
pub mod report;
pub mod results;
pub mod review;
pub mod schedule;
pub mod sessions;
pub mod units;
pub mod work;

use sqlx::SqliteConnection;

use crate::auth::User;
use crate::db;
use crate::db::audit::Actor;
use crate::db::units::BranchRow;
use crate::domain::BranchId;
use crate::domain::input::FieldErrors;
use crate::domain::submission::Missing;
use crate::domain::units::{Level, Part};

/// What a step came to.
#[derive(Debug)]
pub enum Outcome<T> {
    /// Done and saved.
    Done(T),
    /// The input is not acceptable: a message per field. Nothing was saved.
    Invalid(FieldErrors),
    /// The row changed since the user loaded it: the message says what it holds now. Nothing
    /// was saved.
    Stale(String),
    /// Not possible in the present state of things; the message says why. Nothing was saved.
    Refused(String),
    /// The submission gate: what is still missing, each with where to mend it.
    Incomplete(Vec<Missing>),
    /// Not there, or not within the user's scope (the two are not told apart).
    NotFound,
    /// Within the user's scope, but not theirs to do: a reviewer answering a branch's ledger, a
    /// committee reviewing its own 本级 ledger.
    Forbidden,
}

/// A step stopped before its end: the transaction is rolled back, and all but `Failed` (a
/// fault) become the outcome.
#[derive(Debug)]
pub enum Stop {
    Invalid(FieldErrors),
    Stale(String),
    Refused(String),
    Incomplete(Vec<Missing>),
    NotFound,
    Forbidden,
    Failed(anyhow::Error),
}

impl From<sqlx::Error> for Stop {
    fn from(e: sqlx::Error) -> Self {
        Stop::Failed(e.into())
    }
}

impl From<anyhow::Error> for Stop {
    fn from(e: anyhow::Error) -> Self {
        Stop::Failed(e)
    }
}

/// An action's result: its outcome, or a fault (a 500).
pub type Result<T> = std::result::Result<Outcome<T>, anyhow::Error>;

impl<T> Outcome<T> {
    /// The outcome of a step that ran to `result`.
    pub fn of(result: std::result::Result<T, Stop>) -> Result<T> {
        Ok(match result {
            Ok(value) => Outcome::Done(value),
            Err(Stop::Invalid(e)) => Outcome::Invalid(e),
            Err(Stop::Stale(m)) => Outcome::Stale(m),
            Err(Stop::Refused(m)) => Outcome::Refused(m),
            Err(Stop::Incomplete(m)) => Outcome::Incomplete(m),
            Err(Stop::NotFound) => Outcome::NotFound,
            Err(Stop::Forbidden) => Outcome::Forbidden,
            Err(Stop::Failed(e)) => return Err(e),
        })
    }
}

/// Field errors as a stop, or the value.
pub(crate) fn checked<T>(parsed: std::result::Result<T, FieldErrors>) -> std::result::Result<T, Stop> {
    parsed.map_err(Stop::Invalid)
}

/// The message for a row someone else changed first.
pub const STALE: &str =
    "这一条刚刚被他人修改过，您的内容没有保存。下方已显示最新内容，您填写的内容也已保留，请核对后重新保存。";

/// One step: its changes in one write transaction, what it came to as the outcome.
pub(crate) async fn step<T>(
    db: &db::Db, change: impl AsyncFnOnce(&mut SqliteConnection) -> std::result::Result<T, Stop>,
) -> Result<T> {
    Outcome::of(db.write(change).await)
}

/// One step on a unit's rows, in one write transaction, by a user playing `part` in its ledger.
/// The unit is checked against the user's scope first, so another unit's branch is not found
/// whatever was sent; then the part (a reviewer answering a branch's items is forbidden).
pub(crate) async fn branch_step<T>(
    db: &db::Db, user: &User, branch: BranchId, part: Part,
    change: impl AsyncFnOnce(&mut SqliteConnection, Actor) -> std::result::Result<T, Stop>,
) -> Result<T> {
    step(db, async |tx| {
        let (_, actor) = on_branch(tx, user, branch, part).await?;
        change(tx, actor).await
    })
    .await
}

/// A finding of the actor's branch in its campaign, or not found.
pub(crate) async fn finding(
    tx: &mut SqliteConnection, actor: Actor, id: crate::domain::FindingId,
) -> std::result::Result<db::findings::Finding, Stop> {
    db::findings::get_of_branch(tx, actor, id).await?.ok_or(Stop::NotFound)
}

/// A measure of the actor's branch in its campaign, or not found.
pub(crate) async fn measure(
    tx: &mut SqliteConnection, actor: Actor, id: crate::domain::MeasureId,
) -> std::result::Result<db::measures::Measure, Stop> {
    db::measures::get_of_branch(tx, actor, id).await?.ok_or(Stop::NotFound)
}

/// A unit the user's scope covers, in the current campaign, and who acts on it, if the user
/// plays `part` in its ledger; read in the write transaction.
pub(crate) async fn on_branch(
    tx: &mut SqliteConnection, user: &User, branch: BranchId, part: Part,
) -> std::result::Result<(BranchRow, Actor), Stop> {
    let (row, _, actor) = db::units::actor(tx, user, branch).await?.ok_or(Stop::NotFound)?;
    if actor.part() != part {
        return Err(Stop::Forbidden);
    }
    Ok((row, actor))
}

/// The category of `item` of the actor's campaign, if the actor's unit answers it: an item of
/// another campaign is not found; the committee's own items are refused to a branch (and a
/// branch's to the committee's 本级 ledger).
pub(crate) async fn answered_item(
    tx: &mut SqliteConnection, actor: Actor, item: crate::domain::LedgerItemId,
) -> std::result::Result<crate::domain::CategoryId, Stop> {
    let (category, level) = db::self_checks::item_in_campaign(tx, item, actor.campaign())
        .await?
        .ok_or(Stop::NotFound)?;
    if level != actor.level() {
        return Err(Stop::Refused(match level {
            Level::Committee => "此项由党总支（党委）自查，党支部不作答。".into(),
            Level::Branch => "此项由各党支部对账查摆，不在党总支（党委）本级自查之列。".into(),
        }));
    }
    Ok(category)
}

/// Before a change to the ledger's content (answers, findings, measures' plans): refuses unless
/// the branch may change it now, and puts it in hand (填报中).
pub(crate) async fn editing(tx: &mut SqliteConnection, actor: Actor) -> std::result::Result<(), Stop> {
    let current = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
    let Some(next) = current.after_branch_edit() else {
        return Err(Stop::Refused(current.why_locked().to_string()));
    };
    if next != current {
        db::ledger::set_ledger_state(tx, actor.campaign(), actor.branch(), next).await?;
    }
    Ok(())
}

/// Before a change to a finding's measures' plan: as `editing`, except for a 督查发现 on a
/// signed-off ledger, which the unit answers on its own (domain::inspection) while it is not
/// handed in, the sign-off staying. Returns the finding.
pub(crate) async fn planning(
    tx: &mut SqliteConnection, actor: Actor, id: crate::domain::FindingId,
) -> std::result::Result<db::findings::Finding, Stop> {
    let f = finding(tx, actor, id).await?;
    let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
    if f.row().on_its_own(ledger) {
        if !f.row().plannable(ledger) {
            return Err(Stop::Refused(
                "这条督查发现已提交，正在等待上级党组织审核；审核退回后才能修改整改措施。".into(),
            ));
        }
        return Ok(f);
    }
    editing(tx, actor).await?;
    Ok(f)
}

/// Tells of the change this transaction just made (its audit row): a message for the event's
/// audience, queued with the change (domain::notify, db::notify).
pub(crate) async fn tell(
    tx: &mut SqliteConnection, db: &db::Db, event: crate::domain::notify::Event<'_>,
) -> std::result::Result<(), Stop> {
    db::notify::after_change(tx, &event, db.mail_on()).await?;
    Ok(())
}

/// Whether the user keeps the unit's ledger (Part::Own: its secretary, or for a committee's 本级
/// ledger its reviewers), for the pages of the unit's own steps: `Forbidden` for anyone else in
/// scope, `NotFound` outside it.
pub async fn keeps(db: &db::Db, user: &User, branch: BranchId) -> Result<()> {
    Ok(match db::units::branch(&db.read, user.scope(), branch).await? {
        None => Outcome::NotFound,
        Some(row) if Part::of(user.role(), row.level) == Some(Part::Own) => Outcome::Done(()),
        Some(_) => Outcome::Forbidden,
    })
}

/// Whether the user may change the unit's ledger content now (for the pages that lead to a
/// change, so nobody fills in a form that cannot be saved): `Refused` says why not, `Forbidden`
/// answers a user who does not keep this ledger, `NotFound` a unit outside the scope.
/// Whether the user may change the measures' plan of the unit's finding now (the page that leads
/// to deleting a measure asks first): as `may_edit`, or a 督查发现 answered on its own.
pub async fn may_plan(db: &db::Db, user: &User, branch: BranchId, finding: crate::domain::FindingId) -> Result<()> {
    match keeps(db, user, branch).await? {
        Outcome::Done(()) => {}
        other => return Ok(other),
    }
    let Some(c) = db::campaigns::current(db).await? else {
        return Ok(Outcome::NotFound);
    };
    let Some(f) = db::findings::of_branch(&db.read, user.scope(), branch, finding).await? else {
        return Ok(Outcome::NotFound);
    };
    let state = db::ledger::ledger_state(&db.read, user.scope(), c.id, branch).await?;
    Ok(match state {
        s if f.campaign_id == c.id && f.row().plannable(s) => Outcome::Done(()),
        s => Outcome::Refused(s.why_locked().to_string()),
    })
}

pub async fn may_edit(db: &db::Db, user: &User, branch: BranchId) -> Result<()> {
    match keeps(db, user, branch).await? {
        Outcome::Done(()) => {}
        other => return Ok(other),
    }
    let Some(c) = db::campaigns::current(db).await? else {
        return Ok(Outcome::NotFound);
    };
    let state = db::ledger::ledger_state(&db.read, user.scope(), c.id, branch).await?;
    Ok(match state {
        s if s.content_editable() => Outcome::Done(()),
        s => Outcome::Refused(s.why_locked().to_string()),
    })
}
