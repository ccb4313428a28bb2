//! The only place with SQL. One module per aggregate; every query on branch-owned rows takes a
//! `Scope` and applies it in SQL, so a row outside the user's scope is simply not found.
//!
//! SQLite settings (measured in STACK-NOTES.md): WAL so readers never wait for the writer;
//! busy_timeout 5 s; foreign keys on; `synchronous = NORMAL` — with WAL a committed write
//! survives a process crash, and only the last moments before a power loss can be lost, which
//! the nightly `duizhang backup` covers. All write transactions go through a one-connection
//! pool, because deferred transactions on a shared pool fail with SQLITE_BUSY_SNAPSHOT under
//! concurrent writers, which busy_timeout does not cure.

pub mod admin;
pub mod audit;
pub mod campaigns;
pub mod codes;
pub mod deliveries;
pub mod documents;
pub mod evidence;
pub mod exports;
pub mod findings;
pub mod generate;
pub mod inspections;
pub mod ledger;
pub mod ledger_admin;
pub mod look_backs;
pub mod measures;
pub mod meetings;
pub mod memo;
pub mod notify;
pub mod overview;
pub mod practices;
pub mod profiles;
pub mod progress;
pub mod reports;
pub mod results;
pub mod review;
pub mod schedule;
pub mod scope;
pub mod self_checks;
pub mod throttle;
pub mod units;
pub mod users;
pub mod work;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use sqlx::SqliteConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The two pools: `read` for queries, and one connection for every write, reached only through
/// [`Db::write`] (and the session store, see auth::session_store).
#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    writer: SqlitePool,
    /// Counts the committed writes: a memo stamped with it is current while it is unchanged
    /// (see [`memo`]).
    writes: Arc<AtomicU64>,
    /// The memos of this database (each `Db::open` has its own, shared by its clones).
    memos: Arc<memo::Memos>,
    /// The outbox's sender: whether e-mail is sent at all, and its wake-up after a write.
    outbox: Arc<notify::Signal>,
}

/// How many writes the database had committed: equal means nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation(u64);

impl Db {
    /// Opens (creating if missing) and migrates the database file.
    pub async fn open(path: &Path) -> anyhow::Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        // The one write connection lives as long as the process: nothing depends on when the
        // pool would retire or replace it.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("opening database {}", path.display()))?;
        MIGRATOR.run(&writer).await.context("migrating the database")?;
        forget_stat4_samples(&mut *writer.acquire().await?)
            .await
            .context("clearing sqlite_stat4")?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Db {
            read,
            writer,
            writes: Arc::default(),
            memos: Arc::default(),
            outbox: Arc::default(),
        })
    }

    /// The one way to change the database: runs `change` in a write transaction, commits it
    /// if `change` returns `Ok` (rolls it back on `Err`: a refused step leaves nothing
    /// behind), and advances the generation before returning, so every read that starts after
    /// this returns sees the change and no memo serves what was there before.
    pub async fn write<T, E>(&self, change: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<sqlx::Error>,
    {
        let mut tx = self.writer.begin().await?;
        match change(&mut tx).await {
            Ok(value) => {
                tx.commit().await?;
                self.writes.fetch_add(1, Ordering::SeqCst);
                // The change may have queued messages: the sender looks now, not at its next tick.
                self.outbox.wake.notify_one();
                Ok(value)
            }
            Err(refused) => {
                tx.rollback().await?;
                Err(refused)
            }
        }
    }

    /// Whether e-mail leaves the system (a transport is configured): messages to accounts are
    /// queued for e-mail only then; the in-app list and the robots are kept either way.
    pub fn mail_on(&self) -> bool {
        self.outbox.mail_on.load(Ordering::Relaxed)
    }

    pub fn set_mail_on(&self, on: bool) {
        self.outbox.mail_on.store(on, Ordering::Relaxed);
    }

    /// Resolves when a write has committed since the last call (or at once, if one did): the
    /// outbox's sender waits on it between its ticks.
    pub async fn written(&self) {
        self.outbox.wake.notified().await
    }

    /// The write generation, for caches of read results (see [`Generation`]).
    pub fn generation(&self) -> Generation {
        Generation(self.writes.load(Ordering::SeqCst))
    }

    /// The write pool, for the session store only (tower-sessions writes through it itself;
    /// sessions are never memoised).
    pub(crate) fn session_writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Closes the write connection; the next write opens a new one. For the tests that show
    /// that what a write changes is read at once, whichever connection wrote it.
    pub async fn retire_write_connection(&self) -> sqlx::Result<()> {
        self.writer.acquire().await?.close().await
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.writer.close().await;
    }
}

/// Empties `sqlite_stat4` if an `ANALYZE` left samples there. The bundled SQLite is built with
/// STAT4, and with samples present it re-plans any statement whose bound values it compares
/// with an index: every statement is then parsed and planned again on *every* execution, since
/// binding a parameter marks it expired. Measured on a 1,000-branch campus, that was 45 % of
/// the server's CPU and cut page throughput to a third. `sqlite_stat1` (row counts per index)
/// stays and is enough for this schema's plans.
pub(crate) async fn forget_stat4_samples(write: &mut SqliteConnection) -> sqlx::Result<()> {
    let has_samples: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat4')",
    )
    .fetch_one(&mut *write)
    .await?;
    if has_samples {
        let removed = sqlx::query("DELETE FROM sqlite_stat4")
            .execute(&mut *write)
            .await?
            .rows_affected();
        if removed > 0 {
            tracing::info!(
                removed,
                "removed sqlite_stat4 samples (they make SQLite re-plan every statement)"
            );
            // Connections read the statistics when they open: the read pool opens after this.
            sqlx::query("ANALYZE sqlite_schema").execute(&mut *write).await?;
        }
    }
    Ok(())
}

/// Writes a consistent copy of the live database to `target` (SQLite's `VACUUM INTO`, which
/// reads one snapshot, so the server may keep writing meanwhile). Refuses to overwrite.
pub async fn backup(db: &Db, target: &Path) -> anyhow::Result<()> {
    if target.exists() {
        anyhow::bail!("{} already exists; choose a new file name", target.display());
    }
    let target = target.to_str().context("backup path must be valid UTF-8")?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&db.read)
        .await
        .context("VACUUM INTO")?;
    Ok(())
}

/// Rows that SQLite handed over as one JSON array (`json_group_array(json_object(…))`), for
/// the long lists of the busiest pages. sqlx passes every row from its worker thread to the
/// task on its own and copies each value; for a ledger's hundred-odd measures that cost several
/// times the query itself, while one JSON text costs one hand-over and a parse.
pub(crate) fn json_rows<T: serde::de::DeserializeOwned>(json: &str) -> sqlx::Result<Vec<T>> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

// Dates as the database stores them ("2022-10-20"), inside such JSON rows.
time::serde::format_description!(json_date, Date, "[year]-[month]-[day]");

/// Whether a database error is a CHECK/UNIQUE/FK violation, i.e. bad input rather than a fault.
pub fn is_constraint_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation() || d.is_check_violation() || d.is_foreign_key_violation())
}

/// The row changed since the user loaded it: their save was not applied (optimistic concurrency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale;
