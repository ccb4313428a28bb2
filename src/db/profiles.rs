//! A branch's data per campaign (migration 000011): what 附件1's checks read (domain::hints).
//! Kept by the 组织部 and the branch's committee; every change audited.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::Stale;
use super::audit::{self, Entry};
use super::scope::{BindScope, scoped};
use crate::auth::Scope;
use crate::domain::hints::{HintCheck, Profile};
use crate::domain::history::AuditAction;
use crate::domain::states::Verdict;
use crate::domain::{BranchId, CampaignId, UserId};

/// A branch's data as stored (no row: nothing known yet, version 0).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ProfileRow {
    pub last_election_on: Option<Date>,
    pub term_years: i64,
    pub committee_members: Option<i64>,
    pub full_members: Option<i64>,
    pub secretary_vacant_since: Option<Date>,
    pub updated_at: Option<String>,
    pub version: i64,
}

impl ProfileRow {
    pub fn profile(&self) -> Profile {
        Profile {
            last_election_on: self.last_election_on,
            term_years: if self.version == 0 { 3 } else { self.term_years },
            committee_members: self.committee_members,
            full_members: self.full_members,
            secretary_vacant_since: self.secretary_vacant_since,
        }
    }
}

const COLUMNS: &str = "p.last_election_on, p.term_years, p.committee_members, p.full_members, p.secretary_vacant_since,
     p.updated_at, p.version";

/// A branch's data in a campaign, if the scope covers the branch (`Some(default)` when none is
/// kept yet).
pub async fn get(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Option<ProfileRow>> {
    let in_scope: bool = sqlx::query_scalar(&scoped(
        "SELECT EXISTS (SELECT 1 FROM branches b WHERE b.id = ?3 AND b.level = 'branch' AND b.id IN (SELECT id FROM scoped))",
    ))
    .bind_scope(scope)
    .bind(branch)
    .fetch_one(pool)
    .await?;
    if !in_scope {
        return Ok(None);
    }
    let row: Option<ProfileRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM branch_profiles p WHERE p.campaign_id = ? AND p.branch_id = ?"
    ))
    .bind(campaign)
    .bind(branch)
    .fetch_optional(pool)
    .await?;
    Ok(Some(row.unwrap_or_default()))
}

/// What a branch's data says, and its answers to the items that data checks: for the lists that
/// flag contradictions and terms due (domain::hints).
#[derive(Debug, Clone)]
pub struct Checked {
    pub branch_id: BranchId,
    pub profile: Profile,
    /// The branch's verdict on each checked item it answered.
    pub answers: Vec<(HintCheck, Verdict)>,
}

/// Every active branch in scope with its data and its answers to the checked items (memoised
/// with the write generation, see [`super::memo`]).
pub async fn checked(db: &super::Db, scope: Scope, campaign: CampaignId) -> sqlx::Result<Vec<Checked>> {
    let rows = db
        .memos
        .checked
        .get_or_load(db, (scope, campaign), || checked_now(&db.read, scope, campaign))
        .await?;
    Ok(Vec::clone(&rows))
}

#[derive(sqlx::FromRow)]
struct CheckedRow {
    branch_id: BranchId,
    last_election_on: Option<Date>,
    term_years: Option<i64>,
    committee_members: Option<i64>,
    full_members: Option<i64>,
    secretary_vacant_since: Option<Date>,
    answers: String,
}

async fn checked_now(pool: &SqlitePool, scope: Scope, campaign: CampaignId) -> sqlx::Result<Vec<Checked>> {
    let rows: Vec<CheckedRow> = sqlx::query_as(&scoped(
        "SELECT b.id AS branch_id, p.last_election_on, p.term_years, p.committee_members, p.full_members,
                p.secretary_vacant_since,
                (SELECT json_group_array(json_array(i.hint, sc.verdict))
                 FROM self_checks sc JOIN ledger_items i ON i.id = sc.ledger_item_id
                 JOIN ledger_categories c ON c.id = i.category_id
                 WHERE sc.branch_id = b.id AND c.campaign_id = ?3 AND i.hint IS NOT NULL AND i.level = 'branch') AS answers
         FROM scoped s JOIN branches b ON b.id = s.id
         LEFT JOIN branch_profiles p ON p.branch_id = b.id AND p.campaign_id = ?3
         WHERE b.level = 'branch' AND b.active = 1",
    ))
    .bind_scope(scope)
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Checked {
                branch_id: r.branch_id,
                profile: Profile {
                    last_election_on: r.last_election_on,
                    term_years: r.term_years.unwrap_or(3),
                    committee_members: r.committee_members,
                    full_members: r.full_members,
                    secretary_vacant_since: r.secretary_vacant_since,
                },
                answers: super::json_rows(&r.answers)?,
            })
        })
        .collect()
}

