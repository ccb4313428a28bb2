//! 整改措施: numbered measures of a finding, and the branch's 销号 requests.

use crate::domain::history::AuditAction;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::Stale;
use super::audit::{self, Actor};
use super::scope::scoped_row;
use crate::auth::Scope;
use crate::domain::dates::format_date;
use crate::domain::input::MeasureInput;
use crate::domain::states::MeasureStatus;
use crate::domain::{BranchId, FindingId, MeasureId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Measure {
    pub id: MeasureId,
    pub finding_id: FindingId,
    pub branch_id: BranchId,
    pub text: String,
    pub deadline: Option<Date>,
    pub owner: String,
    pub status: MeasureStatus,
    pub immediate: bool,
    pub long_term: bool,
    /// The deadline when the ledger was first handed in; set, the deadline moves only by an
    /// approved 延期申请.
    pub original_deadline: Option<Date>,
    pub completion_note: String,
    pub version: i64,
}

impl Measure {
    fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            text: &self.text,
            deadline: self.deadline.map(format_date),
            owner: &self.owner,
            status: self.status,
            immediate: self.immediate,
            long_term: self.long_term,
            completion_note: &self.completion_note,
        }
    }
}

/// The completion note of a measure marked 立行立改 without one: a 销号 request always says
/// something.
pub const IMMEDIATE_NOTE: &str = "立行立改，已当场整改完成。";

/// What the audit trail keeps of a measure.
#[derive(Serialize)]
struct Snapshot<'a> {
    text: &'a str,
    deadline: Option<String>,
    owner: &'a str,
    status: MeasureStatus,
    immediate: bool,
    long_term: bool,
    completion_note: &'a str,
}

macro_rules! columns {
    () => {
        "m.id, m.finding_id, f.branch_id, m.text, m.deadline, m.owner, m.status, m.immediate,
                       m.long_term, m.original_deadline, m.completion_note, m.version"
    };
}

const COLUMNS: &str = columns!();

/// One row by id within the scope (see super::scope::scoped_row).
const FIND: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE m.id = ?3 AND f.branch_id IN (SELECT id FROM scoped) AND (?4 IS NULL OR f.branch_id = ?4)"
);

/// A measure, if it is within the scope.
pub async fn get(pool: &SqlitePool, scope: Scope, id: MeasureId) -> sqlx::Result<Option<Measure>> {
    scoped_row(pool, scope, FIND, id.0, None).await
}

/// The same, only if it belongs to `branch`.
pub async fn of_branch(
    pool: &SqlitePool, scope: Scope, branch: BranchId, id: MeasureId,
) -> sqlx::Result<Option<Measure>> {
    scoped_row(pool, scope, FIND, id.0, Some(branch)).await
}

/// A measure of the actor's branch in the actor's campaign, read inside a write transaction.
pub async fn get_of_branch(conn: &mut SqliteConnection, at: Actor, id: MeasureId) -> sqlx::Result<Option<Measure>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE m.id = ? AND f.branch_id = ? AND f.campaign_id = ?"
    ))
    .bind(id)
    .bind(at.branch_id)
    .bind(at.campaign_id)
    .fetch_optional(conn)
    .await
}

/// Adds a measure as the finding's next number.
pub async fn create(
    conn: &mut SqliteConnection, actor: Actor, finding: FindingId, input: &MeasureInput,
) -> sqlx::Result<MeasureId> {
    let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM measures WHERE finding_id = ?")
        .bind(finding)
        .fetch_one(&mut *conn)
        .await?;
    let id = insert(
        conn,
        &NewMeasure {
            finding_id: finding,
            position,
            text: &input.text,
            deadline: input.deadline,
            owner: &input.owner,
            status: input.status,
            immediate: input.immediate,
            long_term: input.long_term,
            completion_note: if input.immediate { IMMEDIATE_NOTE } else { "" },
            closed_out_by: None,
        },
    )
    .await?;
    super::findings::unapprove(conn, finding).await?;
    let created = get_of_branch(conn, actor, id).await?.expect("just inserted");
    actor
        .record_added(conn, AuditAction::MeasureCreate, id.0, finding, &created.snapshot())
        .await?;
    Ok(id)
}

