//! The audit trail: who changed what, when, before and after. Every write function in db/ that
//! changes a branch's rows records its entry in the same transaction.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::scope::{BindScope, scoped};
use crate::auth::Scope;
use crate::domain::history::AuditAction;
use crate::domain::units::{Level, Part};
use crate::domain::{BranchId, CampaignId, CommitteeId, FindingId, UserId};

pub struct Entry {
    user_id: Option<UserId>,
    action: AuditAction,
    entity_id: Option<i64>,
    /// The branch whose row changed; its committee is recorded with it, for scoped reading.
    branch_id: Option<BranchId>,
    /// For a committee's own rows (附件3), where there is no branch.
    committee_id: Option<CommitteeId>,
    /// The finding the row belongs to, for the finding's history.
    finding_id: Option<FindingId>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl Entry {
    /// `by` did `action` to the row `entity_id` of the action's table.
    pub fn new(by: UserId, action: AuditAction, entity_id: i64) -> Entry {
        Entry {
            user_id: Some(by),
            action,
            entity_id: Some(entity_id),
            branch_id: None,
            committee_id: None,
            finding_id: None,
            before: None,
            after: None,
        }
    }

    /// An entry about a user's own account (login, password change).
    pub fn account(user_id: UserId, action: AuditAction) -> Entry {
        Entry::new(user_id, action, user_id.0)
    }

    /// The committee the row belongs to (a committee's own rows; set from the branch otherwise).
    pub fn committee(mut self, committee: CommitteeId) -> Entry {
        self.committee_id = Some(committee);
        self
    }

    /// The branch the row belongs to.
    pub fn branch(mut self, branch: BranchId) -> Entry {
        self.branch_id = Some(branch);
        self
    }

    pub fn before(mut self, v: &impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }

    pub fn after(mut self, v: &impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Who changes a branch's rows, where, for the audit entry: made only in db/ from a branch the
/// user's scope covers (db::units::actor), so every write on a branch's rows is one the user
/// may make.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub(super) user_id: UserId,
    pub(super) branch_id: BranchId,
    /// The campaign being worked in: rows of other (past) campaigns are not this actor's to change.
    pub(super) campaign_id: CampaignId,
    /// The user's part in the unit's ledger, and the unit's level (which items it answers).
    pub(super) part: Part,
    pub(super) level: Level,
}

impl Actor {
    pub(super) fn new(
        user_id: UserId, branch_id: BranchId, campaign_id: CampaignId, part: Part, level: Level,
    ) -> Actor {
        Actor {
            user_id,
            branch_id,
            campaign_id,
            part,
            level,
        }
    }

    /// For `seed-demo` and `generate`: the campus being made has no logged-in user.
    pub fn for_seeding(user_id: UserId, branch_id: BranchId, campaign_id: CampaignId, level: Level) -> Actor {
        Actor::new(user_id, branch_id, campaign_id, Part::Own, level)
    }

    pub fn part(&self) -> Part {
        self.part
    }

    pub fn level(&self) -> Level {
        self.level
    }

    pub fn user(&self) -> UserId {
        self.user_id
    }

    pub fn branch(&self) -> BranchId {
        self.branch_id
    }

    pub fn campaign(&self) -> CampaignId {
        self.campaign_id
    }

    /// An entry for a change to a branch-owned row.
    pub fn entry(&self, action: AuditAction, entity_id: i64, finding_id: Option<FindingId>) -> Entry {
        Entry {
            finding_id,
            ..Entry::new(self.user_id, action, entity_id).branch(self.branch_id)
        }
    }

    /// Records a row just added, as read back (`added`: its snapshot).
    pub(super) async fn record_added(
        &self, conn: &mut SqliteConnection, action: AuditAction, id: i64, finding: FindingId, added: &impl Serialize,
    ) -> sqlx::Result<()> {
        record(conn, &self.entry(action, id, Some(finding)).after(added)).await
    }
}

pub async fn record(conn: &mut SqliteConnection, e: &Entry) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, committee_id, branch_id, finding_id, before_json, after_json)
         VALUES (?1, ?2, ?3, ?4, COALESCE(?9, (SELECT committee_id FROM branches WHERE id = ?5)), ?5, ?6, ?7, ?8)",
    )
    .bind(e.user_id)
    .bind(e.action)
    .bind(e.action.entity())
    .bind(e.entity_id)
    .bind(e.branch_id)
    .bind(e.finding_id)
    .bind(e.before.as_ref().map(|v| v.to_string()))
    .bind(e.after.as_ref().map(|v| v.to_string()))
    .bind(e.committee_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry as a row's history shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub at: String,
    pub user_name: Option<String>,
    pub action: AuditAction,
    pub entity_id: Option<i64>,
    /// For 对账查摆 entries, the ledger item answered.
    pub ledger_item_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

const HISTORY: &str = "SELECT a.at, u.display_name AS user_name, a.action, a.entity_id,
            CASE WHEN a.entity = 'self_checks' THEN (SELECT ledger_item_id FROM self_checks WHERE id = a.entity_id) END
                AS ledger_item_id,
            a.before_json, a.after_json
     FROM audit_log a
     LEFT JOIN users u ON u.id = a.user_id";

/// HISTORY with the finding each entry belongs to.
const HISTORY_OF_FINDINGS: &str = "SELECT a.finding_id, a.at, u.display_name AS user_name, a.action, a.entity_id,
            NULL AS ledger_item_id, a.before_json, a.after_json
     FROM audit_log a
     LEFT JOIN users u ON u.id = a.user_id";

/// What the ledger page shows of a branch's history, newest first: its 对账查摆 answers (entity
/// `self_checks`) and its ledger's review (`branch_ledgers`: submitted, sent back, signed off,
/// reopened). One query for both; the index audit_by_branch_entity reads only these rows.
pub async fn branch_history(pool: &SqlitePool, scope: Scope, branch: BranchId) -> sqlx::Result<Vec<HistoryRow>> {
    of_branch(pool, scope, branch, "'self_checks', 'branch_ledgers'").await
}

/// The history of a branch's 专题支委会 records and their files, newest first.
pub async fn meeting_history(pool: &SqlitePool, scope: Scope, branch: BranchId) -> sqlx::Result<Vec<HistoryRow>> {
    of_branch(pool, scope, branch, "'branch_meetings', 'meeting_evidence'").await
}

/// The history of a branch's data (附件1's checks), newest first, all campaigns.
pub async fn profile_history(pool: &SqlitePool, scope: Scope, branch: BranchId) -> sqlx::Result<Vec<HistoryRow>> {
    of_branch(pool, scope, branch, "'branch_profiles'").await
}

/// A branch's entries on the tables `entities` (a fixed SQL list, never user input), newest first.
async fn of_branch(
    pool: &SqlitePool, scope: Scope, branch: BranchId, entities: &'static str,
) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as(&scoped(&format!(
        "{HISTORY} WHERE a.branch_id = ?3 AND a.entity IN ({entities}) AND a.branch_id IN (SELECT id FROM scoped)
         ORDER BY a.id DESC"
    )))
    .bind_scope(scope)
    .bind(branch)
    .fetch_all(pool)
    .await
}

