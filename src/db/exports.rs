//! What the exports print, read as export/'s own input types (export::source), and the
//! verification codes issued for them.

use sqlx::SqlitePool;
use time::Date;

use super::Db;
use super::campaigns::Campaign;
use super::scope::{BindScope, Reader, scoped};
use super::units::UNIT_NAME;
use crate::auth::Scope;
use crate::domain::ledger::item_label;
use crate::domain::states::{LedgerState, MeasureStatus};
use crate::domain::units::Level;
use crate::domain::verification::{DocKind, new_code};
use crate::domain::{BranchId, CampaignId, CategoryId, CommitteeId, FindingId, UserId};
use crate::export::source;

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

/// 附件2 of a branch or committee as a user of `scope` may read it (`None`: not there or not in
/// scope).
pub async fn checklist(
    db: &Db, scope: Scope, campaign: &Campaign, unit: Unit,
) -> sqlx::Result<Option<source::Checklist>> {
    read_checklist(db, Reader::Within(scope), campaign, unit).await
}

/// The same for `/verify`, which compares a printed copy with today's content for anyone who
/// holds the paper, and for commands: campus-wide.
pub async fn checklist_campus_wide(
    db: &Db, campaign: &Campaign, unit: Unit,
) -> sqlx::Result<Option<source::Checklist>> {
    read_checklist(db, Reader::CampusWide, campaign, unit).await
}

/// Whose 附件2 it is: (committee, committee name, unit name).
async fn owner(pool: &SqlitePool, reader: Reader, unit: Unit) -> sqlx::Result<Option<(CommitteeId, String, String)>> {
    match unit {
        Unit::Branch(b) => {
            sqlx::query_as(&scoped(&format!(
                "SELECT c.id, c.name, {UNIT_NAME} FROM branches b JOIN committees c ON c.id = b.committee_id
                 WHERE b.id = ?3 AND b.id IN (SELECT id FROM scoped)"
            )))
            .bind_reader(reader)
            .bind(b)
            .fetch_optional(pool)
            .await
        }
        Unit::Committee(c) => {
            if let Reader::Within(scope) = reader
                && !scope.covers_committee(c)
            {
                return Ok(None);
            }
            sqlx::query_as("SELECT id, name, name FROM committees WHERE id = ?")
                .bind(c)
                .fetch_optional(pool)
                .await
        }
    }
}

/// A branch of the export, in the committee's order, with its ledger's sign-off record.
#[derive(sqlx::FromRow)]
struct BranchRow {
    branch_id: BranchId,
    branch_name: String,
    level: Level,
    state: Option<LedgerState>,
    signer: Option<String>,
    signed_off_at: Option<String>,
    four_in_place: bool,
    sign_off_comment: Option<String>,
}

