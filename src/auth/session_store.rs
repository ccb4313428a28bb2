//! Sessions in SQLite, read through the read pool and written through the one-connection write
//! pool. Every write to the database must go through that single connection: a write from
//! another connection commits between a write transaction's first read and its first write, and
//! SQLite then refuses that transaction with SQLITE_BUSY_SNAPSHOT ("database is locked"), which
//! no busy timeout cures. Loading a session, the one store call every request makes, is
//! answered from memory: this process writes every session (write-through), so the copy it
//! keeps is the stored one, and only a session it has not seen since start is read from the
//! read pool.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::SqliteStore;

use crate::db::Db;

#[derive(Debug, Clone)]
pub struct SplitStore {
    read: SqliteStore,
    write: SqliteStore,
    cache: Arc<Mutex<HashMap<Id, Record>>>,
}

/// Sessions kept in memory at most; past this the expired ones are dropped, and if that is not
/// enough, all of them (they are then read from the database again as they come back).
const CACHED_SESSIONS: usize = 20_000;

impl SplitStore {
    pub fn new(db: &Db) -> Self {
        SplitStore {
            read: SqliteStore::new(db.read.clone()),
            write: SqliteStore::new(db.session_writer().clone()),
            cache: Arc::default(),
        }
    }

    fn remember(&self, record: &Record) {
        let mut cache = self.cache.lock().expect("not poisoned");
        if cache.len() >= CACHED_SESSIONS {
            let now = OffsetDateTime::now_utc();
            cache.retain(|_, r| r.expiry_date > now);
            if cache.len() >= CACHED_SESSIONS {
                cache.clear();
            }
        }
        cache.insert(record.id, record.clone());
    }

    fn forget(&self, id: &Id) {
        self.cache.lock().expect("not poisoned").remove(id);
    }

    /// The store whose deletes of expired sessions go through the write pool.
    pub fn writer(&self) -> SqliteStore {
        self.write.clone()
    }
}

#[async_trait]
impl SessionStore for SplitStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.write.create(record).await?;
        self.remember(record);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Forget first: if the write fails, the next load reads whatever the database kept.
        self.forget(&record.id);
        self.write.save(record).await?;
        self.remember(record);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let cached = self.cache.lock().expect("not poisoned").get(id).cloned();
        if let Some(record) = cached {
            // The database's load also answers nothing for an expired session.
            return Ok((record.expiry_date > OffsetDateTime::now_utc()).then_some(record));
        }
        let record = self.read.load(id).await?;
        if let Some(record) = &record {
            self.remember(record);
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.forget(id);
        self.write.delete(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[tokio::test]
    async fn sessions_are_served_from_memory_only_while_stored_and_unexpired() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("sessions.db")).await.unwrap();
        let store = SplitStore::new(&db);
        let mut record = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: OffsetDateTime::now_utc() + Duration::minutes(30),
        };
        record.data.insert("user_id".into(), 7.into());
        store.create(&mut record).await.unwrap();
        assert_eq!(store.load(&record.id).await.unwrap(), Some(record.clone()));

        // The database holds what memory holds: a second store (a restarted server) agrees.
        assert_eq!(
            SplitStore::new(&db).load(&record.id).await.unwrap(),
            Some(record.clone())
        );

        // Expired in memory: not served, as the database's load would not serve it.
        record.expiry_date = OffsetDateTime::now_utc() - Duration::seconds(1);
        store.save(&record).await.unwrap();
        assert_eq!(store.load(&record.id).await.unwrap(), None);

        // Deleted: gone from both.
        record.expiry_date = OffsetDateTime::now_utc() + Duration::minutes(30);
        store.save(&record).await.unwrap();
        store.delete(&record.id).await.unwrap();
        assert_eq!(store.load(&record.id).await.unwrap(), None);
        assert_eq!(SplitStore::new(&db).load(&record.id).await.unwrap(), None);
        db.close().await;
    }
}
