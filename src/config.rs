//! Typed configuration: `config.toml` (or `--config PATH`), then environment overrides.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    #[serde(default = "default_database")]
    pub database: PathBuf,
    #[serde(default = "default_true")]
    pub secure_cookies: bool,
    #[serde(default)]
    pub trust_forwarded_for: bool,
    #[serde(default = "default_idle")]
    pub session_idle_minutes: i64,
    #[serde(default = "default_absolute")]
    pub session_absolute_hours: i64,
    #[serde(default = "default_static")]
    pub static_dir: PathBuf,
    /// The university's name, as the exports' titles print it (附件2: "<name>党支部对账整改…").
    #[serde(default = "default_institution")]
    pub institution: String,
    /// When the hints from a branch's data are due (domain::hints).
    #[serde(default)]
    pub hints: crate::domain::hints::Thresholds,
    /// The address users reach the system at, without a trailing slash
    /// (`https://dj.example.edu.cn`): documents print their verification address from it (and
    /// messages will link to it). Empty: documents print the path (/verify) only.
    #[serde(default)]
    pub public_url: String,
    /// A connection that has not sent a request's whole head within this many seconds (a new
    /// one, or one idle between requests) is closed.
    #[serde(default = "default_header_timeout")]
    pub header_timeout_seconds: u64,
    /// At most this many connections are open at once; more are closed at once.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// E-mail and the outbox's sender (issue 20).
    #[serde(default)]
    pub mail: MailConfig,
}

/// `[mail]`: where e-mail goes out, and how the outbox's sender behaves. Without `smtp_url`
/// e-mail is off (the in-app list and the committees' robots work as ever).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host:465` (TLS); empty: e-mail off. Env `DUIZHANG_SMTP_URL`.
    #[serde(default)]
    pub smtp_url: String,
    /// The sender address. Env `DUIZHANG_MAIL_FROM`.
    #[serde(default = "default_from")]
    pub from: String,
    /// Whether the server queues the daily digest itself (false: `duizhang digest` from cron).
    #[serde(default = "default_true")]
    pub digest: bool,
    /// The campus hour (0–23, UTC+8) the daily digest goes out at.
    #[serde(default = "default_digest_hour")]
    pub digest_hour: u8,
    /// A failed send is tried again after this many seconds, doubling up to an hour …
    #[serde(default = "default_retry_seconds")]
    pub retry_seconds: i64,
    /// … and marked failed after this many attempts.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: i64,
    /// The sender looks for due messages at least this often (and at once after a change).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
}

fn default_header_timeout() -> u64 {
    20
}
fn default_max_connections() -> usize {
    512
}

fn default_from() -> String {
    "duizhang@localhost".into()
}
fn default_digest_hour() -> u8 {
    8
}
fn default_retry_seconds() -> i64 {
    60
}
fn default_max_attempts() -> i64 {
    8
}
fn default_poll_seconds() -> u64 {
    30
}

impl Default for MailConfig {
    fn default() -> Self {
        toml::from_str("").expect("all fields have defaults")
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 3000))
}
fn default_database() -> PathBuf {
    PathBuf::from("data/duizhang.db")
}
fn default_true() -> bool {
    true
}
fn default_idle() -> i64 {
    30
}
fn default_absolute() -> i64 {
    12
}
fn default_static() -> PathBuf {
    PathBuf::from("static")
}
fn default_institution() -> String {
    "潍坊学院".into()
}

impl Default for Config {
    fn default() -> Self {
        toml::from_str("").expect("all fields have defaults")
    }
}

