//! 报送: the committee hands in its materials after signing 附件3 and adds the scan of the sealed
//! paper copy; the 组织部 records the paper copy's receipt or returns the 报送 with a reason.

use serde::Deserialize;
use sqlx::SqliteConnection;

use super::{Stop, checked, step};
use crate::auth::User;
use crate::db::campaigns::Campaign;
use crate::db::deliveries::DeliveryRow;
use crate::db::{self, Db};
use crate::domain::delivery::{self, may_deliver};
use crate::domain::evidence::{REPICK, Upload, check_upload};
use crate::domain::input::FieldErrors;
use crate::domain::{CommitteeId, DeliveryId, Role};

const STALE: &str = "这份报送刚刚有了变动，您的操作没有执行；请查看最新状态后再操作。";

/// The committee (in the user's scope) and the current campaign; the step is the committee's own
/// reviewers' (`keeper`) or the 组织部's.
async fn committee(tx: &mut SqliteConnection, user: &User, id: CommitteeId, keeper: bool) -> Result<Campaign, Stop> {
    db::units::committee(&mut *tx, user.scope(), id)
        .await?
        .ok_or(Stop::NotFound)?;
    let allowed = if keeper {
        user.role() == Role::Reviewer
    } else {
        user.scope().is_campus()
    };
    if !allowed {
        return Err(Stop::Forbidden);
    }
    db::campaigns::current_in(tx).await?.ok_or(Stop::NotFound)
}

/// Whether the committee may hand in now (read before its package is built).
pub async fn may(db: &Db, user: &User, id: CommitteeId) -> super::Result<()> {
    step(db, async |tx| ready(tx, user, id).await.map(|_| ())).await
}

async fn ready(tx: &mut SqliteConnection, user: &User, id: CommitteeId) -> Result<Campaign, Stop> {
    let campaign = committee(tx, user, id, true).await?;
    let report = db::reports::state(tx, campaign.id, id).await?;
    let standing = db::deliveries::standing(tx, campaign.id, id).await?;
    may_deliver(report, standing.is_some()).map_err(|m| Stop::Refused(m.into()))?;
    Ok(campaign)
}

/// 报送: keeps `package` (built from the signed 附件3 and every 附件2) as it is handed in.
pub async fn deliver(db: &Db, user: &User, id: CommitteeId, name: &str, package: &[u8]) -> super::Result<DeliveryId> {
    step(db, async |tx| {
        let campaign = ready(tx, user, id).await?;
        Ok(db::deliveries::create(tx, user.id(), campaign.id, id, name, package).await?)
    })
    .await
}

async fn standing_one(
    tx: &mut SqliteConnection, user: &User, committee_id: CommitteeId, id: DeliveryId, keeper: bool,
) -> Result<DeliveryRow, Stop> {
    let campaign = committee(tx, user, committee_id, keeper).await?;
    let row = db::deliveries::get_in(tx, campaign.id, committee_id, id)
        .await?
        .ok_or(Stop::NotFound)?;
    if row.state != crate::domain::states::DeliveryState::Delivered {
        return Err(Stop::Refused("这份报送已被组织部退回，请重新报送后再操作。".into()));
    }
    Ok(row)
}

/// Adds the scan of the sealed paper copy (a PDF or a photo) to the standing 报送.
pub async fn add_scan(
    db: &Db, user: &User, committee_id: CommitteeId, id: DeliveryId, files: Vec<Upload>, broken: bool,
) -> super::Result<()> {
    step(db, async |tx| {
        let row = standing_one(tx, user, committee_id, id, true).await?;
        let checked = check_upload(files, broken);
        let mut e = FieldErrors::default();
        match (checked.accepted.as_slice(), checked.problems.first()) {
            (_, Some(problem)) => e.add("scan", format!("{problem}{REPICK}")),
            ([], None) => e.add("scan", "请选择盖章纸质件的扫描件（PDF 或照片）"),
            ([_, _, ..], None) => e.add("scan", format!("一次只能上传一个扫描件。{REPICK}")),
            ([file], None) => {
                return db::deliveries::set_scan(tx, user.id(), &row, &file.name, file.content_type, &file.bytes)
                    .await?
                    .map_err(|_| Stop::Stale(STALE.into()));
            }
        }
        Err(Stop::Invalid(e))
    })
    .await
}

/// The 组织部's record of the paper copy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaperForm {
    pub paper_received_on: String,
    pub paper_received_by: String,
    pub paper_note: String,
    pub version: i64,
}

pub async fn record_paper(
    db: &Db, user: &User, committee_id: CommitteeId, id: DeliveryId, form: &PaperForm,
) -> super::Result<()> {
    step(db, async |tx| {
        let row = standing_one(tx, user, committee_id, id, false).await?;
        let receipt = checked(delivery::paper_receipt(
            &form.paper_received_on,
            &form.paper_received_by,
            &form.paper_note,
            row.delivered_on(),
            crate::domain::dates::today(),
        ))?;
        db::deliveries::record_paper(tx, user.id(), &row, form.version, &receipt)
            .await?
            .map_err(|_| Stop::Stale(STALE.into()))
    })
    .await
}

/// The 组织部 returns a 报送 with the reason the committee reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReturnForm {
    pub return_reason: String,
    pub version: i64,
}

pub async fn return_delivery(
    db: &Db, user: &User, committee_id: CommitteeId, id: DeliveryId, form: &ReturnForm,
) -> super::Result<()> {
    step(db, async |tx| {
        let row = standing_one(tx, user, committee_id, id, false).await?;
        let reason = checked(delivery::return_reason(&form.return_reason))?;
        db::deliveries::return_it(tx, user.id(), &row, form.version, &reason)
            .await?
            .map_err(|_| Stop::Stale(STALE.into()))?;
        let event = crate::domain::notify::Event::DeliveryReturned {
            committee: committee_id,
            reason: &reason,
        };
        super::tell(tx, db, event).await
    })
    .await
}
