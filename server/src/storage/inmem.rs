//! An in-memory physical store for engine unit tests. Not durable, so never offered as a
//! server storage backend.

use std::collections::BTreeMap;
use std::ops::Bound;

use async_trait::async_trait;
use tokio::sync::RwLock;

use super::{Physical, StorageError, TxnOp, keys};

#[derive(Default)]
pub struct InmemStorage {
    entries: RwLock<BTreeMap<String, Vec<u8>>>,
}

impl InmemStorage {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Physical for InmemStorage {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        keys::check(key)?;
        Ok(self.entries.read().await.get(key).cloned())
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        keys::check(key)?;
        self.entries.write().await.insert(key.to_string(), value.to_vec());
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        keys::check(key)?;
        self.entries.write().await.remove(key);
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        keys::check_prefix(prefix)?;
        let entries = self.entries.read().await;
        let upper = match keys::prefix_end(prefix) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        let mut out: Vec<String> = Vec::new();
        for key in entries.range::<String, _>((Bound::Included(prefix.to_string()), upper)).map(|(k, _)| k) {
            let child = keys::child_of(prefix, key);
            if out.last().map(String::as_str) != Some(child) {
                out.push(child.to_string());
            }
        }
        Ok(out)
    }

    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        for op in &ops {
            op.check()?;
        }
        let mut entries = self.entries.write().await;
        if let Some(TxnOp::Create { key, .. }) =
            ops.iter().find(|op| matches!(op, TxnOp::Create { key, .. } if entries.contains_key(key)))
        {
            return Err(StorageError::AlreadyExists(key.clone()));
        }
        for op in ops {
            match op {
                TxnOp::Put { key, value } | TxnOp::Create { key, value } => {
                    entries.insert(key, value);
                }
                TxnOp::Delete { key } => {
                    entries.remove(&key);
                }
                TxnOp::DeletePrefix { prefix } => entries.retain(|k, _| !k.starts_with(&prefix)),
            }
        }
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "inmem"
    }
}

/// In-memory storage as an engine sees it: unencrypted, so only for engine tests.
#[derive(Default)]
pub struct InmemLogical(InmemStorage);

#[async_trait]
impl crate::logical::Storage for InmemLogical {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.0.get(key).await
    }
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.0.put(key, value).await
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.0.delete(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        self.0.list(prefix).await
    }
    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        self.0.transaction(ops).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_storage_suite() {
        crate::storage::suite::run(&InmemStorage::new()).await;
    }
}
