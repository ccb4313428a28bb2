//! 专题支委会 records (migration 000012): one per branch and campaign, with its minutes or photos,
//! returned by the level above like a row. Every change audited (entities `branch_meetings`,
//! `meeting_evidence`).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::Stale;
use super::audit::{self, Actor};
use super::evidence::EvidenceFile;
use super::review::ReturnMark;
use super::scope::{BindScope, scoped};
use crate::auth::Scope;
use crate::domain::history::AuditAction;
use crate::domain::meeting::{Meeting, MeetingKind};
use crate::domain::states::ReviewState;
use crate::domain::{BranchId, CampaignId, MeetingEvidenceId};

/// A meeting record as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingRow {
    pub held: bool,
    pub held_on: Option<Date>,
    pub kind: Option<MeetingKind>,
    pub chair: String,
    pub present: Option<i64>,
    pub expected: Option<i64>,
    pub absentees: String,
    pub topics: String,
    pub decisions: String,
    pub not_held_reason: String,
    /// Returned by the level above, or pending.
    #[sqlx(flatten)]
    pub marks: super::review::ReturnMarks,
    pub version: i64,
}

impl MeetingRow {
    pub fn meeting(&self) -> Meeting {
        match (self.held, self.held_on, self.kind, self.present, self.expected) {
            (true, Some(on), Some(kind), Some(present), Some(expected)) => Meeting::Held {
                on,
                kind,
                chair: self.chair.clone(),
                present,
                expected,
                absentees: self.absentees.clone(),
                topics: self.topics.clone(),
                decisions: self.decisions.clone(),
            },
            // The CHECK constraints make a held meeting complete; anything else was not held.
            _ => Meeting::NotHeld {
                reason: self.not_held_reason.clone(),
            },
        }
    }
}

const COLUMNS: &str = "m.held, m.held_on, m.kind, m.chair, m.present, m.expected, m.absentees, m.topics, m.decisions,
     m.not_held_reason, m.review_state, m.review_comment, m.reviewed_at, m.updated_at, m.version";

/// A branch's meeting record in a campaign, if the scope covers the branch and one is kept.
pub async fn get(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Option<MeetingRow>> {
    sqlx::query_as(&scoped(&format!(
        "SELECT {COLUMNS} FROM branch_meetings m
         WHERE m.campaign_id = ?3 AND m.branch_id = ?4 AND m.branch_id IN (SELECT id FROM scoped)"
    )))
    .bind_scope(scope)
    .bind(campaign)
    .bind(branch)
    .fetch_optional(pool)
    .await
}

pub async fn get_in_tx(conn: &mut SqliteConnection, actor: Actor) -> sqlx::Result<Option<MeetingRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM branch_meetings m WHERE m.campaign_id = ? AND m.branch_id = ?"
    ))
    .bind(actor.campaign_id)
    .bind(actor.branch_id)
    .fetch_optional(conn)
    .await
}

/// The record as the audit trail shows it.
#[derive(Serialize)]
struct Snapshot<'a> {
    held: bool,
    held_on: Option<String>,
    kind: Option<MeetingKind>,
    chair: &'a str,
    present: Option<i64>,
    expected: Option<i64>,
    absentees: &'a str,
    topics: &'a str,
    decisions: &'a str,
    not_held_reason: &'a str,
}

impl<'a> From<&'a Meeting> for Snapshot<'a> {
    fn from(m: &'a Meeting) -> Self {
        match m {
            Meeting::Held {
                on,
                kind,
                chair,
                present,
                expected,
                absentees,
                topics,
                decisions,
            } => Snapshot {
                held: true,
                held_on: Some(crate::domain::dates::format_date(*on)),
                kind: Some(*kind),
                chair,
                present: Some(*present),
                expected: Some(*expected),
                absentees,
                topics,
                decisions,
                not_held_reason: "",
            },
            Meeting::NotHeld { reason } => Snapshot {
                held: false,
                held_on: None,
                kind: None,
                chair: "",
                present: None,
                expected: None,
                absentees: "",
                topics: "",
                decisions: "",
                not_held_reason: reason,
            },
        }
    }
}

/// Saves the record the user saw at `seen_version` (0: none yet). A return stays marked until
/// the ledger is handed in again, as a returned row's does.
pub async fn set(
    conn: &mut SqliteConnection, actor: Actor, seen_version: i64, m: &Meeting,
) -> sqlx::Result<Result<(), Stale>> {
    let before = get_in_tx(conn, actor).await?;
    if before.as_ref().map_or(0, |b| b.version) != seen_version {
        return Ok(Err(Stale));
    }
    let s = Snapshot::from(m);
    let held_on: Option<Date> = match m {
        Meeting::Held { on, .. } => Some(*on),
        Meeting::NotHeld { .. } => None,
    };
    let rowid: i64 = sqlx::query_scalar(
        "INSERT INTO branch_meetings (campaign_id, branch_id, held, held_on, kind, chair, present, expected, topics,
                                      decisions, not_held_reason, updated_by, absentees)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (campaign_id, branch_id) DO UPDATE SET
             held = ?3, held_on = ?4, kind = ?5, chair = ?6, present = ?7, expected = ?8, topics = ?9,
             decisions = ?10, not_held_reason = ?11, updated_by = ?12, absentees = ?13,
             updated_at = datetime('now'), version = version + 1
         RETURNING rowid",
    )
    .bind(actor.campaign_id)
    .bind(actor.branch_id)
    .bind(s.held)
    .bind(held_on)
    .bind(s.kind)
    .bind(s.chair)
    .bind(s.present)
    .bind(s.expected)
    .bind(s.topics)
    .bind(s.decisions)
    .bind(s.not_held_reason)
    .bind(actor.user_id)
    .bind(s.absentees)
    .fetch_one(&mut *conn)
    .await?;
    let before = before.map(|b| b.meeting());
    // Saved as it was (files added, say): nothing for the history to tell.
    if before.as_ref() != Some(m) {
        let mut entry = actor.entry(AuditAction::MeetingSet, rowid, None).after(&s);
        if let Some(b) = &before {
            entry = entry.before(&Snapshot::from(b));
        }
        audit::record(conn, &entry).await?;
    }
    Ok(Ok(()))
}

