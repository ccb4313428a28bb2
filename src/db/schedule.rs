//! 进度安排 and 延期 of a unit's measures: milestones (节点), progress entries and 延期申请.
//! Reads are scoped like every branch-owned row; writes take the Actor of a unit in scope.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::Stale;
use super::audit::{self, Actor};
use super::measures::Measure;
use super::scope::{BindScope, scoped};
use super::units::UNIT_NAME;
use crate::auth::Scope;
use crate::domain::dates::format_date;
use crate::domain::history::AuditAction;
use crate::domain::progress::{EntryInput, ExtensionInput, ExtensionState, MilestoneFacts, MilestoneInput};
use crate::domain::{BranchId, CampaignId, ExtensionId, FindingId, MeasureId, MilestoneId, ProgressEntryId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Milestone {
    pub id: MilestoneId,
    pub measure_id: MeasureId,
    pub title: String,
    pub due_on: Date,
    pub done_on: Option<Date>,
    pub version: i64,
}

impl Milestone {
    pub fn facts(&self) -> MilestoneFacts {
        MilestoneFacts {
            due_on: self.due_on,
            done_on: self.done_on,
        }
    }

    fn snapshot(&self) -> MilestoneSnapshot<'_> {
        MilestoneSnapshot {
            title: &self.title,
            due_on: format_date(self.due_on),
            done_on: self.done_on.map(format_date),
        }
    }
}

#[derive(Serialize)]
struct MilestoneSnapshot<'a> {
    title: &'a str,
    due_on: String,
    done_on: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgressEntry {
    pub id: ProgressEntryId,
    pub measure_id: MeasureId,
    pub on_date: Date,
    pub text: String,
    pub file_name: Option<String>,
    pub size: Option<i64>,
    pub author: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Extension {
    pub id: ExtensionId,
    pub measure_id: MeasureId,
    pub previous_deadline: Date,
    pub requested_deadline: Date,
    pub reason: String,
    pub state: ExtensionState,
    /// UTC, as stored.
    pub requested_at: String,
    pub requested_by: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub decision_comment: String,
    pub version: i64,
}

impl Extension {
    fn snapshot(&self) -> ExtensionSnapshot<'_> {
        ExtensionSnapshot {
            previous_deadline: format_date(self.previous_deadline),
            requested_deadline: format_date(self.requested_deadline),
            reason: &self.reason,
            state: self.state,
            decision_comment: &self.decision_comment,
        }
    }
}

#[derive(Serialize)]
struct ExtensionSnapshot<'a> {
    previous_deadline: String,
    requested_deadline: String,
    reason: &'a str,
    state: ExtensionState,
    decision_comment: &'a str,
}

/// A measure's whole 进度安排: milestones by date, entries by date, 延期申请 in order.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    pub milestones: Vec<Milestone>,
    pub entries: Vec<ProgressEntry>,
    pub extensions: Vec<Extension>,
}

const MILESTONE_COLUMNS: &str = "ms.id, ms.measure_id, ms.title, ms.due_on, ms.done_on, ms.version";
const ENTRY_COLUMNS: &str = "p.id, p.measure_id, p.on_date, p.text, p.file_name, p.size, (SELECT display_name FROM users WHERE id = p.created_by) AS author";
const EXTENSION_COLUMNS: &str = "x.id, x.measure_id, x.previous_deadline, x.requested_deadline, x.reason, x.state,
     x.requested_at, (SELECT display_name FROM users WHERE id = x.requested_by) AS requested_by,
     x.decided_at, (SELECT display_name FROM users WHERE id = x.decided_by) AS decided_by, x.decision_comment, x.version";

