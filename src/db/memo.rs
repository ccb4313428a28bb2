//! Read results kept while the database is unchanged.
//!
//! A memo is stamped with the write generation read *before* the data (see [`Db::generation`]).
//! Every write goes through [`Db::write`], which advances the generation after its commit and
//! before it returns: a read that starts after a write returned finds every memo older than the
//! write and reads again; a write that lands while data is being read makes the stamp old at
//! once, so a memo never serves data older than its stamp.
//! Only this process's writes count; that is why memos hold only what the web application
//! alone changes (campaigns and their ledger, progress sums and counts), never accounts, which
//! the `duizhang user` command may change beside a running server.
//!
//! While users keep saving, every memo is read afresh after each save, so the pages must be
//! quick without them too (BENCHMARKS.md measures both); they spare the database the repeated
//! views in between.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use super::campaigns::Campaign;
use super::ledger::{CategoryRow, ItemRow};
use super::progress::BranchProgress;
use super::review::Waiting;
use super::{Db, Generation};
use crate::auth::Scope;
use crate::domain::{CampaignId, CommitteeId};
use time::Date;

/// The memos of one database.
#[derive(Default)]
pub struct Memos {
    pub(super) current_campaign: Memo<(), Option<Campaign>>,
    pub(super) categories: Memo<CampaignId, Vec<CategoryRow>>,
    pub(super) items: Memo<CampaignId, Vec<ItemRow>>,
    /// The navigation's badges, asked on every page view of secretaries and reviewers.
    pub(super) waiting: Memo<(Scope, CampaignId), Waiting>,
    /// A committee page's table and its queue counts.
    pub(super) progress: Memo<(Scope, CampaignId, Date), Vec<BranchProgress>>,
    pub(super) queue_counts: Memo<(CommitteeId, CampaignId, Date), (i64, i64)>,
    /// Branches' data and their answers to the items it checks, for the lists' flags.
    pub(super) checked: Memo<(Scope, CampaignId), Vec<super::profiles::Checked>>,
    /// The campus overview (refreshed by patching, see [`super::overview`]).
    pub(super) campus: Memo<(Scope, CampaignId, Date), super::overview::Campus>,
}

impl std::fmt::Debug for Memos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memos")
    }
}

pub struct Memo<K, V> {
    slots: Mutex<HashMap<K, (Generation, Arc<V>)>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    /// The value for `key` if it was read at the database's current generation, else what
    /// `load` reads now (kept for the next caller).
    pub async fn get_or_load<E, F, Fut>(&self, db: &Db, key: K, load: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        self.get_or_refresh(db, key, async |_| load().await).await
    }

    /// The same, but `refresh` is given the value last kept for `key` (read at an older
    /// generation), for a memo that can bring an old value up to date for less than reading
    /// it whole (the campus overview).
    pub async fn get_or_refresh<E>(
        &self, db: &Db, key: K, refresh: impl AsyncFnOnce(Option<Arc<V>>) -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let generation = db.generation();
        let last = self.slots.lock().expect("not poisoned").get(&key).cloned();
        if let Some((g, value)) = &last
            && *g == generation
        {
            return Ok(value.clone());
        }
        let value = Arc::new(refresh(last.map(|(_, v)| v)).await?);
        let mut slots = self.slots.lock().expect("not poisoned");
        // Entries of older generations can never be served again.
        slots.retain(|_, (g, _)| *g == generation);
        slots.insert(key, (generation, value.clone()));
        Ok(value)
    }
}
