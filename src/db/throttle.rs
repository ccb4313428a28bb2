//! Stored failed-login counters (rules in domain::throttle).

use sqlx::{Sqlite, SqlitePool};

use crate::domain::throttle::Counter;

pub async fn get(pool: &SqlitePool, key: &str) -> sqlx::Result<Counter> {
    load(pool, key).await
}

async fn load<'e>(
    e: impl sqlx::Executor<'e, Database = Sqlite>,
    key: &str,
) -> sqlx::Result<Counter> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT failures, window_started, locked_until FROM login_throttle WHERE key = ?",
    )
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

/// Counts one more failure for `key` with `next`, computed from the stored counter inside the
/// same write transaction so that concurrent failures are all counted.
pub async fn record_failure(
    write: &SqlitePool,
    key: &str,
    next: impl FnOnce(Counter) -> Counter,
) -> sqlx::Result<Counter> {
    let mut tx = write.begin().await?;
    let c = next(load(&mut *tx, key).await?);
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_started, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
             window_started = excluded.window_started, locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(c.failures)
    .bind(c.window_started)
    .bind(c.locked_until)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(c)
}

pub async fn clear(write: &SqlitePool, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE key = ?")
        .bind(key)
        .execute(write)
        .await?;
    Ok(())
}
