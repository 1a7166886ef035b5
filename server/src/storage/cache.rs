//! A cache of physical entries (still encrypted) in front of a store, as Vault's physical
//! cache is: reads the cache can answer never reach the database. Misses are cached too,
//! so lookups of absent keys (unknown tokens) are cheap as well.
//!
//! Consistency: a read that misses fills the cache only if no write to that key's shard
//! happened while it was reading, decided under the same lock the writer takes to update
//! the cache after committing. So a slow reader can never put an old value back over a
//! newer one. Every write goes through this layer; when several servers share one
//! database only the active one serves, and it must `purge` when it becomes active.

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::{Physical, StorageError, TxnOp};
use crate::audit::records::AuditRecords;

const SHARDS: usize = 64;
/// Per-entry bookkeeping counted against the capacity, beside key and value bytes.
const ENTRY_OVERHEAD: u64 = 64;

type Entry = Option<Arc<[u8]>>;

#[derive(Clone)]
struct ByteWeighter;

impl Weighter<String, Entry> for ByteWeighter {
    fn weight(&self, key: &String, value: &Entry) -> u64 {
        key.len() as u64 + value.as_ref().map_or(0, |v| v.len() as u64) + ENTRY_OVERHEAD
    }
}

pub struct CachedPhysical {
    inner: Arc<dyn Physical>,
    cache: Cache<String, Entry, ByteWeighter>,
    /// Write generation per shard of the key space.
    generations: Box<[Mutex<u64>]>,
    hasher: std::collections::hash_map::RandomState,
}

impl CachedPhysical {
    /// Cache up to about `capacity_bytes` of entries in front of `inner`.
    pub fn new(inner: Arc<dyn Physical>, capacity_bytes: u64) -> Self {
        CachedPhysical {
            inner,
            cache: Cache::with_weighter(16 * 1024, capacity_bytes.max(ENTRY_OVERHEAD), ByteWeighter),
            generations: (0..SHARDS).map(|_| Mutex::new(0)).collect(),
            hasher: Default::default(),
        }
    }

    /// Forget everything cached (e.g. when another server may have written).
    pub fn purge(&self) {
        self.cache.clear();
    }

    fn generation(&self, key: &str) -> &Mutex<u64> {
        &self.generations[(self.hasher.hash_one(key) as usize) % SHARDS]
    }

    /// After a committed write: bump the shard's generation and record the new state.
    fn written(&self, key: &str, value: Entry) {
        let mut generation = self.generation(key).lock().unwrap_or_else(|p| p.into_inner());
        *generation += 1;
        self.cache.insert(key.to_string(), value);
    }

    /// After a write that may or may not have committed: the state is unknown, so drop it.
    fn unknown(&self, key: &str) {
        let mut generation = self.generation(key).lock().unwrap_or_else(|p| p.into_inner());
        *generation += 1;
        self.cache.remove(key);
    }
}

#[async_trait]
impl Physical for CachedPhysical {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        if let Some(entry) = self.cache.get(key) {
            return Ok(entry.map(|v| v.to_vec()));
        }
        let started = *self.generation(key).lock().unwrap_or_else(|p| p.into_inner());
        let value = self.inner.get(key).await?;
        let generation = self.generation(key).lock().unwrap_or_else(|p| p.into_inner());
        if *generation == started {
            self.cache.insert(key.to_string(), value.as_deref().map(Arc::from));
        }
        Ok(value)
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        match self.inner.put(key, value).await {
            Ok(()) => {
                self.written(key, Some(Arc::from(value)));
                Ok(())
            }
            Err(err) => {
                self.unknown(key);
                Err(err)
            }
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.inner.delete(key).await {
            Ok(()) => {
                self.written(key, None);
                Ok(())
            }
            Err(err) => {
                self.unknown(key);
                Err(err)
            }
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        self.inner.list(prefix).await
    }

    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        let keys: Vec<(String, Entry)> =
            ops.iter().map(|op| (op.key().to_string(), op.value().map(Arc::from))).collect();
        // A whole folder's keys are not known here: forget everything (it is rare).
        let whole_folders = ops.iter().any(|op| matches!(op, TxnOp::DeletePrefix { .. }));
        let result = self.inner.transaction(ops).await;
        if whole_folders {
            for generation in self.generations.iter() {
                *generation.lock().unwrap_or_else(|p| p.into_inner()) += 1;
            }
            self.cache.clear();
            return result;
        }
        for (key, value) in keys {
            match &result {
                Ok(()) => self.written(&key, value),
                Err(_) => self.unknown(&key),
            }
        }
        result
    }

    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    /// The trail is not cached: it bypasses this layer entirely.
    fn audit_records(&self) -> Result<Arc<dyn AuditRecords>, StorageError> {
        self.inner.audit_records()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::InmemStorage;

    #[tokio::test]
    async fn passes_the_storage_suite() {
        let store = CachedPhysical::new(Arc::new(InmemStorage::new()), 1 << 20);
        crate::storage::suite::run(&store).await;
    }

    /// A store whose reads can be held back, to interleave a slow read with a write.
    struct SlowReads {
        inner: InmemStorage,
        gate: tokio::sync::Mutex<()>,
    }

    #[async_trait]
    impl Physical for SlowReads {
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
            let value = self.inner.get(key).await;
            let _wait = self.gate.lock().await;
            value
        }
        async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
            self.inner.put(key, value).await
        }
        async fn delete(&self, key: &str) -> Result<(), StorageError> {
            self.inner.delete(key).await
        }
        async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
            self.inner.list(prefix).await
        }
        async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
            self.inner.transaction(ops).await
        }
        fn kind(&self) -> &'static str {
            "slow"
        }
    }

    #[tokio::test]
    async fn a_slow_read_never_caches_a_value_older_than_a_write() {
        let slow = Arc::new(SlowReads { inner: InmemStorage::new(), gate: tokio::sync::Mutex::new(()) });
        slow.inner.put("k", b"old").await.unwrap();
        let cached = Arc::new(CachedPhysical::new(slow.clone(), 1 << 20));

        let held = slow.gate.lock().await;
        let reader = {
            let cached = cached.clone();
            tokio::spawn(async move { cached.get("k").await.unwrap() })
        };
        tokio::task::yield_now().await;
        cached.put("k", b"new").await.unwrap();
        drop(held);
        assert_eq!(reader.await.unwrap().as_deref(), Some(&b"old"[..]), "the read began before the write");
        assert_eq!(cached.get("k").await.unwrap().as_deref(), Some(&b"new"[..]), "but did not cache it");
    }

    #[tokio::test]
    async fn answers_repeat_reads_and_misses_from_memory() {
        let slow = Arc::new(SlowReads { inner: InmemStorage::new(), gate: tokio::sync::Mutex::new(()) });
        slow.inner.put("k", b"v").await.unwrap();
        let cached = CachedPhysical::new(slow.clone(), 1 << 20);
        assert!(cached.get("k").await.unwrap().is_some());
        assert!(cached.get("absent").await.unwrap().is_none());
        // Behind the cache's back: the cache still answers (and purge forgets).
        slow.inner.delete("k").await.unwrap();
        slow.inner.put("absent", b"x").await.unwrap();
        assert!(cached.get("k").await.unwrap().is_some());
        assert!(cached.get("absent").await.unwrap().is_none());
        cached.purge();
        assert!(cached.get("k").await.unwrap().is_none());
        assert!(cached.get("absent").await.unwrap().is_some());
    }
}
