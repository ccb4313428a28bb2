//! An account's messages: what it wants by e-mail, its in-app list read; the 组织部's outbox.

use serde::Deserialize;

use super::units::campus_only;
use super::{Stop, step};
use crate::auth::User;
use crate::db::{self, Db};
use crate::domain::input::FieldErrors;
use crate::domain::notify::{self, MailChoice};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MailForm {
    pub email: String,
    pub mail_choice: String,
    pub version: i64,
}

/// The account's own address and choice; problems come back by field (`email`, `mail_choice`).
pub async fn set_mail(db: &Db, user: &User, form: &MailForm) -> super::Result<()> {
    step(db, async |tx| {
        let mut e = FieldErrors::default();
        let email = notify::email(&form.email).unwrap_or_else(|m| {
            e.add("email", m);
            None
        });
        let choice = MailChoice::parse(&form.mail_choice);
        if choice.is_none() {
            e.add("mail_choice", "请选择邮件提醒方式");
        }
        let (Some(choice), true) = (choice, e.is_empty()) else {
            return Err(Stop::Invalid(e));
        };
        if !db::notify::set_mail(tx, user.id(), user.id(), form.version, email.as_deref(), choice).await? {
            return Err(Stop::Stale(
                "账号信息刚刚被修改过（可能是组织部），您填写的内容已保留，请核对后重新保存。".into(),
            ));
        }
        Ok(())
    })
    .await
}

/// Marks the account's messages up to `upto` read.
pub async fn mark_read(db: &Db, user: &User, upto: i64) -> super::Result<u64> {
    step(db, async |tx| Ok(db::notify::mark_read(tx, user.id(), upto).await?)).await
}

/// The 组织部 queues a failed message again.
pub async fn resend(db: &Db, user: &User, id: i64) -> super::Result<()> {
    step(db, async |tx| {
        campus_only(user)?;
        if !db::notify::resend(tx, user.id(), id).await? {
            return Err(Stop::Refused(
                "这条消息不是“发送失败”状态（可能已重新发送），请刷新后查看。".into(),
            ));
        }
        Ok(())
    })
    .await
}

/// Marks one of the account's messages read (opening it).
pub async fn mark_read_one(db: &Db, user: &User, id: i64) -> anyhow::Result<()> {
    db.write(async |tx| db::notify::mark_one_read(tx, user.id(), id).await)
        .await?;
    Ok(())
}
