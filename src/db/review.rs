//! The committee's review of a branch ledger: row decisions, sending back, sign-off, reopening,
//! 销号 decisions; and the queues a reviewer works from.

use crate::domain::history::AuditAction;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::Stale;
use super::audit::{self, Actor};
use super::findings::Finding;
use super::measures::Measure;
use super::scope::{BindScope, scoped};
use crate::auth::{Reach, Scope};
use crate::domain::review::UnderReview;
use crate::domain::states::{LedgerState, MeasureStatus, ReviewState};
use crate::domain::units::Level;
use crate::domain::{BranchId, CampaignId, CommitteeId, FindingId, MeasureId};

#[derive(Serialize)]
struct RowReview<'a> {
    review_state: ReviewState,
    review_comment: &'a str,
}

/// The level above's marks on an answer or a 专题支委会 record: 待审核 or 已退回, with the comment,
/// when it was given, and when the unit last changed the row.
#[derive(Debug, Clone, serde::Deserialize, sqlx::FromRow)]
pub struct ReturnMarks {
    pub review_state: crate::domain::states::ReviewState,
    pub review_comment: String,
    pub reviewed_at: Option<String>,
    pub updated_at: String,
}

impl ReturnMarks {
    /// The comment it was last sent back with, and whether the unit has changed it since (for
    /// the level above, once the ledger is handed in again).
    pub fn last_return(&self) -> Option<(String, bool)> {
        crate::domain::review::last_return(
            self.review_state,
            &self.review_comment,
            self.reviewed_at.as_deref(),
            &self.updated_at,
        )
    }

    pub fn is_returned(&self) -> bool {
        self.review_state == crate::domain::states::ReviewState::Returned
    }
}

/// Records 通过 or 退回 (with comment) on a finding the reviewer saw at `seen_version`.
pub async fn decide_row(
    conn: &mut SqliteConnection, actor: Actor, finding: &Finding, seen_version: i64, state: ReviewState, comment: &str,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE findings SET review_state = ?, review_comment = ?, reviewed_by = ?, reviewed_at = datetime('now'),
                             handed_in_at = NULL, version = version + 1
         WHERE id = ? AND branch_id = ? AND version = ?",
    )
    .bind(state)
    .bind(comment)
    .bind(actor.user_id)
    .bind(finding.id)
    .bind(actor.branch_id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let entry = actor
        .entry(AuditAction::FindingReview, finding.id.0, Some(finding.id))
        .before(&RowReview {
            review_state: finding.review_state,
            review_comment: &finding.review_comment,
        })
        .after(&RowReview {
            review_state: state,
            review_comment: comment,
        });
    audit::record(conn, &entry).await?;
    Ok(Ok(()))
}

/// The review states of all the branch's findings in the campaign.
/// A return by the level above of an answer or a meeting record (查摆不到位), or its taking back:
/// the state and comment as stored and as the audit trail shows them. Taking a return back
/// leaves no comment: a comment on a pending row is the one the unit was last sent back with.
#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct ReturnMark<'a> {
    pub review_state: ReviewState,
    pub review_comment: &'a str,
}

