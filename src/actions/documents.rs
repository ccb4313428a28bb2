//! The 组织部 attaches the documents branches check themselves against to a campaign (a file or
//! a link), and removes one.

use super::units::campus_only;
use super::{Stop, checked, step};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::CampaignId;
use crate::domain::documents;
use crate::domain::evidence::Upload;

pub struct DocumentForm {
    pub title: String,
    pub doc_number: String,
    pub url: String,
    pub file: Option<Upload>,
    /// The upload did not arrive whole.
    pub broken: bool,
}

pub async fn add(db: &Db, user: &User, campaign: CampaignId, form: DocumentForm) -> super::Result<()> {
    step(db, async |tx| {
        campus_only(user)?;
        db::campaigns::by_id(&mut *tx, campaign).await?.ok_or(Stop::NotFound)?;
        if form.broken {
            let mut e = crate::domain::input::FieldErrors::default();
            e.add("file", "文件没有完整上传（可能超过大小限制或网络中断），请重试");
            return Err(Stop::Invalid(e));
        }
        let d = checked(documents::parse(
            &form.title,
            &form.doc_number,
            &form.url,
            form.file.clone(),
        ))?;
        db::documents::add(tx, user.id(), campaign, &d).await?;
        Ok(())
    })
    .await
}

pub async fn delete(db: &Db, user: &User, campaign: CampaignId, id: i64) -> super::Result<()> {
    step(db, async |tx| {
        campus_only(user)?;
        if !db::documents::delete(tx, user.id(), campaign, id).await? {
            return Err(Stop::NotFound);
        }
        Ok(())
    })
    .await
}