impl Config {
    /// Reads `path` if it exists (a missing default `config.toml` is not an error; a missing
    /// explicitly named file is), then applies the `DUIZHANG_*` environment overrides.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("config.toml"), false),
        };
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<Config>(&text).with_context(|| format!("reading {}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Config::default(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        config.apply_env(|key| std::env::var(key).ok())?;
        config.validate()?;
        Ok(config)
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = var("DUIZHANG_LISTEN") {
            self.listen = v
                .parse()
                .with_context(|| format!("DUIZHANG_LISTEN={v} is not an address like 127.0.0.1:3000"))?;
        }
        if let Some(v) = var("DUIZHANG_DATABASE") {
            self.database = PathBuf::from(v);
        }
        if let Some(v) = var("DUIZHANG_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = var("DUIZHANG_SMTP_URL") {
            self.mail.smtp_url = v;
        }
        if let Some(v) = var("DUIZHANG_MAIL_FROM") {
            self.mail.from = v;
        }
        if let Some(v) = var("DUIZHANG_SECURE_COOKIES") {
            self.secure_cookies = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => bail!("DUIZHANG_SECURE_COOKIES={v} must be true or false"),
            };
        }
        Ok(())
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.session_idle_minutes < 1 || self.session_absolute_hours < 1 {
            bail!("session_idle_minutes and session_absolute_hours must be at least 1");
        }
        if self.institution.trim().is_empty() || self.institution.chars().count() > 40 {
            bail!("institution must be the university's name (1 to 40 characters)");
        }
        if let Some(problem) = self.hints.problem() {
            bail!("{problem}");
        }
        if self.header_timeout_seconds < 1 || self.max_connections < 1 {
            bail!("header_timeout_seconds and max_connections must be at least 1");
        }
        let m = &self.mail;
        let transport_named = m.smtp_url.starts_with("smtp://") || m.smtp_url.starts_with("smtps://");
        if !(m.smtp_url.is_empty() || transport_named) {
            bail!(
                "DUIZHANG_SMTP_URL / [mail] smtp_url must start with smtp:// or smtps:// (got {})",
                m.smtp_url
            );
        }
        if m.from.parse::<lettre::message::Mailbox>().is_err() {
            bail!("DUIZHANG_MAIL_FROM / [mail] from ({}) is not an e-mail address", m.from);
        }
        if m.digest_hour > 23 || m.retry_seconds < 1 || m.max_attempts < 1 || m.poll_seconds < 1 {
            bail!("[mail]: digest_hour is 0–23; retry_seconds, max_attempts and poll_seconds are at least 1");
        }
        // Printed in every document's footer: short enough for a portrait page's footer line
        // (and a spreadsheet footer's 255 characters), and an address a path can follow.
        let url = &self.public_url;
        if !url.is_empty()
            && (!(url.starts_with("https://") || url.starts_with("http://"))
                || url.ends_with('/')
                || url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "?#&\"<>".contains(c))
                || url.len() > 60)
        {
            bail!(
                "public_url ({url}) must be an address like https://dj.example.edu.cn: at most 60 characters, no trailing slash, query or fragment"
            );
        }
        Ok(())
    }

    /// The verification page's address as documents print it.
    pub fn verify_url(&self) -> String {
        format!("{}/verify", self.public_url)
    }

    /// `__Host-` cookies must be Secure, so the prefix is used only when cookies are.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-id"
        } else {
            "duizhang_id"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_file() {
        let mut c: Config = toml::from_str("listen = \"127.0.0.1:9\"\nsecure_cookies = true").unwrap();
        c.apply_env(|k| match k {
            "DUIZHANG_LISTEN" => Some("127.0.0.1:0".into()),
            "DUIZHANG_SECURE_COOKIES" => Some("false".into()),
            "DUIZHANG_DATABASE" => Some("/tmp/x.db".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.listen.port(), 0);
        assert!(!c.secure_cookies);
        assert_eq!(c.database, PathBuf::from("/tmp/x.db"));
    }

    #[test]
    fn bad_override_is_an_error_not_a_default() {
        let mut c = Config::default();
        assert!(
            c.apply_env(|k| (k == "DUIZHANG_SECURE_COOKIES").then(|| "maybe".into()))
                .is_err()
        );
        assert!(
            c.apply_env(|k| (k == "DUIZHANG_LISTEN").then(|| "nowhere".into()))
                .is_err()
        );
    }

    #[test]
    fn the_public_address_comes_from_the_environment_and_must_be_an_address() {
        let mut c = Config::default();
        assert_eq!(c.verify_url(), "/verify");
        c.apply_env(|k| (k == "DUIZHANG_PUBLIC_URL").then(|| "https://dj.example.edu.cn".into()))
            .unwrap();
        c.validate().unwrap();
        assert_eq!(c.verify_url(), "https://dj.example.edu.cn/verify");
        let long = format!("https://{}.cn", "a".repeat(60));
        for bad in [
            "dj.example.edu.cn",
            "https://dj.example.edu.cn/",
            "https://a b",
            "https://x?a=1",
            &long,
        ] {
            c.public_url = bad.into();
            assert!(c.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn shipped_config_file_parses() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml")).unwrap();
        let c: Config = toml::from_str(&text).unwrap();
        assert_eq!(c.listen.port(), 3000);
        assert_eq!(c.hints, crate::domain::hints::Thresholds::default());
    }
}