impl<'a> ReturnMark<'a> {
    pub(super) fn of(returned: Option<&'a str>) -> ReturnMark<'a> {
        match returned {
            Some(c) => ReturnMark {
                review_state: ReviewState::Returned,
                review_comment: c,
            },
            None => ReturnMark {
                review_state: ReviewState::Pending,
                review_comment: "",
            },
        }
    }

    /// Audits the change from `before` to this mark on the row `id` of `action`'s table.
    pub(super) async fn record(
        self, conn: &mut SqliteConnection, actor: Actor, action: AuditAction, id: i64, before: ReturnMark<'_>,
    ) -> sqlx::Result<()> {
        audit::record(conn, &actor.entry(action, id, None).before(&before).after(&self)).await
    }
}

/// On (re)submission, whatever the level above returned — findings, answers, the meeting record
/// — goes back to 待审核; the comments stay, to compare against (domain::review::last_return).
pub(super) async fn back_to_pending(
    conn: &mut SqliteConnection, branch: BranchId, campaign: CampaignId,
) -> sqlx::Result<()> {
    for sql in [
        "UPDATE findings SET review_state = 'pending', version = version + 1
         WHERE branch_id = ?1 AND campaign_id = ?2 AND review_state = 'returned'",
        "UPDATE self_checks SET review_state = 'pending', version = version + 1
         WHERE branch_id = ?1 AND review_state = 'returned'
           AND ledger_item_id IN (SELECT i.id FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id
                                  WHERE c.campaign_id = ?2)",
        "UPDATE branch_meetings SET review_state = 'pending', version = version + 1
         WHERE branch_id = ?1 AND campaign_id = ?2 AND review_state = 'returned'",
    ] {
        sqlx::query(sql).bind(branch).bind(campaign).execute(&mut *conn).await?;
    }
    Ok(())
}

/// What the level above has decided on the branch's ledger (domain::review's rules read it).
pub async fn under_review(
    conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<UnderReview> {
    let rows = sqlx::query_scalar("SELECT review_state FROM findings WHERE campaign_id = ? AND branch_id = ?")
        .bind(campaign)
        .bind(branch)
        .fetch_all(&mut *conn)
        .await?;
    let returned_answers = super::self_checks::returned_count(&mut *conn, branch, campaign).await?;
    let meeting_returned: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM branch_meetings WHERE campaign_id = ? AND branch_id = ? AND review_state = 'returned')",
    )
    .bind(campaign)
    .bind(branch)
    .fetch_one(conn)
    .await?;
    Ok(UnderReview {
        rows,
        returned_answers,
        meeting_returned,
    })
}

#[derive(Serialize)]
struct LedgerChange<'a> {
    state: LedgerState,
    reviewer_note: &'a str,
}

/// Moves the ledger to `to` for the committee (退回 or 重新打开), keeping the reason for the branch.
pub async fn move_ledger(
    conn: &mut SqliteConnection, actor: Actor, campaign: CampaignId, from: LedgerState, to: LedgerState, note: &str,
    action: AuditAction,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE branch_ledgers SET state = ?, reviewer_note = ?, signed_off_by = NULL, signed_off_at = NULL,
                                   four_in_place = 0, version = version + 1, updated_at = datetime('now')
         WHERE campaign_id = ? AND branch_id = ?",
    )
    .bind(to)
    .bind(note)
    .bind(campaign)
    .bind(actor.branch_id)
    .execute(&mut *conn)
    .await?;
    // A 督查发现 handed in on its own goes with the ledger now (migration 000022).
    sqlx::query(
        "UPDATE findings SET handed_in_at = NULL WHERE campaign_id = ? AND branch_id = ? AND handed_in_at IS NOT NULL",
    )
    .bind(campaign)
    .bind(actor.branch_id)
    .execute(&mut *conn)
    .await?;
    let entry = actor
        .entry(action, campaign.0, None)
        .before(&LedgerChange {
            state: from,
            reviewer_note: "",
        })
        .after(&LedgerChange {
            state: to,
            reviewer_note: note,
        });
    audit::record(conn, &entry).await
}

#[derive(Serialize)]
struct SignOff<'a> {
    state: LedgerState,
    four_in_place: bool,
    sign_off_comment: &'a str,
}

/// 审核签字, with the 四个到位 affirmed.
pub async fn sign_off(
    conn: &mut SqliteConnection, actor: Actor, campaign: CampaignId, comment: &str,
) -> sqlx::Result<()> {
    super::ledger::sign_off(conn, campaign, actor.branch_id, actor.user_id, comment).await?;
    let entry = actor
        .entry(AuditAction::LedgerSignOff, campaign.0, None)
        .before(&SignOff {
            state: LedgerState::Submitted,
            four_in_place: false,
            sign_off_comment: "",
        })
        .after(&SignOff {
            state: LedgerState::SignedOff,
            four_in_place: true,
            sign_off_comment: comment,
        });
    audit::record(conn, &entry).await
}

#[derive(Serialize)]
struct CloseOut<'a> {
    status: MeasureStatus,
    close_out_comment: &'a str,
}

