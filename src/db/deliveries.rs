//! 报送 (migration 000018): the package a committee handed to the 组织部, kept as sent, with the
//! scan of its sealed paper copy, the paper copy's receipt, or its return. Every step audited
//! (entity `deliveries`, with the committee).

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::audit::{self, Entry};
use super::evidence::EvidenceFile;
use crate::auth::Scope;
use crate::domain::delivery::{PaperReceipt, Standing};
use crate::domain::history::AuditAction;
use crate::domain::states::DeliveryState;
use crate::domain::{CampaignId, CommitteeId, DeliveryId, UserId};

/// A 报送 without its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: DeliveryId,
    pub committee_id: CommitteeId,
    /// UTC, as stored.
    pub delivered_at: String,
    pub delivered_by_name: Option<String>,
    pub package_name: String,
    pub package_size: i64,
    pub state: DeliveryState,
    pub return_reason: String,
    pub returned_at: Option<String>,
    pub paper_received_on: Option<Date>,
    pub paper_received_by: String,
    pub paper_note: String,
    pub scan_name: Option<String>,
    pub scan_size: Option<i64>,
    pub version: i64,
}

impl DeliveryRow {
    /// The campus date it was handed in on, which 逾期报送 is judged by.
    pub fn delivered_on(&self) -> Date {
        crate::domain::dates::campus_date(&self.delivered_at).unwrap_or_else(crate::domain::dates::today)
    }

    pub fn standing(&self, due: Date) -> Standing {
        Standing::of(
            Some((self.state, self.delivered_on(), self.paper_received_on.is_some())),
            due,
        )
    }
}

/// How a committee's 报送 stands, from its list (newest first).
pub fn latest_standing(rows: &[DeliveryRow], due: Date) -> Standing {
    rows.first().map_or(Standing::NotDelivered, |d| d.standing(due))
}

const COLUMNS: &str = "d.id, d.committee_id, d.delivered_at, u.display_name AS delivered_by_name, d.package_name,
     d.package_size, d.state, d.return_reason, d.returned_at, d.paper_received_on, d.paper_received_by, d.paper_note,
     d.scan_name, d.scan_size, d.version";

/// The committee's 报送 in a campaign, newest first (none outside the scope).
pub async fn of_committee(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Vec<DeliveryRow>> {
    if !scope.covers_committee(committee) {
        return Ok(Vec::new());
    }
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries d LEFT JOIN users u ON u.id = d.delivered_by
         WHERE d.campaign_id = ? AND d.committee_id = ? ORDER BY d.id DESC"
    ))
    .bind(campaign)
    .bind(committee)
    .fetch_all(pool)
    .await
}

/// Campus-wide, for the overview: each committee's latest 报送 in the campaign.
pub async fn latest_campus(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Vec<DeliveryRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries d LEFT JOIN users u ON u.id = d.delivered_by
         WHERE d.campaign_id = ?
           AND d.id = (SELECT MAX(l.id) FROM deliveries l WHERE l.campaign_id = d.campaign_id AND l.committee_id = d.committee_id)"
    ))
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// The package as it was sent, or the scan of the paper copy (`scan`), if the scope covers the
/// committee.
pub async fn file(
    pool: &SqlitePool, scope: Scope, committee: CommitteeId, id: DeliveryId, scan: bool,
) -> sqlx::Result<Option<EvidenceFile>> {
    if !scope.covers_committee(committee) {
        return Ok(None);
    }
    let columns = if scan {
        "scan_name AS file_name, scan_type AS content_type, scan AS data"
    } else {
        "package_name AS file_name, 'application/zip' AS content_type, package AS data"
    };
    sqlx::query_as(&format!(
        "SELECT {columns} FROM deliveries WHERE id = ? AND committee_id = ? AND {} IS NOT NULL",
        if scan { "scan" } else { "package" }
    ))
    .bind(id)
    .bind(committee)
    .fetch_optional(pool)
    .await
}

// Writes: the committee is one the user's scope covers (checked by actions::delivery).

/// The 报送 standing in the campaign, read inside a write transaction.
pub async fn standing(
    conn: &mut SqliteConnection, campaign: CampaignId, committee: CommitteeId,
) -> sqlx::Result<Option<DeliveryRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries d LEFT JOIN users u ON u.id = d.delivered_by
         WHERE d.campaign_id = ? AND d.committee_id = ? AND d.state = 'delivered'"
    ))
    .bind(campaign)
    .bind(committee)
    .fetch_optional(conn)
    .await
}

