//! The audit trail: who changed what, when, before and after. Every write function in db/ that
//! changes a branch's rows records its entry in the same transaction.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use crate::domain::history::AuditAction;
use crate::domain::{BranchId, CommitteeId, FindingId, Scope, UserId};

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

/// Who makes a change to a branch's rows, for the audit entry.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: UserId,
    pub branch_id: BranchId,
    /// The campaign being worked in: rows of other (past) campaigns are not this actor's to change.
    pub campaign_id: crate::domain::CampaignId,
}

impl Actor {
    /// An entry for a change to a branch-owned row.
    pub fn entry(&self, action: AuditAction, entity_id: i64, finding_id: Option<FindingId>) -> Entry {
        Entry {
            finding_id,
            ..Entry::new(self.user_id, action, entity_id).branch(self.branch_id)
        }
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
     JOIN branches b ON b.id = a.branch_id
     LEFT JOIN users u ON u.id = a.user_id";

/// What the ledger page shows of a branch's history, newest first: its 对账查摆 answers (entity
/// `self_checks`) and its ledger's review (`branch_ledgers`: submitted, sent back, signed off,
/// reopened). One query for both; the index audit_by_branch_entity reads only these rows.
pub async fn branch_history(pool: &SqlitePool, scope: Scope, branch: BranchId) -> sqlx::Result<Vec<HistoryRow>> {
    let f = scope.filter();
    sqlx::query_as(&format!(
        "{HISTORY} WHERE a.branch_id = ?1 AND a.entity IN ('self_checks', 'branch_ledgers')
           AND (?2 IS NULL OR b.committee_id = ?2) AND (?3 IS NULL OR b.id = ?3)
         ORDER BY a.id DESC"
    ))
    .bind(branch)
    .bind(f.committee)
    .bind(f.branch)
    .fetch_all(pool)
    .await
}

/// The history of a finding of `branch` and of its measures and evidence, newest first.
pub async fn finding_history(
    pool: &SqlitePool,
    scope: Scope,
    branch: BranchId,
    finding: FindingId,
) -> sqlx::Result<Vec<HistoryRow>> {
    let f = scope.filter();
    sqlx::query_as(&format!(
        "{HISTORY} WHERE a.finding_id = ?1 AND a.branch_id = ?4
           AND (?2 IS NULL OR b.committee_id = ?2) AND (?3 IS NULL OR b.id = ?3)
         ORDER BY a.id DESC"
    ))
    .bind(finding)
    .bind(f.committee)
    .bind(f.branch)
    .bind(branch)
    .fetch_all(pool)
    .await
}

/// The history of a committee's 附件3 report, newest first.
pub async fn report_history(pool: &SqlitePool, committee: CommitteeId, campaign: i64) -> sqlx::Result<Vec<HistoryRow>> {
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
