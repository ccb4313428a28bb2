//! The committee's steps on a branch's ledger (a reviewer of its committee, or the 组织部):
//! decide rows, send the ledger back, sign it off against the 四个到位, reopen it; confirm or
//! reject 销号. The transitions are domain::review's; each step is one transaction.

use serde::Deserialize;

use super::{Stop, branch_step, finding, measure};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::history::AuditAction;
use crate::domain::notify::Event;
use crate::domain::progress::ExtensionState;
use crate::domain::review::{self, Decision};
use crate::domain::states::{MeasureStatus, ReviewState};
use crate::domain::units::Part;
use crate::domain::{BranchId, FindingId, MeasureId};

/// A refusal of a review step, said on the page (the reviewer's text is kept there).
fn refused(message: impl Into<String>) -> Stop {
    Stop::Refused(message.into())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RowForm {
    pub decision: String,
    pub comment: String,
    pub version: i64,
}

/// 通过 or 退回 one finding of a submitted ledger (or a 督查发现 handed in on its own); returns
/// the decision, and whether the row was decided alone (the unit sees it at once).
pub async fn decide_row(
    db: &Db, user: &User, branch: BranchId, id: FindingId, form: &RowForm,
) -> super::Result<(Decision, bool)> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let decision = Decision::parse(&form.decision, &form.comment)
            .map_err(|e| refused(e.get("comment").or(e.get("decision")).unwrap_or_default()))?;
        let f = finding(tx, actor, id).await?;
        let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
        f.row().may_decide(ledger).map_err(refused)?;
        // Every approved row carries a plan (a 督查发现 raised into a handed-in ledger has none
        // until the unit answers it).
        if decision == Decision::Approve && db::findings::measure_counts(tx, id).await?.0 == 0 {
            return Err(refused("这条查摆问题还没有整改措施，不能通过；请退回并写明整改要求。"));
        }
        let comment = match &decision {
            Decision::Approve => "",
            Decision::Return(c) => c.as_str(),
        };
        db::review::decide_row(tx, actor, &f, form.version, decision.review_state(), comment)
            .await?
            .map_err(|_| refused("这一条刚刚被修改过（党支部或其他审核人），请查看最新内容后再审核。"))?;
        let alone = f.row().on_its_own(ledger);
        if alone {
            // Decided on its own: the unit hears at once; approved, its deadlines are locked.
            if decision == Decision::Approve {
                db::ledger::lock_finding_deadlines(tx, id).await?;
            }
            let returned = match &decision {
                Decision::Approve => None,
                Decision::Return(c) => Some(c.as_str()),
            };
            super::tell(
                tx,
                db,
                Event::InspectionDecided {
                    branch: actor.branch(),
                    finding: id.0,
                    returned,
                },
            )
            .await?;
        }
        Ok((decision, alone))
    })
    .await
}

/// The rows a reviewer saw waiting, as "finding:version" pairs (the 全部通过 form).
#[derive(Debug, Clone, Default)]
pub struct SeenRows(pub Vec<(FindingId, i64)>);

impl SeenRows {
    /// Reads the form's `rows` field ("12:3,13:1"); a malformed pair is left out (it names no
    /// row).
    pub fn parse(rows: &str) -> SeenRows {
        SeenRows(
            rows.split(',')
                .filter_map(|r| {
                    let (id, version) = r.split_once(':')?;
                    Some((FindingId(id.parse().ok()?), version.parse().ok()?))
                })
                .take(2000)
                .collect(),
        )
    }
}

