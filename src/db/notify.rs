//! Messages (migration 000023): the in-app list, and the durable outbox the sender works from.
//! A message is written in the transaction of the change that causes it; the sender
//! (crate::notify) claims what is due, sends it, and records the outcome.

use std::sync::atomic::AtomicBool;

use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use crate::domain::notify::{Audience, Channel, Event, MailChoice, Message, OutboxState, RobotKind};
use crate::domain::{BranchId, CommitteeId, UserId};

/// Shared by a database's clones: whether e-mail is on, and the sender's wake-up.
#[derive(Debug, Default)]
pub struct Signal {
    pub mail_on: AtomicBool,
    pub wake: tokio::sync::Notify,
}

/// The accounts an audience names: (id, e-mail, choice). Deactivated accounts receive nothing.
async fn recipients(
    conn: &mut SqliteConnection, audience: Audience,
) -> sqlx::Result<Vec<(UserId, Option<String>, MailChoice)>> {
    let (filter, id) = match audience {
        Audience::Keepers(unit) => (
            "(u.role = 'secretary' AND u.branch_id = ?1)
             OR (u.role = 'reviewer' AND u.committee_id = (SELECT committee_id FROM branches WHERE id = ?1 AND level = 'committee'))",
            unit.0,
        ),
        Audience::Above(unit) => (
            "(u.role = 'reviewer' AND u.committee_id = (SELECT committee_id FROM branches WHERE id = ?1 AND level = 'branch'))
             OR (u.role = 'overseer' AND EXISTS (SELECT 1 FROM branches WHERE id = ?1 AND level = 'committee'))",
            unit.0,
        ),
        Audience::Reviewers(c) => ("u.role = 'reviewer' AND u.committee_id = ?1", c.0),
        Audience::Everyone => ("?1 IS NOT NULL", 0),
    };
    sqlx::query_as(&format!(
        "SELECT u.id, u.email, u.mail_choice FROM users u WHERE u.active = 1 AND ({filter}) ORDER BY u.id"
    ))
    .bind(id)
    .fetch_all(conn)
    .await
}

/// The committee whose robot hears of an audience's message: a branch's committee for what its
/// reviewers are told, the committee itself.
async fn robot_committee(conn: &mut SqliteConnection, audience: Audience) -> sqlx::Result<Option<CommitteeId>> {
    match audience {
        Audience::Reviewers(c) => Ok(Some(c)),
        Audience::Above(unit) => {
            sqlx::query_scalar("SELECT committee_id FROM branches WHERE id = ? AND level = 'branch'")
                .bind(unit)
                .fetch_optional(conn)
                .await
        }
        _ => Ok(None),
    }
}

/// Whether a message goes out by e-mail: not at all (no transport), as an event's message (to
/// accounts that take every message), or as the daily digest (to those that take it too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mail {
    Off,
    Event,
    Digest,
}

impl Mail {
    /// An event's mail, when e-mail is on.
    pub fn event(on: bool) -> Mail {
        if on { Mail::Event } else { Mail::Off }
    }
}