/// A milestone as read for the form: [due_on, title, done].
#[derive(serde::Deserialize)]
struct MilestoneRow(#[serde(with = "super::json_date")] Date, String, bool);

/// One finding with one of its measures (or none), in the form's order.
#[derive(sqlx::FromRow)]
struct FindingRow {
    branch_id: BranchId,
    category_id: CategoryId,
    finding_id: FindingId,
    finding_text: String,
    measure_text: Option<String>,
    deadline: Option<Date>,
    owner: Option<String>,
    immediate: Option<bool>,
    long_term: Option<bool>,
    status: Option<MeasureStatus>,
    /// The measure's milestones as a JSON array of [due_on, title, done].
    milestones: Option<String>,
}

async fn read_checklist(
    db: &Db, reader: Reader, campaign: &Campaign, unit: Unit,
) -> sqlx::Result<Option<source::Checklist>> {
    let pool = &db.read;
    let Some((committee_id, committee_name, unit_name)) = owner(pool, reader, unit).await? else {
        return Ok(None);
    };
    let (branch, committee) = unit.ids();
    // A committee's 附件2 holds its own 本级 list first (sort_order 0), then its active branches.
    let branches: Vec<BranchRow> = sqlx::query_as(&scoped(&format!(
        "SELECT b.id AS branch_id, {UNIT_NAME} AS branch_name, b.level, bl.state, u.display_name AS signer,
                bl.signed_off_at, COALESCE(bl.four_in_place, 0) AS four_in_place, bl.sign_off_comment
         FROM branches b
         JOIN committees c ON c.id = b.committee_id
         LEFT JOIN branch_ledgers bl ON bl.branch_id = b.id AND bl.campaign_id = ?3
         LEFT JOIN users u ON u.id = bl.signed_off_by
         WHERE (b.id = ?4 OR (b.committee_id = ?5 AND b.active = 1)) AND b.id IN (SELECT id FROM scoped)
         ORDER BY b.level = 'branch', b.sort_order, b.id"
    )))
    .bind_reader(reader)
    .bind(campaign.id)
    .bind(branch)
    .bind(committee)
    .fetch_all(pool)
    .await?;
    let rows: Vec<FindingRow> = sqlx::query_as(&scoped(
        "SELECT fd.branch_id, fd.category_id, fd.id AS finding_id, fd.text AS finding_text,
                m.text AS measure_text, m.deadline, m.owner, m.immediate, m.long_term, m.status,
                (SELECT json_group_array(json_array(due_on, title, json(iif(done_on IS NULL, 'false', 'true')))) FROM
                   (SELECT due_on, title, done_on FROM measure_milestones WHERE measure_id = m.id ORDER BY due_on, id))
                  AS milestones
         FROM findings fd
         JOIN branches b ON b.id = fd.branch_id
         JOIN ledger_categories c ON c.id = fd.category_id
         LEFT JOIN measures m ON m.finding_id = fd.id
         WHERE fd.campaign_id = ?3 AND (b.id = ?4 OR (b.committee_id = ?5 AND b.active = 1))
           AND b.id IN (SELECT id FROM scoped)
         ORDER BY b.sort_order, b.id, c.position, fd.position, fd.id, m.position, m.id",
    ))
    .bind_reader(reader)
    .bind(campaign.id)
    .bind(branch)
    .bind(committee)
    .fetch_all(pool)
    .await?;
    let categories = super::ledger::categories(db, campaign.id).await?;
    let items = super::ledger::items(db, campaign.id).await?;
    let category_index = |id: CategoryId| categories.iter().position(|c| c.id == id);
    let branches = branches
        .into_iter()
        .map(|b| {
            let mut findings: Vec<(FindingId, source::Finding)> = Vec::new();
            for r in rows.iter().filter(|r| r.branch_id == b.branch_id) {
                let Some(category) = category_index(r.category_id) else {
                    continue;
                };
                if findings.last().map(|(id, _)| *id) != Some(r.finding_id) {
                    let finding = source::Finding {
                        category,
                        text: r.finding_text.clone(),
                        measures: Vec::new(),
                    };
                    findings.push((r.finding_id, finding));
                }
                if let Some(text) = &r.measure_text {
                    findings
                        .last_mut()
                        .expect("pushed above")
                        .1
                        .measures
                        .push(source::Measure {
                            text: text.clone(),
                            deadline: r.deadline,
                            owner: r.owner.clone().unwrap_or_default(),
                            immediate: r.immediate.unwrap_or(false),
                            long_term: r.long_term.unwrap_or(false),
                            closed_out: r.status == Some(MeasureStatus::ClosedOut),
                            milestones: r
                                .milestones
                                .as_deref()
                                .map(super::json_rows::<MilestoneRow>)
                                .transpose()
                                .unwrap_or_else(|e| {
                                    tracing::error!(error = %e, "milestones of an exported measure unreadable");
                                    None
                                })
                                .unwrap_or_default()
                                .into_iter()
                                .map(|MilestoneRow(due_on, title, done)| source::Milestone { due_on, title, done })
                                .collect(),
                        });
                }
            }
            source::Branch {
                name: b.branch_name,
                level: b.level,
                state: LedgerState::of(b.state),
                sign_off: match (b.signer, b.signed_off_at) {
                    (Some(signer), Some(at)) => Some(source::SignOff {
                        signer,
                        at,
                        four_in_place: b.four_in_place,
                        comment: b.sign_off_comment.unwrap_or_default(),
                    }),
                    _ => None,
                },
                findings: findings.into_iter().map(|(_, f)| f).collect(),
            }
        })
        .collect();
    Ok(Some(source::Checklist {
        committee_id,
        committee_name,
        unit_name,
        campaign_title: campaign.title.clone(),
        categories: categories
            .iter()
            .map(|c| source::Category {
                title: c.title.clone(),
                items: items
                    .iter()
                    .filter(|i| i.category_id == c.id)
                    .map(|i| (format!("{}{}", c.position, item_label(i.position)), i.level))
                    .collect(),
            })
            .collect(),
        branches,
    }))
}

/// The units a committee's 附件2 holds, in order: its own 本级 list, then its active branches
/// (for its bundle, one document each).
pub async fn branch_ids(pool: &SqlitePool, scope: Scope, committee: CommitteeId) -> sqlx::Result<Vec<BranchId>> {
    sqlx::query_scalar(&scoped(
        "SELECT id FROM branches WHERE committee_id = ?3 AND active = 1 AND id IN (SELECT id FROM scoped)
         ORDER BY level = 'branch', sort_order, id",
    ))
    .bind_scope(scope)
    .bind(committee)
    .fetch_all(pool)
    .await
}

/// 附件3 of a committee as a user of `scope` may read it (`None`: not there or not in scope).
pub async fn report(
    db: &Db, scope: Scope, campaign: &Campaign, committee: CommitteeId,
) -> sqlx::Result<Option<source::Report>> {
    if !scope.covers_committee(committee) {
        return Ok(None);
    }
    report_campus_wide(db, campaign, committee).await
}

/// The same campus-wide, for `/verify` and commands.
pub async fn report_campus_wide(
    db: &Db, campaign: &Campaign, committee: CommitteeId,
) -> sqlx::Result<Option<source::Report>> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM committees WHERE id = ?")
        .bind(committee)
        .fetch_optional(&db.read)
        .await?;
    let Some(committee_name) = name else { return Ok(None) };
    let r = super::reports::saved(&db.read, campaign.id, committee)
        .await?
        .unwrap_or_default();
    Ok(Some(source::Report {
        committee_name,
        campaign_title: campaign.title.clone(),
        work_done: r.work_done,
        problems: r.problems,
        next_steps: r.next_steps,
        state: r.state,
        signer_name: r.signer_name,
        signed_on: r.signed_on,
        signed_at: r.signed_at,
        signed_by_name: r.signed_by_name,
    }))
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
pub async fn code_for(db: &Db, issue: &Issue<'_>) -> sqlx::Result<String> {
    const FIND: &str = "SELECT code FROM export_codes
         WHERE kind = ?1 AND campaign_id = ?2 AND committee_id = ?3 AND IFNULL(branch_id, 0) = IFNULL(?4, 0)
           AND digest = ?5";
    let find = || {
        sqlx::query_scalar::<_, String>(FIND)
            .bind(issue.kind)
            .bind(issue.campaign)
            .bind(issue.committee)
            .bind(issue.branch)
            .bind(issue.digest)
    };
    if let Some(code) = find().fetch_optional(&db.read).await? {
        return Ok(code);
    }
    // Two downloads of the same new content at once: the second insert is ignored and both
    // read the one code.
    db.write(async |tx| {
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
        .execute(&mut *tx)
        .await?;
        find().fetch_one(&mut *tx).await
    })
    .await
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
    sqlx::query_as(&format!(
        "SELECT e.kind, e.campaign_id, ca.title AS campaign_title, e.committee_id, c.name AS committee_name,
                e.branch_id, {UNIT_NAME} AS branch_name, e.digest, e.signed, e.issued_at
         FROM export_codes e
         JOIN campaigns ca ON ca.id = e.campaign_id
         JOIN committees c ON c.id = e.committee_id
         LEFT JOIN branches b ON b.id = e.branch_id
         WHERE e.code = ?"
    ))
    .bind(code)
    .fetch_optional(pool)
    .await
}
