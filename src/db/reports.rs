//! 附件3: a committee's report per campaign.

use crate::domain::history::AuditAction;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::Stale;
use super::audit::{self, Entry};
use crate::auth::Scope;
use crate::domain::report::Draft;
use crate::domain::states::ReportState;
use crate::domain::{CampaignId, CommitteeId, UserId};

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Report {
    pub work_done: String,
    pub problems: String,
    pub next_steps: String,
    pub state: ReportState,
    pub signer_name: String,
    pub signed_on: Option<Date>,
    pub signed_at: Option<String>,
    pub signed_by_name: Option<String>,
    pub reopen_reason: String,
    /// 0 when nothing is saved yet.
    pub version: i64,
}

/// The report, if the committee has saved one and the scope covers the committee.
pub async fn get(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Option<Report>> {
    if !scope.covers_committee(committee) {
        return Ok(None);
    }
    saved(pool, campaign, committee).await
}

/// The saved report of a committee, whoever asks (db::exports' campus-wide reader for /verify).
pub(super) async fn saved(
    pool: &SqlitePool, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Option<Report>> {
    sqlx::query_as(
        "SELECT r.work_done, r.problems, r.next_steps, r.state, r.signer_name, r.signed_on, r.signed_at,
                u.display_name AS signed_by_name, r.reopen_reason, r.version
         FROM committee_reports r LEFT JOIN users u ON u.id = r.signed_by
         WHERE r.campaign_id = ? AND r.committee_id = ?",
    )
    .bind(campaign)
    .bind(committee)
    .fetch_optional(pool)
    .await
}

async fn state_in_tx(
    conn: &mut SqliteConnection, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Option<(ReportState, i64)>> {
    sqlx::query_as("SELECT state, version FROM committee_reports WHERE campaign_id = ? AND committee_id = ?")
        .bind(campaign)
        .bind(committee)
        .fetch_optional(conn)
        .await
}

/// The report's state inside a write transaction (a draft when none is saved yet).
pub async fn state(
    conn: &mut SqliteConnection, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<ReportState> {
    Ok(ReportState::of(
        state_in_tx(conn, campaign, committee).await?.map(|(s, _)| s),
    ))
}

#[derive(Serialize)]
struct Sections<'a> {
    work_done: &'a str,
    problems: &'a str,
    next_steps: &'a str,
}

fn entry(by: UserId, committee: CommitteeId, campaign: CampaignId, action: AuditAction) -> Entry {
    Entry::new(by, action, campaign.0).committee(committee)
}

/// Saves the draft the reviewer saw at `seen_version` (0 = none saved yet).
pub async fn save(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, committee: CommitteeId, seen_version: i64, d: &Draft,
) -> sqlx::Result<Result<(), Stale>> {
    let before = get_in(conn, campaign, committee).await?;
    let affected = match &before {
        None if seen_version == 0 => sqlx::query(
            "INSERT INTO committee_reports (campaign_id, committee_id, work_done, problems, next_steps) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(campaign)
        .bind(committee)
        .bind(&d.work_done)
        .bind(&d.problems)
        .bind(&d.next_steps)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
        Some(_) => sqlx::query(
            "UPDATE committee_reports SET work_done = ?, problems = ?, next_steps = ?, version = version + 1,
                                          updated_at = datetime('now')
             WHERE campaign_id = ? AND committee_id = ? AND version = ? AND state = 'draft'",
        )
        .bind(&d.work_done)
        .bind(&d.problems)
        .bind(&d.next_steps)
        .bind(campaign)
        .bind(committee)
        .bind(seen_version)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
        None => 0,
    };
    if affected != 1 {
        return Ok(Err(Stale));
    }
    let mut e = entry(by, committee, campaign, AuditAction::ReportSave).after(&Sections {
        work_done: &d.work_done,
        problems: &d.problems,
        next_steps: &d.next_steps,
    });
    if let Some(b) = &before {
        e = e.before(&Sections {
            work_done: &b.work_done,
            problems: &b.problems,
            next_steps: &b.next_steps,
        });
    }
    audit::record(conn, &e).await?;
    Ok(Ok(()))
}

async fn get_in(
    conn: &mut SqliteConnection, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Option<Report>> {
    sqlx::query_as(
        "SELECT r.work_done, r.problems, r.next_steps, r.state, r.signer_name, r.signed_on, r.signed_at,
                NULL AS signed_by_name, r.reopen_reason, r.version
         FROM committee_reports r WHERE r.campaign_id = ? AND r.committee_id = ?",
    )
    .bind(campaign)
    .bind(committee)
    .fetch_optional(conn)
    .await
}

#[derive(Serialize)]
struct Signature<'a> {
    state: ReportState,
    signer_name: &'a str,
    signed_on: Option<String>,
    reopen_reason: &'a str,
}

/// Signs (and so locks) the saved draft the reviewer saw at `seen_version`.
pub async fn sign(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, committee: CommitteeId, seen_version: i64,
    signer: &str, on: Date,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE committee_reports SET state = 'signed', signer_name = ?, signed_on = ?, signed_by = ?, signed_at = datetime('now'),
                                      reopen_reason = '', version = version + 1, updated_at = datetime('now')
         WHERE campaign_id = ? AND committee_id = ? AND version = ? AND state = 'draft'",
    )
    .bind(signer)
    .bind(on)
    .bind(by)
    .bind(campaign)
    .bind(committee)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = entry(by, committee, campaign, AuditAction::ReportSign)
        .before(&Signature {
            state: ReportState::Draft,
            signer_name: "",
            signed_on: None,
            reopen_reason: "",
        })
        .after(&Signature {
            state: ReportState::Signed,
            signer_name: signer,
            signed_on: Some(crate::domain::dates::format_date(on)),
            reopen_reason: "",
        });
    audit::record(conn, &e).await?;
    Ok(Ok(()))
}

/// Reopens a signed report for editing, keeping the reason.
pub async fn reopen(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, committee: CommitteeId, reason: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE committee_reports SET state = 'draft', signed_on = NULL, signed_by = NULL, signed_at = NULL,
                                      reopen_reason = ?, version = version + 1, updated_at = datetime('now')
         WHERE campaign_id = ? AND committee_id = ? AND state = 'signed'",
    )
    .bind(reason)
    .bind(campaign)
    .bind(committee)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let e = entry(by, committee, campaign, AuditAction::ReportReopen)
        .before(&Signature {
            state: ReportState::Signed,
            signer_name: "",
            signed_on: None,
            reopen_reason: "",
        })
        .after(&Signature {
            state: ReportState::Draft,
            signer_name: "",
            signed_on: None,
            reopen_reason: reason,
        });
    audit::record(conn, &e).await?;
    Ok(true)
}

/// The committee's 党组织负责人, who signs 附件3: their account and name, if the 组织部 named one.
pub async fn leader(
    conn: impl sqlx::SqliteExecutor<'_>, committee: CommitteeId,
) -> sqlx::Result<Option<(UserId, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name FROM committees c JOIN users u ON u.id = c.leader_user_id
         WHERE c.id = ? AND u.active = 1",
    )
    .bind(committee)
    .fetch_optional(conn)
    .await
}

/// The committee's active branches whose ledgers are not signed off in the campaign, by name.
pub async fn unsigned_branches(
    conn: impl sqlx::SqliteExecutor<'_>, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT b.name FROM branches b
         LEFT JOIN branch_ledgers bl ON bl.branch_id = b.id AND bl.campaign_id = ?1
         WHERE b.committee_id = ?2 AND b.level = 'branch' AND b.active = 1
           AND COALESCE(bl.state, 'not_started') <> 'signed_off'
         ORDER BY b.sort_order, b.id",
    )
    .bind(campaign)
    .bind(committee)
    .fetch_all(conn)
    .await
}