/// 确认销号 or 不予销号 on a measure the reviewer saw at `seen_version`.
pub async fn decide_close_out(
    conn: &mut SqliteConnection, actor: Actor, measure: &Measure, seen_version: i64, to: MeasureStatus, comment: &str,
) -> sqlx::Result<Result<(), Stale>> {
    let closed = to == MeasureStatus::ClosedOut;
    let done = sqlx::query(
        "UPDATE measures SET status = ?1, close_out_comment = ?2, close_out_rejected = ?3,
                closed_out_by = CASE WHEN ?4 THEN ?5 END, closed_out_at = CASE WHEN ?4 THEN datetime('now') END,
                updated_at = datetime('now'), version = version + 1
         WHERE id = ?6 AND version = ?7 AND status = 'done'",
    )
    .bind(to)
    .bind(comment)
    .bind(!closed)
    .bind(closed)
    .bind(actor.user_id)
    .bind(measure.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let action = if closed {
        AuditAction::MeasureCloseOut
    } else {
        AuditAction::MeasureRejectCloseOut
    };
    let entry = actor
        .entry(action, measure.id.0, Some(measure.finding_id))
        .before(&CloseOut {
            status: measure.status,
            close_out_comment: "",
        })
        .after(&CloseOut {
            status: to,
            close_out_comment: comment,
        });
    audit::record(conn, &entry).await?;
    Ok(Ok(()))
}

/// The sign-off record and the committee's last word, as the branch page shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerRecord {
    pub state: LedgerState,
    pub submitted_at: Option<String>,
    pub signed_off_at: Option<String>,
    pub signer: Option<String>,
    pub sign_off_comment: Option<String>,
    pub four_in_place: bool,
    pub reviewer_note: String,
}

pub async fn ledger_record(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Option<LedgerRecord>> {
    sqlx::query_as(&scoped(
        "SELECT bl.state, bl.submitted_at, bl.signed_off_at, u.display_name AS signer, bl.sign_off_comment,
                bl.four_in_place, bl.reviewer_note
         FROM branch_ledgers bl LEFT JOIN users u ON u.id = bl.signed_off_by
         WHERE bl.campaign_id = ?3 AND bl.branch_id = ?4 AND bl.branch_id IN (SELECT id FROM scoped)",
    ))
    .bind_scope(scope)
    .bind(campaign)
    .bind(branch)
    .fetch_optional(pool)
    .await
}

/// A measure waiting for the committee (销号 requested), or due soon / overdue (催办).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeasureLine {
    pub branch_id: BranchId,
    pub branch_name: String,
    pub finding_id: FindingId,
    pub measure_id: MeasureId,
    pub text: String,
    pub owner: String,
    pub deadline: Option<Date>,
    /// The earliest milestone not yet done.
    pub milestone_due: Option<Date>,
    pub status: MeasureStatus,
    pub completion_note: String,
    pub completed_at: Option<String>,
    /// For a decision taken on the list (the measure's optimistic lock).
    pub version: i64,
}

const LINE: &str =
    "SELECT b.id AS branch_id, b.name AS branch_name, f.id AS finding_id, m.id AS measure_id, m.text, m.owner,
            m.deadline, m.milestone_due, m.status, m.completion_note, m.completed_at, m.version
     FROM measures m JOIN findings f ON f.id = m.finding_id JOIN branches b ON b.id = f.branch_id";

// What the committee's two queues hold, shared by the lists and the counts on the committee
// page, so the numbers always match the lists. Parameters: ?1 campaign, ?2 committee, ?3 until.
// The committee's own 本级 measures are not in them: the 组织部 confirms those.
const IN_COMMITTEE: &str = "f.campaign_id = ?1 AND b.committee_id = ?2 AND b.level = 'branch'";
const CLOSE_OUT_REQUESTED: &str = "m.status = 'done'";
// A milestone not yet done is due as a deadline is (domain::progress::first_due).
const DUE_BY_UNTIL: &str = "m.status <> 'closed_out' AND (m.deadline <= ?3 OR m.milestone_due <= ?3)";

/// How many 销号 requests wait in a committee, and how many measures are due within `until` or
/// overdue (the committee page's two counts, without loading the rows).
pub async fn queue_counts(
    db: &super::Db, scope: Scope, campaign: CampaignId, committee: CommitteeId, until: Date,
) -> sqlx::Result<(i64, i64)> {
    if !scope.covers_committee(committee) {
        return Ok((0, 0));
    }
    let counts = db
        .memos
        .queue_counts
        .get_or_load(db, (committee, campaign, until), || {
            queue_counts_now(&db.read, campaign, committee, until)
        })
        .await?;
    Ok(*counts)
}