/// Queues `message` for `audience` under the event key `key`: an entry in each recipient's
/// in-app list, an e-mail to each who takes every message by mail (if `email` is on), and the
/// robot's post of the committee concerned. A key already queued for a recipient is not queued
/// again (a daily reminder run twice sends once). Returns how many accounts it reached.
pub async fn enqueue(
    conn: &mut SqliteConnection, key: &str, audience: Audience, message: &Message, email: Mail,
) -> sqlx::Result<usize> {
    let people = recipients(conn, audience).await?;
    let mailed = |choice: MailChoice| match (email, choice) {
        (Mail::Off, _) | (_, MailChoice::Off) => false,
        (Mail::Event, choice) => choice == MailChoice::All,
        (Mail::Digest, _) => true,
    };
    let mut reached = 0;
    for (user, address, choice) in &people {
        let dedup = format!("{key}:user:{}", user.0);
        // One entry per event and recipient, whatever repeats the event.
        let fresh: Option<i64> = sqlx::query_scalar(
            "INSERT INTO notifications (user_id, subject, body, link, dedup_key) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        )
        .bind(user)
        .bind(&message.subject)
        .bind(&message.body)
        .bind(&message.link)
        .bind(&dedup)
        .fetch_optional(&mut *conn)
        .await?;
        if fresh.is_none() {
            continue;
        }
        reached += 1;
        if let (Some(address), true) = (address, mailed(*choice)) {
            sqlx::query(
                "INSERT INTO outbox (channel, user_id, recipient, subject, body, link, dedup_key)
                 VALUES ('email', ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING",
            )
            .bind(user)
            .bind(address)
            .bind(&message.subject)
            .bind(&message.body)
            .bind(&message.link)
            .bind(&dedup)
            .execute(&mut *conn)
            .await?;
        }
    }
    if let Some(robot) = &message.robot
        && let Some(committee) = robot_committee(conn, audience).await?
    {
        sqlx::query(
            "INSERT INTO outbox (channel, committee_id, recipient, subject, body, link, dedup_key)
             SELECT c.robot_kind, c.id, '', ?2, ?3, ?4, ?5 FROM committees c
             WHERE c.id = ?1 AND c.robot_kind IS NOT NULL AND c.robot_url <> ''
             ON CONFLICT (dedup_key) DO NOTHING",
        )
        .bind(committee)
        .bind(&message.subject)
        .bind(&robot.what)
        .bind(&robot.link)
        .bind(format!("{key}:robot:{}", committee.0))
        .execute(&mut *conn)
        .await?;
    }
    Ok(reached)
}

/// Whether messages under `key` were queued already (to anyone: every recipient has an entry).
pub async fn queued(conn: &mut SqliteConnection, key: &str) -> sqlx::Result<bool> {
    // A range on the unique index: every "key:…" sorts between "key:" and "key;".
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM notifications WHERE dedup_key >= ?1 || ':' AND dedup_key < ?1 || ';')",
    )
    .bind(key)
    .fetch_one(conn)
    .await
}

/// Queues an event caused by the change just audited in this transaction: its key is that
/// change's audit row, so the event is one message per recipient.
pub async fn after_change(conn: &mut SqliteConnection, event: &Event<'_>, email: bool) -> sqlx::Result<()> {
    let email = Mail::event(email);
    let audited: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    enqueue(
        conn,
        &format!("audit:{audited}"),
        event.audience(),
        &event.message(),
        email,
    )
    .await?;
    Ok(())
}

/// A message due to leave, claimed by one sender.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub dedup_key: String,
    pub attempts: i64,
    /// A robot's address and 加签 secret, read now (a changed webhook applies to what waits).
    pub robot_url: Option<String>,
    pub robot_secret: Option<String>,
}

/// Whether anything is due to be sent (read before claiming, so that an idle sender writes
/// nothing).
pub async fn anything_due(pool: &SqlitePool) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'queued' AND next_attempt_at <= datetime('now'))
             OR EXISTS (SELECT 1 FROM outbox WHERE state = 'sending' AND claimed_at < datetime('now', '-10 minutes'))",
    )
    .fetch_one(pool)
    .await
}

/// Claims up to `limit` messages due now: each is marked 发送中 for this sender, so that another
/// (the server's, `duizhang digest`'s) does not send it too. A claim older than 10 minutes is
/// taken to be a sender that stopped midway: its message is due again.
pub async fn claim_due(conn: &mut SqliteConnection, limit: i64) -> sqlx::Result<Vec<Outgoing>> {
    sqlx::query(
        "UPDATE outbox SET state = 'queued' WHERE state = 'sending' AND claimed_at < datetime('now', '-10 minutes')",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "UPDATE outbox SET state = 'sending', claimed_at = datetime('now'), attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= datetime('now')
                      ORDER BY next_attempt_at, id LIMIT ?)
         RETURNING id, channel, recipient, subject, body, link, dedup_key, attempts,
                   (SELECT robot_url FROM committees c WHERE c.id = outbox.committee_id) AS robot_url,
                   (SELECT robot_secret FROM committees c WHERE c.id = outbox.committee_id) AS robot_secret",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn mark_sent(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET state = 'sent', sent_at = datetime('now'), last_error = '' WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A failed attempt: tried again after `retry_in` seconds, or marked failed for good (`None`).
pub async fn mark_failed(conn: &mut SqliteConnection, id: i64, error: &str, retry_in: Option<i64>) -> sqlx::Result<()> {
    let error: String = error.chars().take(500).collect();
    match retry_in {
        Some(seconds) => sqlx::query(
            "UPDATE outbox SET state = 'queued', last_error = ?, next_attempt_at = datetime('now', '+' || ? || ' seconds')
             WHERE id = ?",
        )
        .bind(&error)
        .bind(seconds)
        .bind(id),
        None => sqlx::query("UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?")
            .bind(&error)
            .bind(id),
    }
    .execute(conn)
    .await?;
    Ok(())
}

/// How many messages are waiting to leave (queued or being sent).
pub async fn pending(pool: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending')")
        .fetch_one(pool)
        .await
}

/// A line of the outbox page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: Channel,
    /// The account or committee it goes to.
    pub to_name: String,
    pub recipient: String,
    pub subject: String,
    pub state: OutboxState,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub next_attempt_at: String,
}

