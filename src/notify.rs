//! The outbox's sender and the daily run. Messages are queued by the changes that cause them
//! (db::notify, in the change's transaction); here a background task claims what is due, sends
//! it — e-mail over SMTP (lettre), robot posts over HTTP(S) — and records the outcome, retrying
//! with backoff. Sending never runs inside a user's request: an unreachable server is a logged,
//! retried failure on the outbox page, nothing more.
//!
//! Once a day (at `[mail] digest_hour`, campus time) the daily run queues the digest and the
//! reminders that come with time: 附件3 and 报送 due within 3 days or overdue, terms ended or
//! ending (按期换届提醒, once per branch and term). Each has a key of its day or its term, so
//! running it twice (the server and `duizhang digest`) queues it once.

use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use hmac::Mac;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use time::Date;

use crate::config::Config;
use crate::db::notify::{Mail, Outgoing};
use crate::db::{self, Db};
use crate::domain::notify::{self, Audience, Channel, DueMeasure, Event, Queue};
use crate::domain::{BranchId, CommitteeId};

/// Sends what the outbox holds.
pub struct Sender {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    http: reqwest::Client,
    /// The address links start with.
    base_url: String,
    retry_seconds: i64,
    max_attempts: i64,
}

impl Sender {
    pub fn new(config: &Config) -> anyhow::Result<Sender> {
        let m = &config.mail;
        let smtp = if m.smtp_url.is_empty() {
            None
        } else {
            Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&m.smtp_url)
                    .with_context(|| format!("reading the SMTP address {}", m.smtp_url))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            )
        };
        let base_url = if config.public_url.is_empty() {
            format!("http://{}", config.listen)
        } else {
            config.public_url.clone()
        };
        Ok(Sender {
            smtp,
            from: m.from.parse().context("reading [mail] from")?,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .context("building the webhook client")?,
            base_url,
            retry_seconds: m.retry_seconds,
            max_attempts: m.max_attempts,
        })
    }

    pub fn mail_on(&self) -> bool {
        self.smtp.is_some()
    }

    /// Claims and sends one batch of due messages; returns how many it handled.
    pub async fn send_due(&self, db: &Db) -> anyhow::Result<usize> {
        if !db::notify::anything_due(&db.read).await? {
            return Ok(0);
        }
        // A few at a time: a claim older than 10 minutes counts as abandoned, and a slow server
        // must not hold a batch that long.
        let due = db.write(async |tx| db::notify::claim_due(tx, 5).await).await?;
        for m in &due {
            let outcome = self.send_one(m).await;
            db.write(async |tx| match &outcome {
                Ok(()) => db::notify::mark_sent(tx, m.id).await,
                Err(why) => {
                    let retry = notify::retry_after(m.attempts, self.retry_seconds, self.max_attempts);
                    db::notify::mark_failed(tx, m.id, why, retry).await
                }
            })
            .await?;
            match outcome {
                Ok(()) => tracing::info!(id = m.id, channel = m.channel.code(), "message sent"),
                Err(why) => {
                    tracing::warn!(id = m.id, channel = m.channel.code(), attempt = m.attempts, %why, "message not sent")
                }
            }
        }
        Ok(due.len())
    }

    async fn send_one(&self, m: &Outgoing) -> Result<(), String> {
        let url = format!("{}{}", self.base_url, m.link);
        match m.channel {
            Channel::Email => self.email(m, &url).await,
            Channel::WeCom | Channel::DingTalk => self.robot(m, &url).await,
        }
    }

    async fn email(&self, m: &Outgoing, url: &str) -> Result<(), String> {
        let Some(smtp) = &self.smtp else {
            return Err("未配置邮件服务器（DUIZHANG_SMTP_URL），邮件未发出".into());
        };
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| format!("收件地址 {} 无法使用：{e}", m.recipient))?;
        let body = format!(
            "{}\n\n请打开：{url}\n\n——党支部对账整改系统（登录后在“消息”页可设置是否接收邮件）",
            m.body
        );
        // The event key as Message-ID: a copy sent again after an interrupted attempt can be
        // recognised as the same message.
        let id = m.dedup_key.replace(|c: char| !c.is_ascii_alphanumeric(), ".");
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .message_id(Some(format!("<{id}@duizhang>")))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("邮件无法生成：{e}"))?;
        smtp.send(email)
            .await
            .map(|_| ())
            .map_err(|e| format!("邮件服务器未接收：{e}"))
    }

    async fn robot(&self, m: &Outgoing, url: &str) -> Result<(), String> {
        let Some(address) = m.robot_url.as_deref().filter(|u| !u.is_empty()) else {
            return Err("该党总支（党委）已不再设置群机器人".into());
        };
        let mut address = address.to_string();
        let secret = m.robot_secret.as_deref().unwrap_or("");
        if m.channel == Channel::DingTalk && !secret.is_empty() {
            let (timestamp, sign) = dingtalk_sign(secret, time::OffsetDateTime::now_utc());
            let sep = if address.contains('?') { '&' } else { '?' };
            address = format!("{address}{sep}timestamp={timestamp}&sign={}", urlencode(&sign));
        }
        let text = notify::robot_text(&m.body, url);
        let payload = serde_json::json!({ "msgtype": "text", "text": { "content": text } });
        let res = self
            .http
            .post(&address)
            .json(&payload)
            .send()
            .await
            .map_err(|e| format!("群机器人地址无法连接：{}", without_url(&e)))?;
        let status = res.status();
        let reply: serde_json::Value = res.json().await.unwrap_or_default();
        let code = reply.get("errcode").and_then(serde_json::Value::as_i64).unwrap_or(0);
        if !status.is_success() || code != 0 {
            let said = reply.get("errmsg").and_then(serde_json::Value::as_str).unwrap_or("");
            return Err(format!("群机器人拒收：HTTP {} errcode {code} {said}", status.as_u16()));
        }
        Ok(())
    }
}