/// The level above returns the record (`Some(comment)`) or takes a return back (`None`), as
/// seen at `seen_version`.
pub async fn review(
    conn: &mut SqliteConnection, actor: Actor, seen_version: i64, returned: Option<&str>,
) -> sqlx::Result<Result<(), Stale>> {
    let Some(before) = get_in_tx(conn, actor).await? else {
        return Ok(Err(Stale));
    };
    let mark = ReturnMark::of(returned);
    let rowid: Option<i64> = sqlx::query_scalar(
        "UPDATE branch_meetings SET review_state = ?, review_comment = ?, reviewed_by = ?, reviewed_at = datetime('now'),
                                    version = version + 1
         WHERE campaign_id = ? AND branch_id = ? AND version = ?
         RETURNING rowid",
    )
    .bind(mark.review_state)
    .bind(mark.review_comment)
    .bind(actor.user_id)
    .bind(actor.campaign_id)
    .bind(actor.branch_id)
    .bind(seen_version)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(rowid) = rowid else { return Ok(Err(Stale)) };
    let before_mark = ReturnMark {
        review_state: before.marks.review_state,
        review_comment: &before.marks.review_comment,
    };
    mark.record(conn, actor, AuditAction::MeetingReview, rowid, before_mark)
        .await?;
    Ok(Ok(()))
}

/// What the lists show of a branch's meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub held: bool,
    pub returned: bool,
}

/// Every recorded meeting of the scope's branches in a campaign, by branch.
pub async fn recorded(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId,
) -> sqlx::Result<HashMap<BranchId, Recorded>> {
    let rows: Vec<(BranchId, bool, ReviewState)> = sqlx::query_as(&scoped(
        "SELECT m.branch_id, m.held, m.review_state FROM branch_meetings m
         WHERE m.campaign_id = ?3 AND m.branch_id IN (SELECT id FROM scoped)",
    ))
    .bind_scope(scope)
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(b, held, state)| {
            (
                b,
                Recorded {
                    held,
                    returned: state == ReviewState::Returned,
                },
            )
        })
        .collect())
}

/// Stores a file already checked by domain::evidence, under the actor's meeting record.
pub async fn add_evidence(
    conn: &mut SqliteConnection, actor: Actor, file_name: &str, content_type: &str, data: &[u8],
) -> sqlx::Result<MeetingEvidenceId> {
    let owner = ("meeting_evidence", "campaign_id", actor.campaign_id.0);
    let id = super::evidence::insert_file(conn, actor, owner, file_name, content_type, data).await?;
    #[derive(Serialize)]
    struct File<'a> {
        file_name: &'a str,
    }
    audit::record(
        conn,
        &actor
            .entry(AuditAction::MeetingEvidenceAdd, id, None)
            .after(&File { file_name }),
    )
    .await?;
    Ok(MeetingEvidenceId(id))
}

pub async fn evidence_count(conn: &mut SqliteConnection, actor: Actor) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM meeting_evidence WHERE campaign_id = ? AND branch_id = ?")
        .bind(actor.campaign_id)
        .bind(actor.branch_id)
        .fetch_one(conn)
        .await
}

/// A file of the meeting, without its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingFile {
    pub id: MeetingEvidenceId,
    pub file_name: String,
    pub size: i64,
}

impl MeetingFile {
    pub fn size_label(&self) -> String {
        crate::domain::evidence::size_label(self.size)
    }
}

/// The meeting's files (without bytes).
pub async fn evidence(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Vec<MeetingFile>> {
    sqlx::query_as(&scoped(
        "SELECT e.id, e.file_name, e.size FROM meeting_evidence e
         WHERE e.campaign_id = ?3 AND e.branch_id = ?4 AND e.branch_id IN (SELECT id FROM scoped)
         ORDER BY e.id",
    ))
    .bind_scope(scope)
    .bind(campaign)
    .bind(branch)
    .fetch_all(pool)
    .await
}

/// A file to download, if it belongs to `branch` and the scope covers that branch.
pub async fn evidence_file(
    pool: &SqlitePool, scope: Scope, branch: BranchId, id: MeetingEvidenceId,
) -> sqlx::Result<Option<EvidenceFile>> {
    super::evidence::stored_file(pool, scope, branch, "meeting_evidence", id.0).await
}

/// Removes a file of the actor's meeting record; false if there is no such file.
pub async fn delete_evidence(conn: &mut SqliteConnection, actor: Actor, id: MeetingEvidenceId) -> sqlx::Result<bool> {
    let name: Option<String> = sqlx::query_scalar(
        "DELETE FROM meeting_evidence WHERE id = ? AND campaign_id = ? AND branch_id = ? RETURNING file_name",
    )
    .bind(id)
    .bind(actor.campaign_id)
    .bind(actor.branch_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(file_name) = name else { return Ok(false) };
    #[derive(Serialize)]
    struct File {
        file_name: String,
    }
    audit::record(
        conn,
        &actor
            .entry(AuditAction::MeetingEvidenceDelete, id.0, None)
            .before(&File { file_name }),
    )
    .await?;
    Ok(true)
}
