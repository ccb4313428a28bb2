//! Stored failed-login counters (rules in domain::throttle).

use sqlx::Sqlite;

use super::Db;

use crate::domain::throttle::{Counter, MAX_WINDOW_SECS};

async fn load<'e>(e: impl sqlx::Executor<'e, Database = Sqlite>, key: &str) -> sqlx::Result<Counter> {
    let row: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT failures, window_started, locked_until FROM login_throttle WHERE key = ?")
            .bind(key)
            .fetch_optional(e)
            .await?;
    Ok(row
        .map(|(failures, window_started, locked_until)| Counter {
            failures,
            window_started,
            locked_until,
        })
        .unwrap_or_default())
}

/// Applies `next` to each key's stored counter inside one write transaction, so that concurrent
/// attempts are all counted, and returns the counters as they were before.
pub async fn update(db: &Db, keys: &[&str], next: impl Fn(usize, Counter) -> Counter) -> sqlx::Result<Vec<Counter>> {
    db.write(async |tx| {
        let mut before = Vec::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            let current = load(&mut *tx, key).await?;
            let c = next(i, current);
            if c != current {
                store(tx, key, c).await?;
            }
            before.push(current);
        }
        Ok(before)
    })
    .await
}

/// The same for exactly three keys decided together (domain::throttle::charge); returns the
/// counters as stored now.
pub async fn update_all(
    db: &Db, keys: &[&str], decide: impl FnOnce([Counter; 3]) -> [Counter; 3],
) -> sqlx::Result<[Counter; 3]> {
    db.write(async |tx| {
        let mut current = [Counter::default(); 3];
        for (slot, key) in current.iter_mut().zip(keys) {
            *slot = load(&mut *tx, key).await?;
        }
        let next = decide(current);
        for ((key, c), old) in keys.iter().zip(next).zip(current) {
            if c != old {
                store(tx, key, c).await?;
            }
        }
        Ok(next)
    })
    .await
}

async fn store(conn: &mut sqlx::SqliteConnection, key: &str, c: Counter) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_started, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
             window_started = excluded.window_started, locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(c.failures)
    .bind(c.window_started)
    .bind(c.locked_until)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear(db: &Db, key: &str) -> sqlx::Result<()> {
    db.write(async |tx| {
        sqlx::query("DELETE FROM login_throttle WHERE key = ?")
            .bind(key)
            .execute(tx)
            .await
    })
    .await?;
    Ok(())
}

/// Deletes counters whose window and lock are over: the table stays small whatever is sent.
pub async fn sweep(db: &Db, now: i64) -> sqlx::Result<u64> {
    let done = db
        .write(async |tx| {
            sqlx::query("DELETE FROM login_throttle WHERE locked_until <= ?1 AND window_started <= ?1 - ?2")
                .bind(now)
                .bind(MAX_WINDOW_SECS)
                .execute(tx)
                .await
        })
        .await?;
    Ok(done.rows_affected())
}