/// What has left or waits to leave, failed first, then newest; at most 500.
pub async fn outbox(pool: &SqlitePool, state: Option<OutboxState>) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(
        "SELECT o.id, o.channel, COALESCE(u.display_name || '（' || u.username || '）', c.name, '') AS to_name,
                o.recipient, o.subject, o.state, o.attempts, o.last_error, o.created_at, o.sent_at, o.next_attempt_at
         FROM outbox o LEFT JOIN users u ON u.id = o.user_id LEFT JOIN committees c ON c.id = o.committee_id
         WHERE ?1 IS NULL OR o.state = ?1
         ORDER BY o.state <> 'failed', o.id DESC LIMIT 500",
    )
    .bind(state)
    .fetch_all(pool)
    .await
}

/// Counts by state, for the outbox page's tabs.
pub async fn outbox_counts(pool: &SqlitePool) -> sqlx::Result<Vec<(OutboxState, i64)>> {
    sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
        .fetch_all(pool)
        .await
}

/// A failed message queued again, now: `false` if it is not failed (any more).
pub async fn resend(conn: &mut SqliteConnection, by: UserId, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = datetime('now') WHERE id = ? AND state = 'failed'",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if done {
        #[derive(serde::Serialize)]
        struct Resent {
            state: OutboxState,
        }
        let e = super::audit::Entry::new(by, crate::domain::history::AuditAction::OutboxResend, id)
            .before(&Resent {
                state: OutboxState::Failed,
            })
            .after(&Resent {
                state: OutboxState::Queued,
            });
        super::audit::record(conn, &e).await?;
    }
    Ok(done)
}

/// An entry of a user's in-app list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub unread: bool,
}

/// The user's latest entries (newest first, at most 200).
pub async fn list(pool: &SqlitePool, user: UserId) -> sqlx::Result<Vec<NotificationRow>> {
    sqlx::query_as(
        "SELECT id, subject, body, link, created_at, read_at IS NULL AS unread FROM notifications
         WHERE user_id = ? ORDER BY id DESC LIMIT 200",
    )
    .bind(user)
    .fetch_all(pool)
    .await
}

/// One of the user's entries (none of another user's).
pub async fn one(pool: &SqlitePool, user: UserId, id: i64) -> sqlx::Result<Option<NotificationRow>> {
    sqlx::query_as(
        "SELECT id, subject, body, link, created_at, read_at IS NULL AS unread FROM notifications WHERE user_id = ? AND id = ?",
    )
    .bind(user)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn unread(pool: &SqlitePool, user: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL")
        .bind(user)
        .fetch_one(pool)
        .await
}

/// Marks the user's entries up to `upto` (those the list showed) read.
pub async fn mark_read(conn: &mut SqliteConnection, user: UserId, upto: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE notifications SET read_at = datetime('now') WHERE user_id = ? AND id <= ? AND read_at IS NULL",
    )
    .bind(user)
    .bind(upto)
    .execute(conn)
    .await?
    .rows_affected())
}

/// An account's mail settings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailSettings {
    pub email: Option<String>,
    pub mail_choice: MailChoice,
    pub version: i64,
}