/// 全部通过: approves, in one step, every row the reviewer saw waiting, as seen. A row changed
/// since (the branch edited it, another reviewer decided it) is left for a look of its own;
/// returns how many were approved and how many were left.
pub async fn approve_seen(db: &Db, user: &User, branch: BranchId, seen: &SeenRows) -> super::Result<(usize, usize)> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
        review::may_decide_rows(ledger).map_err(refused)?;
        if seen.0.is_empty() {
            return Err(refused("没有待审核的查摆问题。"));
        }
        let (mut approved, mut left) = (0, 0);
        for &(id, version) in &seen.0 {
            let f = finding(tx, actor, id).await?;
            if f.review_state != crate::domain::states::ReviewState::Pending
                || db::findings::measure_counts(tx, id).await?.0 == 0
            {
                left += 1;
                continue;
            }
            match db::review::decide_row(tx, actor, &f, version, Decision::Approve.review_state(), "").await? {
                Ok(()) => approved += 1,
                Err(_) => left += 1,
            }
        }
        if approved == 0 {
            return Err(refused(
                "您打开本页后，这些查摆问题都有了变动，没有通过任何一条；请逐条查看后审核。",
            ));
        }
        Ok((approved, left))
    })
    .await
}

/// 退回党支部修改: the whole ledger, once at least one row is returned.
pub async fn send_back(db: &Db, user: &User, branch: BranchId) -> super::Result<()> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
        let under = db::review::under_review(tx, actor.campaign(), actor.branch()).await?;
        let to = review::send_back(ledger, &under).map_err(refused)?;
        db::review::move_ledger(tx, actor, actor.campaign(), ledger, to, "", AuditAction::LedgerReturn).await?;
        let returned = under.rows.iter().filter(|r| **r == ReviewState::Returned).count() as i64
            + under.returned_answers
            + i64::from(under.meeting_returned);
        super::tell(
            tx,
            db,
            Event::LedgerReturned {
                branch: actor.branch(),
                returned,
            },
        )
        .await
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SignOffForm {
    pub four_0: Option<String>,
    pub four_1: Option<String>,
    pub four_2: Option<String>,
    pub four_3: Option<String>,
    pub comment: String,
}

impl SignOffForm {
    /// The 四个到位 ticked, in order.
    pub fn affirmed(&self) -> [bool; 4] {
        [&self.four_0, &self.four_1, &self.four_2, &self.four_3].map(Option::is_some)
    }
}

/// 审核签字: every row approved and each of the 四个到位 affirmed; locks the ledger.
pub async fn sign_off(db: &Db, user: &User, branch: BranchId, form: &SignOffForm) -> super::Result<()> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let comment =
            crate::domain::input::text("审核意见", &form.comment, review::COMMENT_MAX, false).map_err(refused)?;
        let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
        let under = db::review::under_review(tx, actor.campaign(), actor.branch()).await?;
        review::sign_off(ledger, &under, form.affirmed()).map_err(refused)?;
        db::review::sign_off(tx, actor, actor.campaign(), &comment).await?;
        super::tell(tx, db, Event::LedgerSignedOff { branch: actor.branch() }).await
    })
    .await
}

/// 重新打开 a signed-off ledger, with the reason for the branch.
pub async fn reopen(db: &Db, user: &User, branch: BranchId, reason: &str) -> super::Result<()> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let ledger = db::ledger::state_in_tx(tx, actor.campaign(), actor.branch()).await?;
        let (to, reason) = review::reopen(ledger, reason).map_err(|e| refused(e.get("reason").unwrap_or_default()))?;
        db::review::move_ledger(
            tx,
            actor,
            actor.campaign(),
            ledger,
            to,
            &reason,
            AuditAction::LedgerReopen,
        )
        .await?;
        Ok(())
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CloseOutForm {
    pub decision: String,
    pub comment: String,
    pub version: i64,
    /// The page the decision was taken on, to go back to (the committee's 销号 queue); the
    /// handler accepts only that page's address.
    pub back: String,
}

impl CloseOutForm {
    pub fn confirms(&self) -> bool {
        self.decision == "confirm"
    }
}

