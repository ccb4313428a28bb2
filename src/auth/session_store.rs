//! Sessions in SQLite, read through the read pool and written through the one-connection write
//! pool. Every write to the database must go through that single connection: a write from
//! another connection commits between a write transaction's first read and its first write, and
//! SQLite then refuses that transaction with SQLITE_BUSY_SNAPSHOT ("database is locked"), which
//! no busy timeout cures. Loading a session, the one store call every request makes, stays on
//! the read pool.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::SqliteStore;

use crate::db::Db;

#[derive(Debug, Clone)]
pub struct SplitStore {
    read: SqliteStore,
    write: SqliteStore,
}

impl SplitStore {
    pub fn new(db: &Db) -> Self {
        SplitStore {
            read: SqliteStore::new(db.read.clone()),
            write: SqliteStore::new(db.write.clone()),
        }
    }

    /// The store whose deletes of expired sessions go through the write pool.
    pub fn writer(&self) -> SqliteStore {
        self.write.clone()
    }
}

#[async_trait]
impl SessionStore for SplitStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.write.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.read.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.write.delete(id).await
    }
}