pub async fn mail_settings(pool: &SqlitePool, user: UserId) -> sqlx::Result<Option<MailSettings>> {
    sqlx::query_as("SELECT email, mail_choice, version FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(pool)
        .await
}

/// A committee's robot, as its form shows it: the kind, the address, and whether a secret is set.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct RobotSettings {
    pub robot_kind: Option<RobotKind>,
    pub robot_url: String,
    pub robot_secret: String,
}

pub async fn robot(pool: &SqlitePool, committee: CommitteeId) -> sqlx::Result<RobotSettings> {
    Ok(
        sqlx::query_as("SELECT robot_kind, robot_url, robot_secret FROM committees WHERE id = ?")
            .bind(committee)
            .fetch_optional(pool)
            .await?
            .unwrap_or_default(),
    )
}

/// Each active unit's measures due within 7 days or overdue on `today`, not closed off:
/// (unit, text, deadline), by unit and deadline. (Its keepers — a secretary, a committee's
/// reviewers for its 本级 — each receive the unit's digest.)
pub async fn due_measures(pool: &SqlitePool, today: Date) -> sqlx::Result<Vec<(BranchId, String, Date)>> {
    sqlx::query_as(
        "SELECT f.branch_id, m.text, m.deadline FROM measures m
         JOIN findings f ON f.id = m.finding_id
         JOIN campaigns c ON c.id = f.campaign_id AND c.is_current = 1
         JOIN branches b ON b.id = f.branch_id AND b.active = 1
         WHERE m.status <> 'closed_out' AND m.deadline IS NOT NULL AND m.deadline <= date(?, '+7 days')
         ORDER BY f.branch_id, m.deadline, m.id",
    )
    .bind(today)
    .fetch_all(pool)
    .await
}

/// The reviewers of committees and what waits for each committee: (committee, reviewer,
/// ledgers and 督查发现 to review, 销号 and 延期 requests).
pub async fn reviewer_queues(pool: &SqlitePool) -> sqlx::Result<Vec<(CommitteeId, UserId, i64, i64)>> {
    sqlx::query_as(
        "WITH cur AS (SELECT id FROM campaigns WHERE is_current = 1)
         SELECT u.committee_id, u.id,
           (SELECT COUNT(*) FROM branch_ledgers bl JOIN branches b ON b.id = bl.branch_id
             WHERE bl.campaign_id = (SELECT id FROM cur) AND bl.state = 'submitted' AND b.level = 'branch'
               AND b.committee_id = u.committee_id)
           + (SELECT COUNT(*) FROM findings f JOIN branches b ON b.id = f.branch_id
               WHERE f.campaign_id = (SELECT id FROM cur) AND f.handed_in_at IS NOT NULL AND b.level = 'branch'
                 AND b.committee_id = u.committee_id),
           (SELECT COUNT(*) FROM measures m JOIN findings f ON f.id = m.finding_id JOIN branches b ON b.id = f.branch_id
             WHERE f.campaign_id = (SELECT id FROM cur) AND m.status = 'done' AND b.level = 'branch'
               AND b.committee_id = u.committee_id)
           + (SELECT COUNT(*) FROM deadline_extensions x JOIN branches b ON b.id = x.branch_id
               JOIN measures m ON m.id = x.measure_id JOIN findings f ON f.id = m.finding_id
               WHERE x.state = 'pending' AND f.campaign_id = (SELECT id FROM cur) AND b.level = 'branch'
                 AND b.committee_id = u.committee_id)
         FROM users u WHERE u.role = 'reviewer' AND u.active = 1 ORDER BY u.committee_id, u.id",
    )
    .fetch_all(pool)
    .await
}

/// What a unit is called (a branch's name, "<committee>（本级）").
pub async fn unit_name(conn: &mut SqliteConnection, unit: BranchId) -> sqlx::Result<String> {
    sqlx::query_scalar(&format!(
        "SELECT {} FROM branches b JOIN committees c ON c.id = b.committee_id WHERE b.id = ?",
        super::units::UNIT_NAME
    ))
    .bind(unit)
    .fetch_one(conn)
    .await
}

