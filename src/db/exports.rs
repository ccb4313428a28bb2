//! What the exports print (附件2 rows, each branch's sign-off) and the verification codes issued
//! for them.

use sqlx::SqlitePool;
use time::Date;

use crate::domain::states::{LedgerState, MeasureStatus};
use crate::domain::verification::{DocKind, new_code};
use crate::domain::{BranchId, CampaignId, CategoryId, CommitteeId, FindingId, Scope, UserId};

/// Whose 附件2: one branch, or every active branch of a committee.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Branch(BranchId),
    Committee(CommitteeId),
}

impl Unit {
    fn ids(self) -> (Option<BranchId>, Option<CommitteeId>) {
        match self {
            Unit::Branch(b) => (Some(b), None),
            Unit::Committee(c) => (None, Some(c)),
        }
    }
}

/// A branch of the export, in the committee's order, with its ledger's sign-off record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BranchSignOff {
    pub branch_id: BranchId,
    pub branch_name: String,
    pub state: Option<LedgerState>,
    pub signer: Option<String>,
    pub signed_off_at: Option<String>,
    pub four_in_place: bool,
    pub sign_off_comment: Option<String>,
}

pub async fn branches(
    pool: &SqlitePool,
    scope: Scope,
    campaign: CampaignId,
    unit: Unit,
) -> sqlx::Result<Vec<BranchSignOff>> {
    let f = scope.filter();
    let (branch, committee) = unit.ids();
    sqlx::query_as(
        "SELECT b.id AS branch_id, b.name AS branch_name, bl.state, u.display_name AS signer, bl.signed_off_at,
                COALESCE(bl.four_in_place, 0) AS four_in_place, bl.sign_off_comment
         FROM branches b
         LEFT JOIN branch_ledgers bl ON bl.branch_id = b.id AND bl.campaign_id = ?1
         LEFT JOIN users u ON u.id = bl.signed_off_by
         WHERE (b.id = ?2 OR (b.committee_id = ?3 AND b.active = 1))
           AND (?4 IS NULL OR b.committee_id = ?4) AND (?5 IS NULL OR b.id = ?5)
         ORDER BY b.sort_order, b.id",
    )
    .bind(campaign)
    .bind(branch)
    .bind(committee)
    .bind(f.committee)
    .bind(f.branch)
    .fetch_all(pool)
    .await
}

/// One finding with one of its measures (or none), as 附件2 lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChecklistRow {
    pub branch_id: BranchId,
    pub category_id: CategoryId,
    pub finding_id: FindingId,
    pub finding_text: String,
    pub measure_text: Option<String>,
    pub deadline: Option<Date>,
    pub owner: Option<String>,
    pub immediate: Option<bool>,
    pub status: Option<MeasureStatus>,
}

pub async fn checklist_rows(
    pool: &SqlitePool,
    scope: Scope,
    campaign: CampaignId,
    unit: Unit,
) -> sqlx::Result<Vec<ChecklistRow>> {
    let f = scope.filter();
    let (branch, committee) = unit.ids();
    sqlx::query_as(
        "SELECT fd.branch_id, fd.category_id, fd.id AS finding_id, fd.text AS finding_text,
                m.text AS measure_text, m.deadline, m.owner, m.immediate, m.status
         FROM findings fd
         JOIN branches b ON b.id = fd.branch_id
         JOIN ledger_categories c ON c.id = fd.category_id
         LEFT JOIN measures m ON m.finding_id = fd.id
         WHERE fd.campaign_id = ?1 AND (b.id = ?2 OR (b.committee_id = ?3 AND b.active = 1))
           AND (?4 IS NULL OR b.committee_id = ?4) AND (?5 IS NULL OR b.id = ?5)
         ORDER BY b.sort_order, b.id, c.position, fd.position, fd.id, m.position, m.id",
    )
    .bind(campaign)
    .bind(branch)
    .bind(committee)
    .bind(f.committee)
    .bind(f.branch)
    .fetch_all(pool)
    .await
}

/// A document to stamp: which one, whose, and its content's digest.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    pub kind: DocKind,
    pub campaign: CampaignId,
    pub committee: CommitteeId,
    pub branch: Option<BranchId>,
    pub digest: &'a str,
    pub signed: bool,
    pub by: UserId,
}

/// The code for this exact content: the one issued before (looked up on the read pool, as most
/// downloads repeat a content already stamped), or a new one written through `write`.
pub async fn code_for(read: &SqlitePool, pool: &SqlitePool, issue: &Issue<'_>) -> sqlx::Result<String> {
    let find = || {
        sqlx::query_scalar::<_, String>(
            "SELECT code FROM export_codes
             WHERE kind = ?1 AND campaign_id = ?2 AND committee_id = ?3 AND IFNULL(branch_id, 0) = IFNULL(?4, 0)
               AND digest = ?5",
        )
        .bind(issue.kind)
        .bind(issue.campaign)
        .bind(issue.committee)
        .bind(issue.branch)
        .bind(issue.digest)
    };
    if let Some(code) = find().fetch_optional(read).await? {
        return Ok(code);
    }
    // Two downloads of the same new content at once: the second insert is ignored and both
    // read the one code.
    sqlx::query(
        "INSERT INTO export_codes (code, kind, campaign_id, committee_id, branch_id, digest, signed, issued_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT DO NOTHING",
    )
    .bind(new_code())
    .bind(issue.kind)
    .bind(issue.campaign)
    .bind(issue.committee)
    .bind(issue.branch)
    .bind(issue.digest)
    .bind(issue.signed)
    .bind(issue.by)
    .execute(pool)
    .await?;
    find().fetch_one(pool).await
}

/// What a code stands for, as /verify tells it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Issued {
    pub kind: DocKind,
    pub campaign_id: CampaignId,
    pub campaign_title: String,
    pub committee_id: CommitteeId,
    pub committee_name: String,
    pub branch_id: Option<BranchId>,
    pub branch_name: Option<String>,
    pub digest: String,
    pub signed: bool,
    pub issued_at: String,
}

pub async fn issued(pool: &SqlitePool, code: &str) -> sqlx::Result<Option<Issued>> {
    sqlx::query_as(
        "SELECT e.kind, e.campaign_id, ca.title AS campaign_title, e.committee_id, c.name AS committee_name,
                e.branch_id, b.name AS branch_name, e.digest, e.signed, e.issued_at
         FROM export_codes e
         JOIN campaigns ca ON ca.id = e.campaign_id
         JOIN committees c ON c.id = e.committee_id
         LEFT JOIN branches b ON b.id = e.branch_id
         WHERE e.code = ?",
    )
    .bind(code)
    .fetch_optional(pool)
    .await
}