/// The 进度安排 of one measure of `branch`, within the scope.
pub async fn of_measure(
    pool: &SqlitePool, scope: Scope, branch: BranchId, measure: MeasureId,
) -> sqlx::Result<Schedule> {
    Ok(Schedule {
        milestones: rows_of(
            pool,
            scope,
            branch,
            measure,
            MILESTONE_COLUMNS,
            "measure_milestones ms",
            "ms.due_on, ms.id",
        )
        .await?,
        entries: rows_of(
            pool,
            scope,
            branch,
            measure,
            ENTRY_COLUMNS,
            "measure_progress p",
            "p.on_date, p.id",
        )
        .await?,
        extensions: rows_of(
            pool,
            scope,
            branch,
            measure,
            EXTENSION_COLUMNS,
            "deadline_extensions x",
            "x.id",
        )
        .await?,
    })
}

/// The rows of one of the 进度安排 tables (`table` with its alias) that belong to `measure` of
/// `branch`, within the scope, in `order`.
async fn rows_of<T>(
    pool: &SqlitePool, scope: Scope, branch: BranchId, measure: MeasureId, columns: &str, table: &str, order: &str,
) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let alias = table.rsplit(' ').next().unwrap_or(table);
    sqlx::query_as(&scoped(&format!(
        "SELECT {columns} FROM {table}
         WHERE {alias}.measure_id = ?3 AND {alias}.branch_id = ?4 AND {alias}.branch_id IN (SELECT id FROM scoped)
         ORDER BY {order}"
    )))
    .bind_scope(scope)
    .bind(measure)
    .bind(branch)
    .fetch_all(pool)
    .await
}

/// What the ledger and finding pages show of each measure's 进度安排: its next milestone not
/// done, its last progress entry, and a pending 延期申请.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Glance {
    pub measure_id: MeasureId,
    pub milestones: i64,
    pub next_title: Option<String>,
    pub next_due: Option<Date>,
    pub last_on: Option<Date>,
    pub last_text: Option<String>,
    pub pending_until: Option<Date>,
}

/// The glance of every measure of a unit in a campaign that has any 进度安排.
pub async fn glances(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Vec<Glance>> {
    sqlx::query_as(&scoped(
        // Driven from the unit's 进度安排 rows (few, each table indexed by unit), not from its
        // measures: a ledger page reads this on every view.
        "WITH planned(measure_id) AS (
           SELECT measure_id FROM measure_milestones WHERE branch_id = ?4
           UNION SELECT measure_id FROM measure_progress WHERE branch_id = ?4
           UNION SELECT measure_id FROM deadline_extensions WHERE branch_id = ?4 AND state = 'pending')
         SELECT m.id AS measure_id,
                (SELECT COUNT(*) FROM measure_milestones ms WHERE ms.measure_id = m.id) AS milestones,
                (SELECT ms.title FROM measure_milestones ms WHERE ms.measure_id = m.id AND ms.done_on IS NULL
                 ORDER BY ms.due_on, ms.id LIMIT 1) AS next_title,
                m.milestone_due AS next_due,
                (SELECT p.on_date FROM measure_progress p WHERE p.measure_id = m.id ORDER BY p.on_date DESC, p.id DESC LIMIT 1) AS last_on,
                (SELECT p.text FROM measure_progress p WHERE p.measure_id = m.id ORDER BY p.on_date DESC, p.id DESC LIMIT 1) AS last_text,
                (SELECT x.requested_deadline FROM deadline_extensions x WHERE x.measure_id = m.id AND x.state = 'pending') AS pending_until
         FROM planned JOIN measures m ON m.id = planned.measure_id JOIN findings f ON f.id = m.finding_id
         WHERE f.campaign_id = ?3 AND f.branch_id = ?4 AND f.branch_id IN (SELECT id FROM scoped)",
    ))
    .bind_scope(scope)
    .bind(campaign)
    .bind(branch)
    .fetch_all(pool)
    .await
}

/// A file of a progress entry, if it belongs to `branch` and the scope covers that branch.
pub async fn entry_file(
    pool: &SqlitePool, scope: Scope, branch: BranchId, id: ProgressEntryId,
) -> sqlx::Result<Option<super::evidence::EvidenceFile>> {
    super::evidence::stored_file(pool, scope, branch, "measure_progress", id.0).await
}