/// Every active unit: (id, committee, name).
pub async fn branch_names(pool: &SqlitePool) -> sqlx::Result<Vec<(BranchId, CommitteeId, String)>> {
    sqlx::query_as(&format!(
        "SELECT b.id, b.committee_id, {} FROM branches b JOIN committees c ON c.id = b.committee_id
         WHERE b.active = 1 AND c.active = 1",
        super::units::UNIT_NAME
    ))
    .fetch_all(pool)
    .await
}

/// The active committees with no 报送 standing in the campaign.
pub async fn undelivered(pool: &SqlitePool, campaign: crate::domain::CampaignId) -> sqlx::Result<Vec<CommitteeId>> {
    sqlx::query_scalar(
        "SELECT c.id FROM committees c WHERE c.active = 1
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.committee_id = c.id AND d.campaign_id = ? AND d.state = 'delivered')
         ORDER BY c.id",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
}

#[derive(serde::Serialize)]
struct MailSnapshot<'a> {
    email: Option<&'a str>,
    mail_choice: MailChoice,
}

/// Saves an account's address and choice as seen at `version` (`false`: changed since).
pub async fn set_mail(
    conn: &mut SqliteConnection, by: UserId, user: UserId, version: i64, email: Option<&str>, choice: MailChoice,
) -> sqlx::Result<bool> {
    let Some(before) = sqlx::query_as::<_, MailSettings>("SELECT email, mail_choice, version FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(false);
    };
    let done = sqlx::query(
        "UPDATE users SET email = ?, mail_choice = ?, version = version + 1, updated_at = datetime('now')
         WHERE id = ? AND version = ?",
    )
    .bind(email)
    .bind(choice)
    .bind(user)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if done {
        let e = super::audit::Entry::new(by, crate::domain::history::AuditAction::UserUpdate, user.0)
            .before(&MailSnapshot {
                email: before.email.as_deref(),
                mail_choice: before.mail_choice,
            })
            .after(&MailSnapshot {
                email,
                mail_choice: choice,
            });
        super::audit::record(conn, &e).await?;
    }
    Ok(done)
}

/// A committee's robot set (or removed, with `kind` None); a secret left empty keeps the saved one.
pub async fn set_robot(
    conn: &mut SqliteConnection, by: UserId, committee: CommitteeId, kind: Option<RobotKind>, url: &str,
    secret: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE committees SET robot_kind = ?1, robot_url = ?2,
                robot_secret = CASE WHEN ?1 IS NULL THEN '' ELSE COALESCE(?3, robot_secret) END,
                version = version + 1
         WHERE id = ?4",
    )
    .bind(kind)
    .bind(url)
    .bind(secret)
    .bind(committee)
    .execute(&mut *conn)
    .await?;
    #[derive(serde::Serialize)]
    struct RobotSnapshot<'a> {
        robot: &'a str,
    }
    let said = kind.map_or("（无）", RobotKind::label);
    let e = super::audit::Entry::new(by, crate::domain::history::AuditAction::CommitteeUpdate, committee.0)
        .committee(committee)
        .after(&RobotSnapshot { robot: said });
    super::audit::record(conn, &e).await
}

pub async fn mark_one_read(conn: &mut SqliteConnection, user: UserId, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE notifications SET read_at = datetime('now') WHERE user_id = ? AND id = ? AND read_at IS NULL")
        .bind(user)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The demo campus's addresses: USERNAME@example.org for every account.
pub async fn demo_addresses(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET email = username || '@example.org'")
        .execute(conn)
        .await?;
    Ok(())
}

/// A unit's measures due within 7 days or overdue on `today`, not closed off: (all, overdue).
pub async fn due_counts(conn: &mut SqliteConnection, branch: BranchId, today: Date) -> sqlx::Result<(usize, usize)> {
    let (due, overdue): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(m.deadline < ?2), 0) FROM measures m
         JOIN findings f ON f.id = m.finding_id JOIN campaigns c ON c.id = f.campaign_id AND c.is_current = 1
         WHERE f.branch_id = ?1 AND m.status <> 'closed_out' AND m.deadline IS NOT NULL AND m.deadline <= date(?2, '+7 days')",
    )
    .bind(branch)
    .bind(today)
    .fetch_one(conn)
    .await?;
    Ok((due as usize, overdue as usize))
}