#[derive(Serialize)]
struct Snapshot {
    last_election_on: Option<String>,
    term_years: i64,
    committee_members: Option<i64>,
    full_members: Option<i64>,
    secretary_vacant_since: Option<String>,
}

impl From<&Profile> for Snapshot {
    fn from(p: &Profile) -> Self {
        use crate::domain::dates::format_date;
        Snapshot {
            last_election_on: p.last_election_on.map(format_date),
            term_years: p.term_years,
            committee_members: p.committee_members,
            full_members: p.full_members,
            secretary_vacant_since: p.secretary_vacant_since.map(format_date),
        }
    }
}

/// Saves a branch's data in a campaign as seen at `seen_version` (0: none kept yet), audited.
pub async fn set(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, branch: BranchId, seen_version: i64, p: &Profile,
) -> sqlx::Result<Result<(), Stale>> {
    let before = saved(conn, campaign, branch).await?;
    if before.as_ref().map_or(0, |b| b.version) != seen_version {
        return Ok(Err(Stale));
    }
    replace_after(conn, by, campaign, branch, before, p).await?;
    Ok(Ok(()))
}

/// Replaces a branch's data in a campaign whatever it held (the units import), audited.
pub async fn replace(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, branch: BranchId, p: &Profile,
) -> sqlx::Result<()> {
    let before = saved(conn, campaign, branch).await?;
    replace_after(conn, by, campaign, branch, before, p).await
}

/// The branch's data as the write transaction sees it (nothing kept: nothing known).
pub async fn profile_in_tx(
    conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Profile> {
    Ok(saved(conn, campaign, branch).await?.unwrap_or_default().profile())
}

async fn saved(
    conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Option<ProfileRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM branch_profiles p WHERE p.campaign_id = ? AND p.branch_id = ?"
    ))
    .bind(campaign)
    .bind(branch)
    .fetch_optional(conn)
    .await
}

async fn replace_after(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, branch: BranchId, before: Option<ProfileRow>,
    p: &Profile,
) -> sqlx::Result<()> {
    write(conn, by, campaign, branch, p).await?;
    let mut entry = Entry::new(by, AuditAction::BranchProfileSet, branch.0)
        .branch(branch)
        .after(&Snapshot::from(p));
    if let Some(b) = &before {
        entry = entry.before(&Snapshot::from(&b.profile()));
    }
    audit::record(conn, &entry).await
}

/// Writes a branch's data without a version check or audit (the caller audits: an import, the
/// demo campus).
pub async fn write(
    conn: &mut SqliteConnection, by: UserId, campaign: CampaignId, branch: BranchId, p: &Profile,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO branch_profiles (campaign_id, branch_id, last_election_on, term_years, committee_members, full_members,
                                      secretary_vacant_since, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (campaign_id, branch_id) DO UPDATE SET
             last_election_on = ?3, term_years = ?4, committee_members = ?5, full_members = ?6,
             secretary_vacant_since = ?7, updated_by = ?8, updated_at = datetime('now'), version = version + 1",
    )
    .bind(campaign)
    .bind(branch)
    .bind(p.last_election_on)
    .bind(p.term_years)
    .bind(p.committee_members)
    .bind(p.full_members)
    .bind(p.secretary_vacant_since)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// A new campaign starts from the data its predecessor had.
pub async fn copy(conn: &mut SqliteConnection, from: CampaignId, to: CampaignId) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO branch_profiles (campaign_id, branch_id, last_election_on, term_years, committee_members, full_members,
                                      secretary_vacant_since, updated_by)
         SELECT ?2, branch_id, last_election_on, term_years, committee_members, full_members, secretary_vacant_since, updated_by
         FROM branch_profiles WHERE campaign_id = ?1",
    )
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(())
}
