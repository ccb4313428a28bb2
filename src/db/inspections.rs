//! 督查 records (migration 000022): the 组织部's 现场调研, 集中督导 and 调阅材料, the units each
//! covered, and the findings (督查发现) raised from them. Campus-wide: only the 组织部 reads the
//! records; a unit sees a raised finding in its ledger with its 督查's kind and date.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::audit::{self, Actor, Entry};
use crate::domain::history::AuditAction;
use crate::domain::inspection::{InspectionInput, InspectionKind};
use crate::domain::states::{FindingSource, ReviewState};
use crate::domain::{BranchId, CampaignId, CategoryId, FindingId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InspectionRow {
    pub id: i64,
    pub kind: InspectionKind,
    pub held_on: Date,
    pub participants: String,
    pub found: String,
    /// The units covered, "committee · unit", one per line.
    pub units: String,
    /// How many findings it raised, and how many of those are 已整改 (approved, every measure
    /// closed off).
    pub raised: i64,
    pub rectified: i64,
    pub created_by_name: Option<String>,
    pub version: i64,
}

/// The records with what they raised, from `inspections i`.
fn select(filter: &str) -> String {
    format!(
        "SELECT i.id, i.kind, i.held_on, i.participants, i.found,
             COALESCE((SELECT GROUP_CONCAT(c.name || ' · ' || {name}, char(10))
                       FROM inspection_units iu JOIN branches b ON b.id = iu.branch_id
                       JOIN committees c ON c.id = b.committee_id WHERE iu.inspection_id = i.id), '') AS units,
             (SELECT COUNT(*) FROM findings f WHERE f.inspection_id = i.id) AS raised,
             (SELECT COUNT(*) FROM findings f WHERE f.inspection_id = i.id AND f.review_state = 'approved'
                AND EXISTS (SELECT 1 FROM measures m WHERE m.finding_id = f.id)
                AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.finding_id = f.id AND m.status <> 'closed_out')) AS rectified,
             u.display_name AS created_by_name, i.version
         FROM inspections i LEFT JOIN users u ON u.id = i.created_by
         WHERE {filter}",
        name = super::units::UNIT_NAME
    )
}

/// The campaign's 督查 records, newest first.
pub async fn list(pool: &SqlitePool, campaign: CampaignId) -> sqlx::Result<Vec<InspectionRow>> {
    sqlx::query_as(&select("i.campaign_id = ? ORDER BY i.held_on DESC, i.id DESC"))
        .bind(campaign)
        .fetch_all(pool)
        .await
}