// Writes: the measure is one the actor's unit holds (read by actions::measure).

pub async fn milestone_count(conn: &mut SqliteConnection, measure: MeasureId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM measure_milestones WHERE measure_id = ?")
        .bind(measure)
        .fetch_one(conn)
        .await
}

pub async fn add_milestone(
    conn: &mut SqliteConnection, actor: Actor, measure: &Measure, input: &MilestoneInput,
) -> sqlx::Result<MilestoneId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO measure_milestones (measure_id, branch_id, title, due_on, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(measure.id)
    .bind(actor.branch_id)
    .bind(&input.title)
    .bind(input.due_on)
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    let added = milestone(conn, actor, MilestoneId(id)).await?.expect("just inserted");
    let (action, finding) = (AuditAction::MilestoneAdd, measure.finding_id);
    actor.record_added(conn, action, id, finding, &added.snapshot()).await?;
    Ok(MilestoneId(id))
}

/// A milestone of the actor's unit in its campaign, read inside a write transaction.
pub async fn milestone(conn: &mut SqliteConnection, actor: Actor, id: MilestoneId) -> sqlx::Result<Option<Milestone>> {
    of_actor(conn, actor, MILESTONE_COLUMNS, ("measure_milestones", "ms"), id.0).await
}

/// A row of a measure's schedule by id (`table` and the alias `columns` use), if it belongs to the
/// actor's unit and to a measure of its campaign.
async fn of_actor<T>(
    conn: &mut SqliteConnection, actor: Actor, columns: &str, (table, alias): (&str, &str), id: i64,
) -> sqlx::Result<Option<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    sqlx::query_as(&format!(
        "SELECT {columns} FROM {table} {alias}
         JOIN measures m ON m.id = {alias}.measure_id JOIN findings f ON f.id = m.finding_id
         WHERE {alias}.id = ? AND {alias}.branch_id = ? AND f.campaign_id = ?"
    ))
    .bind(id)
    .bind(actor.branch_id)
    .bind(actor.campaign_id)
    .fetch_optional(conn)
    .await
}

/// Marks a milestone done on `on` (or not done, `None`), as seen at `seen_version`.
pub async fn set_milestone_done(
    conn: &mut SqliteConnection, actor: Actor, before: &Milestone, finding: FindingId, seen_version: i64,
    on: Option<Date>,
) -> sqlx::Result<Result<(), Stale>> {
    let done =
        sqlx::query("UPDATE measure_milestones SET done_on = ?, version = version + 1 WHERE id = ? AND version = ?")
            .bind(on)
            .bind(before.id)
            .bind(seen_version)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let after = milestone(conn, actor, before.id).await?.expect("just updated");
    let action = if on.is_some() {
        AuditAction::MilestoneDone
    } else {
        AuditAction::MilestoneUndone
    };
    audit::record(
        conn,
        &actor
            .entry(action, before.id.0, Some(finding))
            .before(&before.snapshot())
            .after(&after.snapshot()),
    )
    .await?;
    Ok(Ok(()))
}

pub async fn delete_milestone(
    conn: &mut SqliteConnection, actor: Actor, before: &Milestone, finding: FindingId, seen_version: i64,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query("DELETE FROM measure_milestones WHERE id = ? AND version = ?")
        .bind(before.id)
        .bind(seen_version)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    audit::record(
        conn,
        &actor
            .entry(AuditAction::MilestoneDelete, before.id.0, Some(finding))
            .before(&before.snapshot()),
    )
    .await?;
    Ok(Ok(()))
}

/// A file already checked by domain::evidence (type sniffed, size limited, name cleaned).
pub struct EntryFile<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