/// 确认销号 or 不予销号 (with the reason the branch sees) on a measure whose branch asked.
pub async fn decide_close_out(
    db: &Db, user: &User, branch: BranchId, id: MeasureId, form: &CloseOutForm,
) -> super::Result<FindingId> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let current = measure(tx, actor, id).await?;
        let (to, comment) = review::decide_close_out(current.status, form.confirms(), &form.comment)
            .map_err(|e| refused(e.get("comment").unwrap_or_default()))?;
        db::review::decide_close_out(tx, actor, &current, form.version, to, &comment)
            .await?
            .map_err(|_| refused("这条措施刚刚被修改过，请查看最新内容后再确认。"))?;
        // A measure closed off needs no more time: a 延期申请 still waiting is settled with it,
        // so it leaves the queue.
        if to == MeasureStatus::ClosedOut
            && let Some(x) = db::schedule::pending_extension(tx, id).await?
        {
            db::schedule::settle_extension(
                tx,
                actor,
                &x,
                current.finding_id,
                x.version,
                ExtensionState::Withdrawn,
                "措施已销号，延期申请不再需要。",
            )
            .await?
            .map_err(|_| refused("这条措施刚刚被修改过，请查看最新内容后再确认。"))?;
        }
        let rejected = (to != MeasureStatus::ClosedOut).then_some(comment.as_str());
        let event = Event::CloseOutDecided {
            branch: actor.branch(),
            measure: id,
            text: &current.text,
            rejected,
        };
        super::tell(tx, db, event).await?;
        Ok(current.finding_id)
    })
    .await
}

/// 催办: the level above reminds the unit's keeper of a measure not closed off, by message (at
/// most once a day per measure).
pub async fn urge(db: &Db, user: &User, branch: BranchId, id: MeasureId) -> super::Result<()> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let m = measure(tx, actor, id).await?;
        if m.status == MeasureStatus::ClosedOut {
            return Err(refused("这条措施已销号，无需催办。"));
        }
        let today = crate::domain::dates::today();
        let day = crate::domain::dates::format_date(today);
        let key = format!("urge:{}:{day}", id.0);
        if db::notify::queued(tx, &key).await? {
            return Err(refused(
                "今天已催办过这条措施（每条措施每天催办一次），明天可再次催办。",
            ));
        }
        #[derive(serde::Serialize)]
        struct Urged<'a> {
            urged_on: &'a str,
        }
        let entry = actor
            .entry(AuditAction::MeasureUrge, id.0, Some(m.finding_id))
            .after(&Urged { urged_on: &day });
        db::audit::record(tx, &entry).await?;
        let event = Event::Urged {
            branch: actor.branch(),
            measure: id,
            text: &m.text,
            deadline: m.deadline,
            today,
        };
        let mail = db::notify::Mail::event(db.mail_on());
        if db::notify::enqueue(tx, &key, event.audience(), &event.message(), mail).await? == 0 {
            return Err(refused(
                "该单位没有可接收消息的账号（书记账号未建立或已停用），催办未发出。",
            ));
        }
        Ok(())
    })
    .await
}

/// 催办 a whole unit: one message on its measures due within 7 days or overdue (at most once a
/// day per unit).
pub async fn urge_unit(db: &Db, user: &User, branch: BranchId) -> super::Result<usize> {
    branch_step(db, user, branch, Part::Above, async |tx, actor| {
        let today = crate::domain::dates::today();
        let (due, overdue) = db::notify::due_counts(tx, actor.branch(), today).await?;
        if due == 0 {
            return Err(refused("该单位没有 7 天内到期或逾期的整改措施，无需催办。"));
        }
        let day = crate::domain::dates::format_date(today);
        let key = format!("urge-unit:{}:{day}", actor.branch().0);
        if db::notify::queued(tx, &key).await? {
            return Err(refused("今天已催办过这个单位，明天可再次催办。"));
        }
        #[derive(serde::Serialize)]
        struct Urged<'a> {
            urged_on: &'a str,
        }
        let entry = actor
            .entry(AuditAction::LedgerUrge, actor.branch().0, None)
            .after(&Urged { urged_on: &day });
        db::audit::record(tx, &entry).await?;
        let event = Event::UnitUrged {
            branch: actor.branch(),
            due,
            overdue,
        };
        let mail = db::notify::Mail::event(db.mail_on());
        if db::notify::enqueue(tx, &key, event.audience(), &event.message(), mail).await? == 0 {
            return Err(refused(
                "该单位没有可接收消息的账号（书记账号未建立或已停用），催办未发出。",
            ));
        }
        Ok(due)
    })
    .await
}