/// One record of the campaign.
pub async fn get(pool: &SqlitePool, campaign: CampaignId, id: i64) -> sqlx::Result<Option<InspectionRow>> {
    sqlx::query_as(&select("i.campaign_id = ? AND i.id = ?"))
        .bind(campaign)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The units a record covers, by committee order: (unit, "committee · unit").
pub async fn units(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<(BranchId, String)>> {
    sqlx::query_as(&format!(
        "SELECT b.id, c.name || ' · ' || {} FROM inspection_units iu
         JOIN branches b ON b.id = iu.branch_id JOIN committees c ON c.id = b.committee_id
         WHERE iu.inspection_id = ? ORDER BY c.sort_order, c.id, b.level = 'branch', b.name",
        super::units::UNIT_NAME
    ))
    .bind(id)
    .fetch_all(pool)
    .await
}

/// A finding a record raised, as the record's page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RaisedRow {
    pub id: FindingId,
    pub branch_id: BranchId,
    pub unit: String,
    pub text: String,
    pub review_state: ReviewState,
    pub handed_in: bool,
    pub measures: i64,
    pub closed_out: i64,
}

pub async fn raised(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<RaisedRow>> {
    sqlx::query_as(&format!(
        "SELECT f.id, f.branch_id, c.name || ' · ' || {} AS unit, f.text, f.review_state,
                f.handed_in_at IS NOT NULL AS handed_in,
                (SELECT COUNT(*) FROM measures m WHERE m.finding_id = f.id) AS measures,
                (SELECT COUNT(*) FROM measures m WHERE m.finding_id = f.id AND m.status = 'closed_out') AS closed_out
         FROM findings f JOIN branches b ON b.id = f.branch_id JOIN committees c ON c.id = b.committee_id
         WHERE f.inspection_id = ? ORDER BY f.id",
        super::units::UNIT_NAME
    ))
    .bind(id)
    .fetch_all(pool)
    .await
}

/// Where a raised finding came from, as its unit reads it: the 督查's kind and date.
pub async fn origin(pool: &SqlitePool, finding: FindingId) -> sqlx::Result<Option<(InspectionKind, Date)>> {
    sqlx::query_as(
        "SELECT i.kind, i.held_on FROM findings f JOIN inspections i ON i.id = f.inspection_id WHERE f.id = ?",
    )
    .bind(finding)
    .fetch_optional(pool)
    .await
}

/// What the audit trail keeps of a record.
#[derive(Serialize)]
struct Snapshot<'a> {
    inspection_kind: InspectionKind,
    inspected_on: String,
    participants: &'a str,
    found: &'a str,
    units: String,
}

async fn snapshot_units(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar(&format!(
        "SELECT COALESCE(GROUP_CONCAT({}, '、'), '') FROM inspection_units iu
         JOIN branches b ON b.id = iu.branch_id JOIN committees c ON c.id = b.committee_id WHERE iu.inspection_id = ?",
        super::units::UNIT_NAME
    ))
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Of `units`, those in the campaign's campus (existing units): the rest are dropped unseen, as
/// a form naming a unit that does not exist names none.
async fn set_units(conn: &mut SqliteConnection, id: i64, units: &[BranchId]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM inspection_units WHERE inspection_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for unit in units {
        sqlx::query(
            "INSERT OR IGNORE INTO inspection_units (inspection_id, branch_id) SELECT ?, id FROM branches WHERE id = ?",
        )
        .bind(id)
        .bind(unit)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn audit_record(
    conn: &mut SqliteConnection, by: UserId, action: AuditAction, id: i64, input: &InspectionInput,
) -> sqlx::Result<()> {
    let units = snapshot_units(conn, id).await?;
    let e = Entry::new(by, action, id).after(&Snapshot {
        inspection_kind: input.kind,
        inspected_on: crate::domain::dates::format_date(input.held_on),
        participants: &input.participants,
        found: &input.found,
        units,
    });
    audit::record(conn, &e).await
}

/// Records a 督查 of the campaign covering `units`.
pub async fn add(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, input: &InspectionInput, units: &[BranchId],
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO inspections (campaign_id, kind, held_on, participants, found, created_by)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(campaign)
    .bind(input.kind)
    .bind(input.held_on)
    .bind(&input.participants)
    .bind(&input.found)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    set_units(conn, id, units).await?;
    audit_record(conn, by, AuditAction::InspectionAdd, id, input).await?;
    Ok(id)
}

/// Changes a record as seen at `version`: `None` if it is not the campaign's, `Some(false)` if it
/// changed since. A unit a raised finding is in stays covered.
pub async fn update(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, id: i64, version: i64, input: &InspectionInput,
    units: &[BranchId],
) -> sqlx::Result<Option<bool>> {
    let found: Option<i64> = sqlx::query_scalar("SELECT version FROM inspections WHERE id = ? AND campaign_id = ?")
        .bind(id)
        .bind(campaign)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(current) = found else { return Ok(None) };
    if current != version {
        return Ok(Some(false));
    }
    sqlx::query(
        "UPDATE inspections SET kind = ?, held_on = ?, participants = ?, found = ?, version = version + 1 WHERE id = ?",
    )
    .bind(input.kind)
    .bind(input.held_on)
    .bind(&input.participants)
    .bind(&input.found)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let mut kept: Vec<BranchId> = sqlx::query_scalar("SELECT DISTINCT branch_id FROM findings WHERE inspection_id = ?")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    kept.extend_from_slice(units);
    set_units(conn, id, &kept).await?;
    audit_record(conn, by, AuditAction::InspectionUpdate, id, input).await?;
    Ok(Some(true))
}

/// Whether `id` is a record of the campaign (read in the write transaction).
pub async fn exists(conn: &mut SqliteConnection, campaign: CampaignId, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM inspections WHERE id = ? AND campaign_id = ?)")
        .bind(id)
        .bind(campaign)
        .fetch_one(conn)
        .await
}

/// Whether the campaign's record `id` covers `unit`.
pub async fn covers(conn: &mut SqliteConnection, campaign: CampaignId, id: i64, unit: BranchId) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM inspection_units iu JOIN inspections i ON i.id = iu.inspection_id
                        WHERE i.id = ? AND i.campaign_id = ? AND iu.branch_id = ?)",
    )
    .bind(id)
    .bind(campaign)
    .bind(unit)
    .fetch_one(conn)
    .await
}