async fn queue_counts_now(
    pool: &SqlitePool, campaign: CampaignId, committee: CommitteeId, until: Date,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(&format!(
        // The first queue holds 销号 requests and 延期申请 alike (one list, one count).
        "SELECT COALESCE(SUM({CLOSE_OUT_REQUESTED}), 0)
                + (SELECT COUNT(*) FROM deadline_extensions x
                   JOIN measures m ON m.id = x.measure_id JOIN findings f ON f.id = m.finding_id
                   JOIN branches b ON b.id = f.branch_id
                   WHERE x.state = 'pending' AND {IN_COMMITTEE}),
                COALESCE(SUM({DUE_BY_UNTIL}), 0)
         FROM measures m JOIN findings f ON f.id = m.finding_id JOIN branches b ON b.id = f.branch_id
         WHERE {IN_COMMITTEE}"
    ))
    .bind(campaign)
    .bind(committee)
    .bind(until)
    .fetch_one(pool)
    .await
}

/// 销号 requests waiting in a committee, oldest first.
pub async fn close_out_queue(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Vec<MeasureLine>> {
    let which = format!("{CLOSE_OUT_REQUESTED} ORDER BY m.completed_at, m.id");
    lines(pool, scope, (campaign, committee), &which, None).await
}

/// 催办: measures not closed off whose deadline is on or before `until` (overdue ones included),
/// by branch and owner.
pub async fn reminders(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, committee: CommitteeId, until: Date,
) -> sqlx::Result<Vec<MeasureLine>> {
    let which = format!(
        "{DUE_BY_UNTIL}
         ORDER BY b.sort_order, b.id, m.owner, MIN(COALESCE(m.deadline, m.milestone_due), COALESCE(m.milestone_due, m.deadline))"
    );
    lines(pool, scope, (campaign, committee), &which, Some(until)).await
}

/// The committee's measures `which` picks (a condition and its order; `until` binds the third
/// parameter when it has one), none outside the scope.
async fn lines(
    pool: &SqlitePool, scope: Scope, (campaign, committee): (CampaignId, CommitteeId), which: &str, until: Option<Date>,
) -> sqlx::Result<Vec<MeasureLine>> {
    if !scope.covers_committee(committee) {
        return Ok(Vec::new());
    }
    let sql = format!("{LINE} WHERE {IN_COMMITTEE} AND {which}");
    let query = sqlx::query_as(&sql).bind(campaign).bind(committee);
    match until {
        Some(until) => query.bind(until).fetch_all(pool).await,
        None => query.fetch_all(pool).await,
    }
}

/// Badge counts: what waits for this user.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct Waiting {
    /// Reviewers: branch ledgers submitted and waiting for review, and 督查发现 handed in on their
    /// own (on signed-off ledgers).
    pub submitted_ledgers: i64,
    /// Reviewers: 销号 requests and 延期申请 of branches waiting (one queue, one badge).
    pub close_out_requests: i64,
    /// Rows, answers and meeting records returned on the ledger the user keeps (a secretary's
    /// branch, a committee's 本级).
    pub returned_rows: i64,
    /// 销号 requests rejected on the ledger the user keeps.
    pub rejected_close_outs: i64,
}

/// What waits for a user of `scope` (memoised, see [`super::memo`]).
pub async fn waiting(db: &super::Db, scope: Scope, campaign: CampaignId) -> sqlx::Result<Waiting> {
    let found = db
        .memos
        .waiting
        .get_or_load(db, (scope, campaign), || waiting_now(&db.read, scope, campaign))
        .await?;
    Ok(*found)
}

