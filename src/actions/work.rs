//! The committee's own campaign work: its reviewers record deployment meetings, guidance of a
//! branch and 书记轮训, and remove a record made in error. The 组织部 reads them.

use super::{Stop, checked, step};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::work::{self, WorkForm};
use crate::domain::{CommitteeId, Role};

/// Its reviewers record the committee's work; the 组织部 only reads it (for the page's form).
pub fn may_record(user: &User) -> bool {
    user.role() == Role::Reviewer
}

/// The committee, if it is the user's own (a reviewer's); the 组织部 only reads.
async fn own_committee(
    tx: &mut sqlx::SqliteConnection, user: &User, id: CommitteeId,
) -> Result<crate::db::campaigns::Campaign, Stop> {
    db::units::committee(&mut *tx, user.scope(), id)
        .await?
        .ok_or(Stop::NotFound)?;
    if !may_record(user) {
        return Err(Stop::Forbidden);
    }
    db::campaigns::current_in(tx).await?.ok_or(Stop::NotFound)
}

pub async fn add(db: &Db, user: &User, id: CommitteeId, form: &WorkForm) -> super::Result<()> {
    step(db, async |tx| {
        let campaign = own_committee(tx, user, id).await?;
        let branches = db::work::branch_ids(tx, id).await?;
        let w = checked(work::parse(
            form,
            campaign.issued_on,
            crate::domain::dates::today(),
            &branches,
        ))?;
        db::work::add(tx, user.id(), campaign.id, id, &w).await?;
        Ok(())
    })
    .await
}

pub async fn delete(db: &Db, user: &User, id: CommitteeId, work_id: i64) -> super::Result<()> {
    step(db, async |tx| {
        let campaign = own_committee(tx, user, id).await?;
        if !db::work::delete(tx, user.id(), campaign.id, id, work_id).await? {
            return Err(Stop::NotFound);
        }
        Ok(())
    })
    .await
}