/// Saves the branch's edit of a measure it saw at `seen_version`.
pub async fn update(
    conn: &mut SqliteConnection, actor: Actor, before: &Measure, seen_version: i64, input: &MeasureInput,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE measures SET text = ?1, deadline = ?2, owner = ?3, status = ?4, immediate = ?5, long_term = ?9,
                completed_at = CASE WHEN ?4 = 'done' THEN COALESCE(completed_at, datetime('now')) END,
                completion_note = CASE WHEN ?5 AND completion_note = '' THEN ?8 ELSE completion_note END,
                updated_at = datetime('now'), version = version + 1
         WHERE id = ?6 AND version = ?7 AND status <> 'closed_out'",
    )
    .bind(&input.text)
    .bind(input.deadline)
    .bind(&input.owner)
    .bind(input.status)
    .bind(input.immediate)
    .bind(before.id)
    .bind(seen_version)
    .bind(IMMEDIATE_NOTE)
    .bind(input.long_term)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        super::findings::unapprove(conn, before.finding_id).await?;
    }
    finish(conn, actor, before, done.rows_affected(), AuditAction::MeasureUpdate).await
}

/// 申请销号 (or withdrawing it): the status and the completion note.
pub async fn set_progress(
    conn: &mut SqliteConnection, actor: Actor, before: &Measure, seen_version: i64, status: MeasureStatus, note: &str,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE measures SET status = ?1, completion_note = ?2,
                completed_at = CASE WHEN ?1 = 'done' THEN datetime('now') END,
                close_out_rejected = CASE WHEN ?1 = 'done' THEN 0 ELSE close_out_rejected END,
                immediate = CASE WHEN ?1 = 'done' THEN immediate ELSE 0 END,
                updated_at = datetime('now'), version = version + 1
         WHERE id = ?3 AND version = ?4 AND status <> 'closed_out'",
    )
    .bind(status)
    .bind(note)
    .bind(before.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    let action = if status == MeasureStatus::Done {
        AuditAction::MeasureRequestCloseOut
    } else {
        AuditAction::MeasureWithdrawCloseOut
    };
    finish(conn, actor, before, done.rows_affected(), action).await
}

/// After an update: stale if nothing changed, else the audit entry with before and after.
async fn finish(
    conn: &mut SqliteConnection, actor: Actor, before: &Measure, affected: u64, action: AuditAction,
) -> sqlx::Result<Result<(), Stale>> {
    if affected != 1 {
        return Ok(Err(Stale));
    }
    let after = get_of_branch(conn, actor, before.id).await?.expect("just updated");
    let entry = actor
        .entry(action, before.id.0, Some(before.finding_id))
        .before(&before.snapshot())
        .after(&after.snapshot());
    audit::record(conn, &entry).await?;
    Ok(Ok(()))
}

/// Deletes a measure the branch saw at `seen_version`; a closed-off one stays.
pub async fn delete(
    conn: &mut SqliteConnection, actor: Actor, before: &Measure, seen_version: i64,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query("DELETE FROM measures WHERE id = ? AND version = ? AND status <> 'closed_out'")
        .bind(before.id)
        .bind(seen_version)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    super::findings::unapprove(conn, before.finding_id).await?;
    record_deletion(conn, actor, before).await?;
    Ok(Ok(()))
}

/// The audit entry for a deleted measure (deleted alone, or with its finding).
pub async fn record_deletion(conn: &mut SqliteConnection, actor: Actor, before: &Measure) -> sqlx::Result<()> {
    let entry = actor
        .entry(AuditAction::MeasureDelete, before.id.0, Some(before.finding_id))
        .before(&before.snapshot());
    audit::record(conn, &entry).await
}

#[derive(Debug)]
pub struct NewMeasure<'a> {
    pub finding_id: FindingId,
    pub position: i64,
    pub text: &'a str,
    pub deadline: Option<Date>,
    pub owner: &'a str,
    pub status: MeasureStatus,
    pub immediate: bool,
    pub long_term: bool,
    pub completion_note: &'a str,
    /// Who closed it off, when `status` is 已销号.
    pub closed_out_by: Option<UserId>,
}

/// Inserts a measure without checks or audit (the demo campus; `create` for users).
pub async fn insert(conn: &mut SqliteConnection, m: &NewMeasure<'_>) -> sqlx::Result<MeasureId> {
    let done = matches!(m.status, MeasureStatus::Done | MeasureStatus::ClosedOut);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO measures (finding_id, position, text, deadline, owner, status, immediate, completion_note,
                               completed_at, closed_out_by, closed_out_at, long_term)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                 CASE WHEN ?9 THEN datetime('now') END, ?10, CASE WHEN ?10 IS NOT NULL THEN datetime('now') END, ?11)
         RETURNING id",
    )
    .bind(m.finding_id)
    .bind(m.position)
    .bind(m.text)
    .bind(m.deadline)
    .bind(m.owner)
    .bind(m.status)
    .bind(m.immediate)
    .bind(m.completion_note)
    .bind(done)
    .bind(m.closed_out_by)
    .bind(m.long_term)
    .fetch_one(conn)
    .await?;
    Ok(MeasureId(id))
}