/// What the branch's findings that migration 000010 moved to 延伸自查 had been under ("1（5）…"),
/// for the note on its ledger page.
pub async fn moved_findings(
    pool: &SqlitePool, scope: Scope, campaign: CampaignId, branch: BranchId,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(&scoped(
        "SELECT json_extract(a.before_json, '$.ledger_item') FROM audit_log a JOIN findings f ON f.id = a.finding_id
         WHERE a.branch_id = ?3 AND a.action = 'finding.move_to_extended' AND f.campaign_id = ?4
           AND a.branch_id IN (SELECT id FROM scoped)
         ORDER BY a.id",
    ))
    .bind_scope(scope)
    .bind(branch)
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// The history of a finding of `branch` and of its measures and evidence, newest first.
pub async fn finding_history(
    pool: &SqlitePool, scope: Scope, branch: BranchId, finding: FindingId,
) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as(&scoped(&format!(
        "{HISTORY} WHERE a.finding_id = ?3 AND a.branch_id = ?4 AND a.branch_id IN (SELECT id FROM scoped)
         ORDER BY a.id DESC"
    )))
    .bind_scope(scope)
    .bind(finding)
    .bind(branch)
    .fetch_all(pool)
    .await
}

/// A history entry of one finding (or its measures).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FindingChange {
    pub finding_id: FindingId,
    #[sqlx(flatten)]
    pub entry: HistoryRow,
}

/// What the unit changed on each of `findings` (the finding and its measures) since the level
/// above last returned it, oldest first: the before → after a reviewer checks on a resubmitted
/// row. A finding never returned has no entries.
pub async fn changes_since_return(
    pool: &SqlitePool, scope: Scope, branch: BranchId, findings: &[FindingId],
) -> sqlx::Result<Vec<FindingChange>> {
    let ids = serde_json::to_string(&findings.iter().map(|f| f.0).collect::<Vec<_>>()).unwrap_or_default();
    sqlx::query_as(&scoped(&format!(
        "{HISTORY_OF_FINDINGS} WHERE a.branch_id = ?3 AND a.branch_id IN (SELECT id FROM scoped)
           AND a.finding_id IN (SELECT value FROM json_each(?4)) AND a.action <> 'finding.review'
           AND a.id > (SELECT MAX(r.id) FROM audit_log r
                       WHERE r.finding_id = a.finding_id AND r.action = 'finding.review'
                         AND json_extract(r.after_json, '$.review_state') = 'returned')
         ORDER BY a.id"
    )))
    .bind_scope(scope)
    .bind(branch)
    .bind(ids)
    .fetch_all(pool)
    .await
}

/// The history of a committee's 附件3 report, newest first (none outside the scope).
pub async fn report_history(
    pool: &SqlitePool, scope: Scope, committee: CommitteeId, campaign: CampaignId,
) -> sqlx::Result<Vec<HistoryRow>> {
    if !scope.covers_committee(committee) {
        return Ok(Vec::new());
    }
    sqlx::query_as(
        "SELECT a.at, u.display_name AS user_name, a.action, a.entity_id, NULL AS ledger_item_id,
                a.before_json, a.after_json
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         WHERE a.entity = 'committee_reports' AND a.committee_id = ? AND a.entity_id = ?
         ORDER BY a.id DESC",
    )
    .bind(committee)
    .bind(campaign)
    .fetch_all(pool)
    .await
}
