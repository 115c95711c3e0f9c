//! A request reads each row by id once: a key that an earlier batch of the same request loaded,
//! or is still loading, waits for that batch instead of being queried again.
//!
//! Without it, a relation met at two depths of one query (a lead's owner, then its account's
//! owner once the accounts are in) cost one statement or two depending on timing: the second
//! depth's keys joined the first depth's batch when its 1 ms window had not closed yet, and made
//! a batch of their own otherwise (or when it was in flight, or done: the loaders cache
//! nothing). Loaders live for one request, so what they remember is what that request read.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::dataloader::Loader;
use futures_util::{
    future::{BoxFuture, Shared},
    FutureExt,
};
use uuid::Uuid;

use crate::error::AppError;

type Rows<V> = Result<Arc<HashMap<Uuid, V>>, Arc<AppError>>;
type Batch<V> = Shared<BoxFuture<'static, Rows<V>>>;

/// `L`, each key loaded at most once per request.
pub struct Memo<L: Loader<Uuid>> {
    inner: Arc<L>,
    /// Every key asked for so far, with the batch that loads (or loaded) it.
    batches: Mutex<HashMap<Uuid, Batch<L::Value>>>,
}

impl<L: Loader<Uuid>> Memo<L> {
    pub fn new(inner: L) -> Self {
        Self {
            inner: Arc::new(inner),
            batches: Mutex::default(),
        }
    }
}

impl<L> Loader<Uuid> for Memo<L>
where
    L: Loader<Uuid, Error = Arc<AppError>>,
{
    type Value = L::Value;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, L::Value>, Arc<AppError>> {
        let waits = {
            let mut batches = self.batches.lock().unwrap_or_else(|p| p.into_inner());
            let fresh: Vec<Uuid> = keys
                .iter()
                .filter(|key| !batches.contains_key(*key))
                .copied()
                .collect();
            if !fresh.is_empty() {
                let inner = Arc::clone(&self.inner);
                let wanted = fresh.clone();
                let batch = async move { inner.load(&wanted).await.map(Arc::new) }
                    .boxed()
                    .shared();
                for key in fresh {
                    batches.insert(key, batch.clone());
                }
            }
            let mut waits: Vec<Batch<L::Value>> = Vec::new();
            for batch in keys.iter().filter_map(|key| batches.get(key)) {
                if !waits.iter().any(|known| known.ptr_eq(batch)) {
                    waits.push(batch.clone());
                }
            }
            waits
        };
        let mut found = HashMap::with_capacity(keys.len());
        for batch in waits {
            let rows = batch.await?;
            for key in keys {
                if let Some(row) = rows.get(key) {
                    found.insert(*key, row.clone());
                }
            }
        }
        Ok(found)
    }
}