/// A reqwest error without the webhook's address (its key is a secret of the group).
fn without_url(e: &reqwest::Error) -> String {
    let mut words = e.to_string();
    if let Some(url) = e.url() {
        words = words.replace(url.as_str(), "（地址略）");
    }
    words
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// 钉钉's 加签: the millisecond timestamp, and base64(HMAC-SHA256(secret, "timestamp\nsecret")).
pub fn dingtalk_sign(secret: &str, now: time::OffsetDateTime) -> (i64, String) {
    let timestamp = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    let sign = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (timestamp, sign)
}

/// The campus date and hour now (UTC+8).
fn campus_now() -> (Date, u8) {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8));
    (now.date(), now.hour())
}

/// Runs the sender until the server stops: at once after each change, else every
/// `poll_seconds`; the daily run once a day from `digest_hour`.
pub async fn run(db: Db, config: std::sync::Arc<Config>) {
    let sender = match Sender::new(&config) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "the outbox's sender cannot start: e-mail is off, messages stay in the app");
            db.set_mail_on(false);
            return;
        }
    };
    let poll = Duration::from_secs(config.mail.poll_seconds);
    let mut daily_done: Option<Date> = None;
    loop {
        let (today, hour) = campus_now();
        if config.mail.digest && hour >= config.mail.digest_hour && daily_done != Some(today) {
            match daily(&db, &config, today).await {
                Ok(n) => {
                    daily_done = Some(today);
                    tracing::info!(messages = n, "daily digest and reminders queued");
                }
                Err(e) => tracing::warn!(error = %e, "the daily digest failed; tried again later"),
            }
        }
        loop {
            match sender.send_due(&db).await {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "the outbox could not be read");
                    break;
                }
            }
        }
        tokio::select! {
            _ = db.written() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// Queues the day's digest and time-bound reminders for `today`; returns how many accounts they
/// reached (0 on a second run the same day).
pub async fn daily(db: &Db, config: &Config, today: Date) -> anyhow::Result<usize> {
    let mail_on = db.mail_on();
    let digest = if mail_on { Mail::Digest } else { Mail::Off };
    let event = Mail::event(mail_on);
    let mut reached = 0;

    // Each secretary: measures due within 7 days or overdue.
    let due = db::notify::due_measures(&db.read, today).await?;
    let mut by_branch: Vec<(BranchId, Vec<(String, Date)>)> = Vec::new();
    for (branch, text, deadline) in due {
        match by_branch.last_mut() {
            Some((b, list)) if *b == branch => list.push((text, deadline)),
            _ => by_branch.push((branch, vec![(text, deadline)])),
        }
    }
    // Terms ended or ending, per committee (按期换届提醒).
    let Some(campaign) = db::campaigns::current(db).await? else {
        return Ok(0);
    };
    let checked = db::profiles::checked(db, crate::auth::Scope::campus(), campaign.id).await?;
    let units = db::notify::branch_names(&db.read).await?;
    let mut terms: Vec<(CommitteeId, BranchId, String, Date)> = Vec::new();
    for c in &checked {
        if let Some(d) = crate::domain::hints::election_due(&c.profile, today, &config.hints)
            && let Some((committee, name)) = units
                .iter()
                .find(|(id, _, _)| *id == c.branch_id)
                .map(|(_, c, n)| (*c, n))
        {
            terms.push((committee, c.branch_id, name.clone(), d.ends_on));
        }
    }
    let queues = db::notify::reviewer_queues(&db.read).await?;
    let deliveries = db::notify::undelivered(&db.read, campaign.id).await?;

    let key = format!("digest:{}", crate::domain::dates::format_date(today));
    reached += db
        .write(async |tx| {
            let mut n = 0;
            for (branch, list) in &by_branch {
                let lines: Vec<DueMeasure> = list.iter().map(|(t, d)| DueMeasure { text: t, deadline: *d }).collect();
                if let Some(m) = notify::secretary_digest(*branch, &lines, today) {
                    n += db::notify::enqueue(tx, &key, Audience::Keepers(*branch), &m, digest).await?;
                }
            }
            let mut seen = Vec::new();
            for (committee, _, ledgers, close_outs) in &queues {
                if seen.contains(committee) {
                    continue;
                }
                seen.push(*committee);
                let terms_due = terms.iter().filter(|t| t.0 == *committee).count() as i64;
                let q = Queue {
                    ledgers: *ledgers,
                    close_outs: *close_outs,
                    terms_due,
                };
                if let Some(m) = notify::reviewer_digest(*committee, q) {
                    n += db::notify::enqueue(tx, &key, Audience::Reviewers(*committee), &m, digest).await?;
                }
            }
            // 附件3 and 报送: from 3 days before the deadline, each day until delivered.
            for committee in &deliveries {
                if crate::domain::dates::days_left(campaign.report_due, today) <= 3 {
                    let e = Event::DeliveryDue {
                        committee: *committee,
                        due: campaign.report_due,
                        today,
                    };
                    n += db::notify::enqueue(tx, &format!("{key}:delivery"), e.audience(), &e.message(), event).await?;
                }
            }
            // A term: once when it enters the window (then in the digest's count).
            for (committee, branch, name, ends_on) in &terms {
                let e = Event::TermDue {
                    committee: *committee,
                    branch: *branch,
                    name,
                    ends_on: *ends_on,
                    today,
                };
                let once = format!("term:{}:{}", branch.0, crate::domain::dates::format_date(*ends_on));
                n += db::notify::enqueue(tx, &once, e.audience(), &e.message(), event).await?;
            }
            Ok::<usize, anyhow::Error>(n)
        })
        .await?;
    Ok(reached)
}
