//! The frame around every change a secretary makes to their branch's ledger: the branch checked
//! against their scope, the current campaign, one write transaction, the ledger-state rule.

use sqlx::SqliteConnection;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::audit::Actor;
use crate::db::campaigns::Campaign;
use crate::db::units::BranchRow;
use crate::domain::BranchId;
use crate::domain::states::LedgerState;
use crate::error::{AppError, AppResult};

/// A secretary at work on a branch in the current campaign (past campaigns are read-only).
pub struct Work {
    pub branch: BranchRow,
    pub campaign: Campaign,
    pub actor: Actor,
}

impl Work {
    /// The branch must be within the user's scope (their own), else 404.
    pub async fn load(state: &AppState, user: &CurrentUser, branch: i64) -> AppResult<Work> {
        let branch = db::units::branch(&state.db.read, user.scope, BranchId(branch))
            .await?
            .ok_or(AppError::NotFound)?;
        let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
        let actor = Actor {
            user_id: user.id,
            branch_id: branch.id,
            campaign_id: campaign.id,
        };
        Ok(Work {
            branch,
            campaign,
            actor,
        })
    }

    pub fn ledger_url(&self) -> String {
        format!("/branches/{}", self.branch.id)
    }

    /// Refuses (409, saying why) unless the branch may change its ledger's content now: for the
    /// pages that lead to a change, so nobody fills in a form that cannot be saved.
    pub async fn ensure_editable(&self, state: &AppState) -> AppResult<()> {
        let mut conn = state.db.read.acquire().await?;
        let current = db::ledger::state_in_tx(&mut conn, self.campaign.id, self.branch.id).await?;
        if current.content_editable() {
            Ok(())
        } else {
            Err(locked(current))
        }
    }

    /// Runs a change to the ledger's content (answers, findings, measures) in one transaction,
    /// only while the branch may edit it, and marks the ledger 填报中.
    pub async fn edit<T>(
        &self,
        state: &AppState,
        change: impl AsyncFnOnce(&mut SqliteConnection) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut tx = state.db.write.begin().await?;
        let current = db::ledger::state_in_tx(&mut tx, self.campaign.id, self.branch.id).await?;
        let Some(next) = current.after_branch_edit() else {
            return Err(locked(current));
        };
        // Before the change, so that a change that moves the state itself (submission) wins.
        if next != current {
            db::ledger::set_ledger_state(&mut tx, self.campaign.id, self.branch.id, next).await?;
        }
        let out = change(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Runs a progress report on a measure (销号 request, evidence) in one transaction. Progress
    /// is reported whatever the ledger's review state: rectification goes on after submission.
    pub async fn report<T>(
        &self,
        state: &AppState,
        change: impl AsyncFnOnce(&mut SqliteConnection) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut tx = state.db.write.begin().await?;
        let out = change(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Why the branch cannot change its ledger now.
pub fn locked(state: LedgerState) -> AppError {
    AppError::Refused(match state {
        LedgerState::SignedOff => "本支部台账已审核签字，内容已锁定；如需修改，请联系党总支（党委）重新打开。".into(),
        _ => {
            "本支部台账已提交，正在等待党总支（党委）审核；审核退回后才能修改。整改进展和销号申请仍可随时填报。".into()
        }
    })
}

/// The message for a row someone else changed first.
pub const STALE: &str =
    "这一条刚刚被他人修改过，您的内容没有保存。下方已显示最新内容，您填写的内容也已保留，请核对后重新保存。";