/// One 报送 of the committee in the campaign, read inside a write transaction.
pub async fn get_in(
    conn: &mut SqliteConnection, campaign: CampaignId, committee: CommitteeId, id: DeliveryId,
) -> sqlx::Result<Option<DeliveryRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries d LEFT JOIN users u ON u.id = d.delivered_by
         WHERE d.id = ? AND d.campaign_id = ? AND d.committee_id = ?"
    ))
    .bind(id)
    .bind(campaign)
    .bind(committee)
    .fetch_optional(conn)
    .await
}

fn entry(by: UserId, committee: CommitteeId, id: i64, action: AuditAction) -> Entry {
    Entry::new(by, action, id).committee(committee)
}

#[derive(Serialize)]
struct Sent<'a> {
    package_name: &'a str,
}

/// Keeps the package as it is handed in.
pub async fn create(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, committee: CommitteeId, name: &str, package: &[u8],
) -> sqlx::Result<DeliveryId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO deliveries (campaign_id, committee_id, delivered_by, package_name, package, package_size)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(campaign)
    .bind(committee)
    .bind(by)
    .bind(name)
    .bind(package)
    .bind(package.len() as i64)
    .fetch_one(&mut *conn)
    .await?;
    let e = entry(by, committee, id, AuditAction::DeliveryMake).after(&Sent { package_name: name });
    audit::record(conn, &e).await?;
    Ok(DeliveryId(id))
}

/// A step on a 报送 seen at another version: not taken.
pub struct Stale;

#[derive(Serialize)]
struct Scan<'a> {
    scan_name: Option<&'a str>,
}

/// Adds (or replaces) the scan of the sealed paper copy.
pub async fn set_scan(
    conn: &mut SqliteConnection, by: UserId, before: &DeliveryRow, name: &str, content_type: &str, data: &[u8],
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE deliveries SET scan_name = ?, scan_type = ?, scan = ?, scan_size = ?, version = version + 1
         WHERE id = ? AND version = ? AND state = 'delivered'",
    )
    .bind(name)
    .bind(content_type)
    .bind(data)
    .bind(data.len() as i64)
    .bind(before.id)
    .bind(before.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = entry(by, before.committee_id, before.id.0, AuditAction::DeliveryScan)
        .before(&Scan {
            scan_name: before.scan_name.as_deref(),
        })
        .after(&Scan { scan_name: Some(name) });
    audit::record(conn, &e).await?;
    Ok(Ok(()))
}

#[derive(Serialize)]
struct Paper<'a> {
    paper_received_on: Option<String>,
    paper_received_by: &'a str,
    paper_note: &'a str,
}

/// Records the paper copy's receipt (or corrects it), as seen at `seen_version`.
pub async fn record_paper(
    conn: &mut SqliteConnection, by: UserId, before: &DeliveryRow, seen_version: i64, receipt: &PaperReceipt,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE deliveries SET paper_received_on = ?, paper_received_by = ?, paper_note = ?, version = version + 1
         WHERE id = ? AND version = ? AND state = 'delivered'",
    )
    .bind(receipt.on)
    .bind(&receipt.by)
    .bind(&receipt.note)
    .bind(before.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = entry(by, before.committee_id, before.id.0, AuditAction::DeliveryPaper)
        .before(&Paper {
            paper_received_on: before.paper_received_on.map(crate::domain::dates::format_date),
            paper_received_by: &before.paper_received_by,
            paper_note: &before.paper_note,
        })
        .after(&Paper {
            paper_received_on: Some(crate::domain::dates::format_date(receipt.on)),
            paper_received_by: &receipt.by,
            paper_note: &receipt.note,
        });
    audit::record(conn, &e).await?;
    Ok(Ok(()))
}

#[derive(Serialize)]
struct Returned<'a> {
    state: DeliveryState,
    return_reason: &'a str,
}

/// Returns a 报送 with the reason the committee reads, as seen at `seen_version`.
pub async fn return_it(
    conn: &mut SqliteConnection, by: UserId, before: &DeliveryRow, seen_version: i64, reason: &str,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE deliveries SET state = 'returned', return_reason = ?, returned_at = datetime('now'), returned_by = ?,
                               version = version + 1
         WHERE id = ? AND version = ? AND state = 'delivered'",
    )
    .bind(reason)
    .bind(by)
    .bind(before.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let e = entry(by, before.committee_id, before.id.0, AuditAction::DeliveryReturn)
        .before(&Returned {
            state: DeliveryState::Delivered,
            return_reason: "",
        })
        .after(&Returned {
            state: DeliveryState::Returned,
            return_reason: reason,
        });
    audit::record(conn, &e).await?;
    Ok(Ok(()))
}
