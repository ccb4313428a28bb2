//! The committee's own campaign work (migration 000013): deployment meetings, guidance of its
//! branches, 书记轮训. Kept by its reviewers, read by the 组织部; every change audited (entity
//! `committee_work`, with the committee).

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::audit::{self, Entry};
use crate::auth::Scope;
use crate::domain::history::AuditAction;
use crate::domain::work::{Work, WorkKind};
use crate::domain::{BranchId, CampaignId, CommitteeId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkRow {
    pub id: i64,
    pub kind: WorkKind,
    pub held_on: Date,
    pub branch_id: Option<BranchId>,
    pub branch_name: Option<String>,
    pub title: String,
    pub attendees: String,
    pub found: String,
    pub created_by_name: Option<String>,
}

/// The committee's records in a campaign, by date, if the scope covers the committee.
pub async fn list(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Vec<WorkRow>> {
    if !scope.covers_committee(committee) {
        return Ok(Vec::new());
    }
    sqlx::query_as(
        "SELECT w.id, w.kind, w.held_on, w.branch_id, b.name AS branch_name, w.title, w.attendees, w.found,
                u.display_name AS created_by_name
         FROM committee_work w
         LEFT JOIN branches b ON b.id = w.branch_id AND b.committee_id = w.committee_id
         LEFT JOIN users u ON u.id = w.created_by
         WHERE w.campaign_id = ? AND w.committee_id = ?
         ORDER BY w.held_on, w.id",
    )
    .bind(campaign)
    .bind(committee)
    .fetch_all(pool)
    .await
}

/// The committee's active branches, which guidance may name.
pub async fn branch_ids(conn: &mut SqliteConnection, committee: CommitteeId) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM branches WHERE committee_id = ? AND level = 'branch' AND active = 1")
        .bind(committee)
        .fetch_all(conn)
        .await
}

#[derive(Serialize)]
struct Snapshot<'a> {
    kind: WorkKind,
    held_on: String,
    branch_id: Option<i64>,
    title: &'a str,
    attendees: &'a str,
    found: &'a str,
}

impl<'a> From<&'a Work> for Snapshot<'a> {
    fn from(w: &'a Work) -> Self {
        Snapshot {
            kind: w.kind,
            held_on: crate::domain::dates::format_date(w.on),
            branch_id: w.branch,
            title: &w.title,
            attendees: &w.attendees,
            found: &w.found,
        }
    }
}

pub async fn add(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, committee: CommitteeId, w: &Work,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO committee_work (campaign_id, committee_id, kind, held_on, branch_id, title, attendees, found, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(campaign)
    .bind(committee)
    .bind(w.kind)
    .bind(w.on)
    .bind(w.branch)
    .bind(&w.title)
    .bind(&w.attendees)
    .bind(&w.found)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    let entry = Entry::new(by, AuditAction::WorkAdd, id)
        .committee(committee)
        .after(&Snapshot::from(w));
    audit::record(conn, &entry).await?;
    Ok(id)
}

/// Removes a record of the committee in the campaign; false if there is none.
pub async fn delete(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, committee: CommitteeId, id: i64,
) -> sqlx::Result<bool> {
    let row: Option<(WorkKind, Date, Option<i64>, String, String, String)> = sqlx::query_as(
        "DELETE FROM committee_work WHERE id = ? AND campaign_id = ? AND committee_id = ?
         RETURNING kind, held_on, branch_id, title, attendees, found",
    )
    .bind(id)
    .bind(campaign)
    .bind(committee)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((kind, on, branch, title, attendees, found)) = row else {
        return Ok(false);
    };
    let before = Work {
        kind,
        on,
        branch,
        title,
        attendees,
        found,
    };
    let entry = Entry::new(by, AuditAction::WorkDelete, id)
        .committee(committee)
        .before(&Snapshot::from(&before));
    audit::record(conn, &entry).await?;
    Ok(true)
}
