//! The storage an engine sees: an encrypted key/value space, usually a view under its
//! mount's own prefix so one engine can never read another's entries.

use std::sync::Arc;

use async_trait::async_trait;

use crate::storage::{StorageError, TxnOp};

/// Encrypted storage (the barrier, or a view of it). Keys are `/`-separated paths.
#[async_trait]
pub trait Storage: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError>;
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError>;
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
    /// Immediate children of `prefix`: names, with a trailing `/` for folders, sorted.
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError>;
    /// Apply `ops` (plaintext values) all together or not at all, in one commit: for a
    /// request that changes several entries, such as a KV version and its metadata.
    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError>;
}

/// A [`Storage`] restricted to the keys under one prefix.
#[derive(Clone)]
pub struct StorageView {
    inner: Arc<dyn Storage>,
    prefix: String,
}

impl StorageView {
    /// A view of the keys under `prefix`, a folder (`logical/<uuid>/`). Keys are opaque
    /// strings, never resolved as paths, so the prefix alone confines the view.
    pub fn new(inner: Arc<dyn Storage>, prefix: impl Into<String>) -> Self {
        StorageView { inner, prefix: as_folder(prefix.into()) }
    }

    /// A narrower view under `sub`, relative to this one.
    pub fn sub_view(&self, sub: &str) -> StorageView {
        StorageView { inner: self.inner.clone(), prefix: as_folder(format!("{}{}", self.prefix, sub)) }
    }

    fn full(&self, key: &str) -> Result<String, StorageError> {
        Ok(format!("{}{}", self.prefix, key))
    }
}

/// `a/b` and `a/b/` both mean the folder `a/b/`; without the slash, `a/bc` would be in view.
fn as_folder(mut prefix: String) -> String {
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    prefix
}

#[async_trait]
impl Storage for StorageView {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get(&self.full(key)?).await
    }
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.inner.put(&self.full(key)?, value).await
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.inner.delete(&self.full(key)?).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        self.inner.list(&self.full(prefix)?).await
    }
    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        let ops = ops.into_iter().map(|op| op.map_key(|key| format!("{}{key}", self.prefix))).collect();
        self.inner.transaction(ops).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::InmemLogical;

    #[tokio::test]
    async fn a_view_confines_transactions_to_its_prefix() {
        let inner = Arc::new(InmemLogical::default());
        let view = StorageView::new(inner.clone(), "logical/abc");
        inner.put("logical/other/k", b"theirs").await.unwrap();
        let ops =
            vec![TxnOp::Put { key: "k".into(), value: b"mine".to_vec() }, TxnOp::Delete { key: "../other/k".into() }];
        view.transaction(ops).await.unwrap();
        assert_eq!(inner.get("logical/abc/k").await.unwrap().as_deref(), Some(&b"mine"[..]));
        assert_eq!(inner.get("logical/other/k").await.unwrap().as_deref(), Some(&b"theirs"[..]), "keys are not paths");
    }
}