pub async fn add_entry(
    conn: &mut SqliteConnection, actor: Actor, measure: &Measure, input: &EntryInput, file: Option<EntryFile<'_>>,
) -> sqlx::Result<ProgressEntryId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO measure_progress (measure_id, branch_id, on_date, text, file_name, content_type, size, data, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(measure.id)
    .bind(actor.branch_id)
    .bind(input.on_date)
    .bind(&input.text)
    .bind(file.as_ref().map(|f| f.name))
    .bind(file.as_ref().map(|f| f.content_type))
    .bind(file.as_ref().map(|f| f.bytes.len() as i64))
    .bind(file.as_ref().map(|f| f.bytes))
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    #[derive(Serialize)]
    struct Snapshot<'a> {
        on_date: String,
        text: &'a str,
        file_name: Option<&'a str>,
    }
    audit::record(
        conn,
        &actor
            .entry(AuditAction::ProgressAdd, id, Some(measure.finding_id))
            .after(&Snapshot {
                on_date: format_date(input.on_date),
                text: &input.text,
                file_name: file.as_ref().map(|f| f.name),
            }),
    )
    .await?;
    Ok(ProgressEntryId(id))
}

/// The pending 延期申请 of a measure, if any.
pub async fn pending_extension(conn: &mut SqliteConnection, measure: MeasureId) -> sqlx::Result<Option<Extension>> {
    sqlx::query_as(&format!(
        "SELECT {EXTENSION_COLUMNS} FROM deadline_extensions x WHERE x.measure_id = ? AND x.state = 'pending'"
    ))
    .bind(measure)
    .fetch_optional(conn)
    .await
}

/// A 延期申请 of the actor's unit in its campaign, read inside a write transaction.
pub async fn extension(conn: &mut SqliteConnection, actor: Actor, id: ExtensionId) -> sqlx::Result<Option<Extension>> {
    of_actor(conn, actor, EXTENSION_COLUMNS, ("deadline_extensions", "x"), id.0).await
}

pub async fn request_extension(
    conn: &mut SqliteConnection, actor: Actor, measure: &Measure, previous: Date, input: &ExtensionInput,
) -> sqlx::Result<ExtensionId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO deadline_extensions (measure_id, branch_id, previous_deadline, requested_deadline, reason, requested_by)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(measure.id)
    .bind(actor.branch_id)
    .bind(previous)
    .bind(input.requested)
    .bind(&input.reason)
    .bind(actor.user_id)
    .fetch_one(&mut *conn)
    .await?;
    let added = extension(conn, actor, ExtensionId(id)).await?.expect("just inserted");
    let (action, finding) = (AuditAction::ExtensionRequest, measure.finding_id);
    actor.record_added(conn, action, id, finding, &added.snapshot()).await?;
    Ok(ExtensionId(id))
}

/// Settles a pending request as `to` (withdrawn by the unit, approved or rejected by the level
/// above), as seen at `seen_version`. An approval moves the measure's deadline; its original
/// deadline stays.
pub async fn settle_extension(
    conn: &mut SqliteConnection, actor: Actor, before: &Extension, finding: FindingId, seen_version: i64,
    to: ExtensionState, comment: &str,
) -> sqlx::Result<Result<(), Stale>> {
    let decided = matches!(to, ExtensionState::Approved | ExtensionState::Rejected);
    let done = sqlx::query(
        "UPDATE deadline_extensions SET state = ?1, decision_comment = ?2,
                decided_by = CASE WHEN ?3 THEN ?4 END, decided_at = CASE WHEN ?3 THEN datetime('now') END,
                version = version + 1
         WHERE id = ?5 AND version = ?6 AND state = 'pending'",
    )
    .bind(to)
    .bind(comment)
    .bind(decided)
    .bind(actor.user_id)
    .bind(before.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    if to == ExtensionState::Approved {
        sqlx::query(
            "UPDATE measures SET deadline = ?, original_deadline = COALESCE(original_deadline, ?),
                    updated_at = datetime('now'), version = version + 1
             WHERE id = ?",
        )
        .bind(before.requested_deadline)
        .bind(before.previous_deadline)
        .bind(before.measure_id)
        .execute(&mut *conn)
        .await?;
    }
    let after = extension(conn, actor, before.id).await?.expect("just updated");
    let action = match to {
        ExtensionState::Approved => AuditAction::ExtensionApprove,
        ExtensionState::Rejected => AuditAction::ExtensionReject,
        _ => AuditAction::ExtensionWithdraw,
    };
    audit::record(
        conn,
        &actor
            .entry(action, before.id.0, Some(finding))
            .before(&before.snapshot())
            .after(&after.snapshot()),
    )
    .await?;
    Ok(Ok(()))
}

/// 延期申请 waiting for the level above, of the units in scope in a campaign: (unit, its name,
/// the measure's finding, the request).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Waiting {
    pub branch_id: BranchId,
    pub branch_name: String,
    pub finding_id: FindingId,
    pub measure_text: String,
    pub owner: String,
    #[sqlx(flatten)]
    pub request: Extension,
}