#[derive(Serialize)]
struct Raised<'a> {
    text: &'a str,
    source: FindingSource,
}

/// Puts a problem record `inspection` found into the actor's unit's ledger, under `category`:
/// a finding 待审核 that the unit answers with measures.
pub async fn raise(
    conn: &mut SqliteConnection, actor: Actor, inspection: i64, category: CategoryId, text: &str,
) -> sqlx::Result<FindingId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO findings (branch_id, campaign_id, category_id, ledger_item_id, position, text, created_by, source,
                               inspection_id)
         SELECT ?1, ?2, ?3, NULL, COALESCE(MAX(position), 0) + 1, ?4, ?5, 'extended', ?6
         FROM findings WHERE branch_id = ?1 AND campaign_id = ?2 AND category_id = ?3
         RETURNING id",
    )
    .bind(actor.branch())
    .bind(actor.campaign())
    .bind(category)
    .bind(text)
    .bind(actor.user())
    .bind(inspection)
    .fetch_one(&mut *conn)
    .await?;
    let id = FindingId(id);
    let e = actor.entry(AuditAction::FindingRaise, id.0, Some(id)).after(&Raised {
        text,
        source: FindingSource::Inspection,
    });
    audit::record(conn, &e).await?;
    Ok(id)
}

#[derive(Serialize)]
struct HandedIn {
    handed_in: bool,
}

/// The unit hands a 督查发现 in on its own (a signed-off ledger): it waits for the level above.
pub async fn hand_in(
    conn: &mut SqliteConnection, actor: Actor, finding: FindingId, version: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE findings SET handed_in_at = datetime('now'), review_state = 'pending', version = version + 1
         WHERE id = ? AND branch_id = ? AND version = ? AND inspection_id IS NOT NULL",
    )
    .bind(finding)
    .bind(actor.branch())
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if done {
        let e = actor
            .entry(AuditAction::FindingHandIn, finding.0, Some(finding))
            .before(&HandedIn { handed_in: false })
            .after(&HandedIn { handed_in: true });
        audit::record(conn, &e).await?;
    }
    Ok(done)
}

/// A finding's measures: how many, and how many lack a 整改时限 or a 责任人.
pub async fn plan_counts(conn: &mut SqliteConnection, finding: FindingId) -> sqlx::Result<(usize, usize)> {
    let (all, unplanned): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(deadline IS NULL OR trim(owner) = ''), 0) FROM measures WHERE finding_id = ?",
    )
    .bind(finding)
    .fetch_one(conn)
    .await?;
    Ok((all as usize, unplanned as usize))
}

/// A unit a record may cover, for the record's form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitChoice {
    pub id: BranchId,
    pub committee: String,
    pub name: String,
}

/// Every unit of the campus, by committee (its own unit first), for ticking.
pub async fn campus_units(pool: &SqlitePool) -> sqlx::Result<Vec<UnitChoice>> {
    sqlx::query_as(&format!(
        "SELECT b.id, c.name AS committee, {} AS name FROM branches b JOIN committees c ON c.id = b.committee_id
         ORDER BY c.sort_order, c.id, b.level = 'branch', b.name, b.id",
        super::units::UNIT_NAME
    ))
    .fetch_all(pool)
    .await
}
