//! Logging in and out, as the audit trail records them. (The session itself — its id, its
//! token — is the handler's: it is HTTP.)

use crate::auth::login::{self, Outcome};
use crate::db::{self, Db};
use crate::domain::UserId;
use crate::domain::history::AuditAction;

/// A login attempt (throttled, see auth::login), recorded when it succeeds.
pub async fn log_in(db: &Db, dummy_hash: &str, username: &str, password: &str, addr: &str) -> anyhow::Result<Outcome> {
    let outcome = login::attempt(db, dummy_hash, username, password, addr).await?;
    if let Outcome::Success(user) = &outcome {
        record(db, user.id, AuditAction::Login).await?;
        tracing::info!(user = %user.username, "logged in");
    }
    Ok(outcome)
}

/// The end of a session, in the audit trail like its start.
pub async fn log_out(db: &Db, user: UserId) -> anyhow::Result<()> {
    record(db, user, AuditAction::Logout).await
}

async fn record(db: &Db, user: UserId, action: AuditAction) -> anyhow::Result<()> {
    db.write(async |tx| db::audit::record(tx, &db::audit::Entry::account(user, action)).await)
        .await?;
    Ok(())
}