/// (A committee's queue holds its branches' requests; its own 本级 ones are the 组织部's: `level`.)
pub async fn waiting(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, level: crate::domain::units::Level,
) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query_as(
        &scoped(&format!(
            "SELECT f.branch_id, {UNIT_NAME} AS branch_name, m.finding_id, m.text AS measure_text, m.owner, {EXTENSION_COLUMNS}
             FROM deadline_extensions x
             JOIN measures m ON m.id = x.measure_id JOIN findings f ON f.id = m.finding_id
             JOIN branches b ON b.id = f.branch_id JOIN committees c ON c.id = b.committee_id
             WHERE x.state = 'pending' AND f.campaign_id = ?3 AND b.level = ?4
               -- `+`: read the few pending requests (their partial index), not every unit in scope.
               AND +x.branch_id IN (SELECT id FROM scoped)
             ORDER BY c.sort_order, b.sort_order, b.id, x.id"
        )),
    )
    .bind_scope(scope)
    .bind(campaign)
    .bind(level)
    .fetch_all(pool)
    .await
}

/// A row of a measure's 进度安排 that a step names by id.
#[derive(Debug, Clone, Copy)]
pub enum ScheduleRow {
    Milestone(MilestoneId),
    Extension(ExtensionId),
}

/// The measure a milestone or 延期申请 of `branch` belongs to, within the scope.
pub async fn measure_of(
    pool: &SqlitePool, scope: Scope, branch: BranchId, row: ScheduleRow,
) -> sqlx::Result<Option<MeasureId>> {
    let (table, id) = match row {
        ScheduleRow::Milestone(id) => ("measure_milestones", id.0),
        ScheduleRow::Extension(id) => ("deadline_extensions", id.0),
    };
    sqlx::query_scalar(&scoped(&format!(
        "SELECT measure_id FROM {table} WHERE id = ?3 AND branch_id = ?4 AND branch_id IN (SELECT id FROM scoped)"
    )))
    .bind_scope(scope)
    .bind(id)
    .bind(branch)
    .fetch_optional(pool)
    .await
}

/// For `seed-demo`: a branch measure of `campaign` by the start of its text, with its branch's
/// secretary and its committee's reviewer.
pub async fn demo_measure(
    conn: &mut SqliteConnection, campaign: CampaignId, text_start: &str,
) -> sqlx::Result<Option<(MeasureId, BranchId, crate::domain::UserId, crate::domain::UserId)>> {
    sqlx::query_as(
        "SELECT m.id, f.branch_id,
                (SELECT id FROM users WHERE branch_id = f.branch_id AND role = 'secretary' ORDER BY id LIMIT 1),
                (SELECT u.id FROM users u JOIN branches b ON b.committee_id = u.committee_id
                 WHERE b.id = f.branch_id AND u.role = 'reviewer' ORDER BY u.id LIMIT 1)
         FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE f.campaign_id = ? AND substr(m.text, 1, length(?2)) = ?2
         ORDER BY m.id LIMIT 1",
    )
    .bind(campaign)
    .bind(text_start)
    .fetch_optional(conn)
    .await
}
