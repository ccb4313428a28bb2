//! The ledger (附件1) of a campaign and a branch's answers, findings and measures on it.

use crate::domain::history::AuditAction;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::Db;
use super::audit::Actor;
use super::scope::{BindScope, scoped};
use crate::auth::Scope;
use crate::domain::hints::HintCheck;
use crate::domain::states::{FindingSource, LedgerState, MeasureStatus, ReviewState, Verdict};
use crate::domain::units::Level;
use crate::domain::{BranchId, CampaignId, CategoryId, FindingId, LedgerItemId, MeasureId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: CategoryId,
    pub position: i64,
    pub title: String,
    pub version: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub id: LedgerItemId,
    pub category_id: CategoryId,
    pub position: i64,
    pub text: String,
    /// Who answers it: every branch, or each committee for itself.
    pub level: Level,
    /// The check of the branch's data that gives hints beside it (domain::hints).
    pub hint: Option<HintCheck>,
    pub version: i64,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct SelfCheckRow {
    pub ledger_item_id: LedgerItemId,
    pub verdict: Verdict,
    pub reason: String,
    /// Returned by the level above (查摆不到位), or pending.
    #[serde(flatten)]
    pub marks: super::review::ReturnMarks,
    pub version: i64,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct FindingRow {
    pub id: FindingId,
    pub category_id: CategoryId,
    pub ledger_item_id: Option<LedgerItemId>,
    pub position: i64,
    pub text: String,
    pub source: FindingSource,
    pub review_state: ReviewState,
    pub review_comment: String,
    /// A 督查发现 handed in on its own on a signed-off ledger (migration 000022).
    pub handed_in: bool,
    pub version: i64,
}

impl FindingRow {
    /// Its place in review, for domain::inspection's rules.
    pub fn row(&self) -> crate::domain::inspection::Row {
        crate::domain::inspection::Row {
            source: self.source,
            review: self.review_state,
            handed_in: self.handed_in,
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct MeasureRow {
    pub id: MeasureId,
    pub finding_id: FindingId,
    pub position: i64,
    pub text: String,
    #[serde(with = "super::json_date::option")]
    pub deadline: Option<Date>,
    pub owner: String,
    pub status: MeasureStatus,
    pub immediate: bool,
    #[serde(default)]
    pub long_term: bool,
    /// The deadline when the ledger was first handed in (see db::ledger::lock_deadlines).
    #[serde(with = "super::json_date::option", default)]
    pub original_deadline: Option<Date>,
    /// The earliest milestone not yet done.
    #[serde(with = "super::json_date::option", default)]
    pub milestone_due: Option<Date>,
    /// Approved 延期申请.
    #[serde(default)]
    pub extensions: i64,
    pub completion_note: String,
    /// The committee's word on the last 销号 request, and whether it was a rejection.
    pub close_out_comment: String,
    pub close_out_rejected: bool,
    pub version: i64,
}

impl MeasureRow {
    /// 逾期: past its deadline or an open milestone's date, and not closed off.
    pub fn overdue(&self, today: Date) -> bool {
        crate::domain::dates::is_overdue(
            crate::domain::progress::first_due(self.deadline, self.milestone_due),
            self.status,
            today,
        )
    }

    /// 整改时限 in words: the approved date, with the original and the count once moved.
    pub fn deadline_words(&self) -> String {
        crate::domain::progress::deadline_words(self.deadline, self.original_deadline, self.extensions)
    }
}

// A campaign's ledger (附件1) is the same for every branch and read by most pages: memoised
// (see [`super::memo`]).

pub async fn categories(db: &Db, campaign: CampaignId) -> sqlx::Result<Vec<CategoryRow>> {
    let rows = db
        .memos
        .categories
        .get_or_load(db, campaign, || {
            sqlx::query_as(
                "SELECT id, position, title, version FROM ledger_categories WHERE campaign_id = ? ORDER BY position",
            )
            .bind(campaign)
            .fetch_all(&db.read)
        })
        .await?;
    Ok(Vec::clone(&rows))
}

pub async fn items(db: &Db, campaign: CampaignId) -> sqlx::Result<Vec<ItemRow>> {
    Ok(Vec::clone(&*memoised_items(db, campaign).await?))
}

/// The number of ledger items a unit of `level` answers in a campaign (in 2022's: 22 for a
/// branch, 3 for a committee), from the same memo.
pub async fn item_count(db: &Db, campaign: CampaignId, level: Level) -> sqlx::Result<i64> {
    Ok(memoised_items(db, campaign)
        .await?
        .iter()
        .filter(|i| i.level == level)
        .count() as i64)
}

async fn memoised_items(db: &Db, campaign: CampaignId) -> sqlx::Result<std::sync::Arc<Vec<ItemRow>>> {
    db.memos
        .items
        .get_or_load(db, campaign, || {
            sqlx::query_as(
                "SELECT i.id, i.category_id, i.position, i.text, i.level, i.hint, i.version
                 FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id
                 WHERE c.campaign_id = ? ORDER BY c.position, i.position",
            )
            .bind(campaign)
            .fetch_all(&db.read)
        })
        .await
}

// The branch-owned reads below all apply the scope in SQL (super::scope), so a caller
// that forgot to check the branch first still gets nothing outside the user's scope. The lists
// are read as one JSON array each (see [`super::json_rows`]).

/// One branch's rows of a campaign as a JSON array: `sql` selects it with the branch as ?3 and
/// the campaign as ?4, within the scope.
async fn branch_list<T: serde::de::DeserializeOwned>(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId, sql: &str,
) -> sqlx::Result<Vec<T>> {
    let rows: String = sqlx::query_scalar(&scoped(sql))
        .bind_scope(scope)
        .bind(branch)
        .bind(campaign)
        .fetch_one(pool)
        .await?;
    super::json_rows(&rows)
}

pub async fn self_checks(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Vec<SelfCheckRow>> {
    branch_list(pool, scope, campaign, branch, SELF_CHECKS).await
}

pub async fn findings(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Vec<FindingRow>> {
    branch_list(pool, scope, campaign, branch, FINDINGS).await
}

pub async fn measures(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Vec<MeasureRow>> {
    branch_list(pool, scope, campaign, branch, MEASURES).await
}

const SELF_CHECKS: &str =
    "SELECT json_group_array(json_object('ledger_item_id', sc.ledger_item_id, 'verdict', sc.verdict,
            'reason', sc.reason, 'review_state', sc.review_state, 'review_comment', sc.review_comment,
            'reviewed_at', sc.reviewed_at,
            'updated_at', sc.updated_at, 'version', sc.version))
     FROM self_checks sc
     JOIN ledger_items i ON i.id = sc.ledger_item_id
     JOIN ledger_categories c ON c.id = i.category_id
     WHERE sc.branch_id = ?3 AND c.campaign_id = ?4 AND sc.branch_id IN (SELECT id FROM scoped)";

const FINDINGS: &str = concat!(
    "SELECT json_group_array(json_object('id', fd.id, 'category_id', fd.category_id,
            'ledger_item_id', fd.ledger_item_id, 'position', fd.position, 'text', fd.text, 'source', ",
    crate::finding_source!("fd"),
    ", 'review_state', fd.review_state, 'review_comment', fd.review_comment,
            'handed_in', json(iif(fd.handed_in_at IS NOT NULL, 'true', 'false')), 'version', fd.version)
          ORDER BY fd.category_id, fd.position, fd.id)
     FROM findings fd
     WHERE fd.branch_id = ?3 AND fd.campaign_id = ?4 AND fd.branch_id IN (SELECT id FROM scoped)"
);

const MEASURES: &str =
    "SELECT json_group_array(json_object('id', m.id, 'finding_id', m.finding_id, 'position', m.position,
            'text', m.text, 'deadline', m.deadline, 'owner', m.owner, 'status', m.status,
            'immediate', json(iif(m.immediate, 'true', 'false')), 'completion_note', m.completion_note,
            'long_term', json(iif(m.long_term, 'true', 'false')), 'original_deadline', m.original_deadline,
            'milestone_due', m.milestone_due, 'extensions', m.extensions,
            'close_out_comment', m.close_out_comment,
            'close_out_rejected', json(iif(m.close_out_rejected, 'true', 'false')), 'version', m.version)
          ORDER BY m.finding_id, m.position, m.id)
     FROM measures m
     JOIN findings fd ON fd.id = m.finding_id
     WHERE fd.branch_id = ?3 AND fd.campaign_id = ?4 AND fd.branch_id IN (SELECT id FROM scoped)";

pub async fn ledger_state(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<LedgerState> {
    let state: Option<LedgerState> = sqlx::query_scalar(&scoped(
        "SELECT bl.state FROM branch_ledgers bl
         WHERE bl.branch_id = ?3 AND bl.campaign_id = ?4 AND bl.branch_id IN (SELECT id FROM scoped)",
    ))
    .bind_scope(scope)
    .bind(branch)
    .bind(campaign)
    .fetch_optional(pool)
    .await?;
    Ok(LedgerState::of(state))
}

/// The ledger's state read inside a write transaction, before changing anything of the branch's.
pub async fn state_in_tx(
    conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<LedgerState> {
    let state: Option<LedgerState> =
        sqlx::query_scalar("SELECT state FROM branch_ledgers WHERE campaign_id = ? AND branch_id = ?")
            .bind(campaign)
            .bind(branch)
            .fetch_optional(conn)
            .await?;
    Ok(LedgerState::of(state))
}

// Writes. The branch comes from the caller's scope (a secretary's own branch), never a form.

pub async fn set_ledger_state(
    conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId, state: LedgerState,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO branch_ledgers (campaign_id, branch_id, state, submitted_at)
         VALUES (?1, ?2, ?3, CASE WHEN ?3 = 'submitted' THEN datetime('now') END)
         ON CONFLICT (campaign_id, branch_id) DO UPDATE SET state = ?3, version = version + 1,
             updated_at = datetime('now'),
             submitted_at = CASE WHEN ?3 = 'submitted' THEN datetime('now') ELSE submitted_at END",
    )
    .bind(campaign)
    .bind(branch)
    .bind(state)
    .execute(&mut *conn)
    .await?;
    if state.has_been_submitted() {
        lock_deadlines(conn, campaign, branch).await?;
    }
    Ok(())
}

/// A 督查发现 approved on its own (its ledger signed off): its measures' deadlines are locked as a
/// handed-in ledger's are, so later changes go through a 延期申请.
pub async fn lock_finding_deadlines(conn: &mut SqliteConnection, finding: FindingId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE measures SET original_deadline = deadline
         WHERE original_deadline IS NULL AND deadline IS NOT NULL AND finding_id = ?",
    )
    .bind(finding)
    .execute(conn)
    .await?;
    Ok(())
}

/// Once a ledger is handed in, its measures' deadlines are the original ones: from then on the
/// unit moves a deadline only by an approved 延期申请 (domain::progress::deadline_locked).
/// Measures added later (on a returned ledger) are locked when it is handed in again.
async fn lock_deadlines(conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE measures SET original_deadline = deadline
         WHERE original_deadline IS NULL AND deadline IS NOT NULL
           AND finding_id IN (SELECT id FROM findings WHERE campaign_id = ? AND branch_id = ?)",
    )
    .bind(campaign)
    .bind(branch)
    .execute(conn)
    .await?;
    Ok(())
}

/// The demo's: the ledger was handed in `days` ago.
pub async fn date_submission_back(
    conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId, days: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE branch_ledgers SET submitted_at = datetime('now', ?) WHERE campaign_id = ? AND branch_id = ?")
        .bind(format!("-{days} days"))
        .bind(campaign)
        .bind(branch)
        .execute(conn)
        .await?;
    Ok(())
}

/// Signs a branch ledger off (已审核签字), recording who, when and the comment.
pub async fn sign_off(
    conn: &mut SqliteConnection, campaign: CampaignId, branch: BranchId, by: UserId, comment: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO branch_ledgers (campaign_id, branch_id, state, submitted_at, signed_off_by, signed_off_at, sign_off_comment,
                                     four_in_place)
         VALUES (?1, ?2, 'signed_off', datetime('now'), ?3, datetime('now'), ?4, 1)
         ON CONFLICT (campaign_id, branch_id) DO UPDATE SET state = 'signed_off', signed_off_by = ?3,
             signed_off_at = datetime('now'), sign_off_comment = ?4, four_in_place = 1, reviewer_note = '',
             version = version + 1, updated_at = datetime('now')",
    )
    .bind(campaign)
    .bind(branch)
    .bind(by)
    .bind(comment)
    .execute(&mut *conn)
    .await?;
    lock_deadlines(conn, campaign, branch).await
}

/// Hands the ledger to the committee (已提交): rows, answers and the meeting record it returned
/// go back to 待审核.
pub async fn submit(conn: &mut SqliteConnection, actor: Actor, campaign: CampaignId) -> sqlx::Result<()> {
    let before = state_in_tx(conn, campaign, actor.branch_id).await?;
    set_ledger_state(conn, campaign, actor.branch_id, LedgerState::Submitted).await?;
    super::review::back_to_pending(conn, actor.branch_id, campaign).await?;
    #[derive(serde::Serialize)]
    struct Snapshot {
        state: LedgerState,
    }
    let entry = actor
        .entry(AuditAction::LedgerSubmit, campaign.0, None)
        .before(&Snapshot { state: before })
        .after(&Snapshot {
            state: LedgerState::Submitted,
        });
    super::audit::record(conn, &entry).await
}