async fn waiting_now(pool: &SqlitePool, scope: Scope, campaign: CampaignId) -> sqlx::Result<Waiting> {
    // Which units' ledgers the scope reviews, and which it keeps: a committee reviews its
    // branches and keeps its own 本级 ledger; a secretary keeps a branch's.
    let (reviewed, kept) = match scope.reach() {
        Reach::Campus => (Some(Level::Committee), None),
        Reach::Committee(_) => (Some(Level::Branch), Some(Level::Committee)),
        Reach::Branch(_) => (None, Some(Level::Branch)),
    };
    // Driven from the scope's branches, so a secretary's badges read one branch's rows (through
    // findings_by_branch), not the campus's. Both measure counts come from one pass (`ms`): as
    // two subqueries over `fs`, SQLite built a Bloom filter over every measure of the campus
    // for the second one (17 ms instead of 0.1 ms).
    sqlx::query_as(&scoped(
        "WITH fs AS (SELECT fd.id, fd.branch_id, fd.review_state, b.level, fd.inspection_id IS NOT NULL AS raised,
                            fd.handed_in_at IS NOT NULL AS handed_in FROM findings fd
                     JOIN branches b ON b.id = fd.branch_id
                     WHERE fd.branch_id IN (SELECT id FROM scoped) AND fd.campaign_id = ?3),
              ms AS (SELECT COUNT(*) FILTER (WHERE m.status = 'done' AND fs.level = ?4) AS done,
                            COUNT(*) FILTER (WHERE m.close_out_rejected = 1 AND fs.level = ?5) AS rejected
                     FROM fs JOIN measures m ON m.finding_id = fs.id)
         SELECT
           (SELECT COUNT(*) FROM branch_ledgers bl JOIN branches b ON b.id = bl.branch_id
             WHERE bl.campaign_id = ?3 AND bl.state = 'submitted' AND b.level = ?4
               AND bl.branch_id IN (SELECT id FROM scoped))
           + (SELECT COUNT(*) FROM fs WHERE fs.handed_in AND fs.level = ?4) AS submitted_ledgers,
           ms.done
           + (SELECT COUNT(*) FROM deadline_extensions x
               JOIN measures m ON m.id = x.measure_id JOIN findings f ON f.id = m.finding_id
               JOIN branches b ON b.id = f.branch_id
               WHERE x.state = 'pending' AND f.campaign_id = ?3 AND b.level = ?4
                 AND +x.branch_id IN (SELECT id FROM scoped)) AS close_out_requests,
           (SELECT COUNT(*) FROM fs
             WHERE fs.review_state = 'returned' AND fs.level = ?5
               AND NOT EXISTS (SELECT 1 FROM branch_ledgers bl WHERE bl.campaign_id = ?3 AND bl.branch_id = fs.branch_id
                                                                 AND bl.state = 'submitted'))
           + (SELECT COUNT(*) FROM self_checks sc JOIN branches b ON b.id = sc.branch_id
               JOIN ledger_items i ON i.id = sc.ledger_item_id JOIN ledger_categories c ON c.id = i.category_id
               WHERE sc.review_state = 'returned' AND b.level = ?5 AND c.campaign_id = ?3
                 AND sc.branch_id IN (SELECT id FROM scoped)
                 AND NOT EXISTS (SELECT 1 FROM branch_ledgers bl WHERE bl.campaign_id = ?3 AND bl.branch_id = sc.branch_id
                                                                   AND bl.state = 'submitted'))
           + (SELECT COUNT(*) FROM branch_meetings bm JOIN branches b ON b.id = bm.branch_id
               WHERE bm.review_state = 'returned' AND b.level = ?5 AND bm.campaign_id = ?3
                 AND bm.branch_id IN (SELECT id FROM scoped)
                 AND NOT EXISTS (SELECT 1 FROM branch_ledgers bl WHERE bl.campaign_id = ?3 AND bl.branch_id = bm.branch_id
                                                                   AND bl.state = 'submitted'))
           -- 督查发现 raised on a signed-off ledger, to be planned and handed in on their own.
           + (SELECT COUNT(*) FROM fs
               WHERE fs.raised AND fs.review_state = 'pending' AND NOT fs.handed_in AND fs.level = ?5
                 AND EXISTS (SELECT 1 FROM branch_ledgers bl WHERE bl.campaign_id = ?3 AND bl.branch_id = fs.branch_id
                                                              AND bl.state = 'signed_off')) AS returned_rows,
           ms.rejected AS rejected_close_outs
         FROM ms",
    ))
    .bind_scope(scope)
    .bind(campaign)
    .bind(reviewed)
    .bind(kept)
    .fetch_one(pool)
    .await
}
