//! The physical layer: key → opaque blob, list by prefix, atomic batches. It knows
//! nothing about encryption; the barrier above it encrypts every value it hands down.

mod cache;
mod group_commit;
mod inmem;
mod keys;
mod sql;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

pub use cache::CachedPhysical;
pub use group_commit::WriteStats;
pub use inmem::{InmemLogical, InmemStorage};
pub(crate) use keys::prefix_end;
pub use sql::{SqlStorage, redact_url};
pub use sqlite::SqliteStorage;

use crate::audit::records::AuditRecords;

/// One write in an atomic batch.
#[derive(Clone, Debug)]
pub enum TxnOp {
    Put {
        key: String,
        value: Vec<u8>,
    },
    /// Insert only: the whole batch fails with `AlreadyExists` if the key is present.
    /// This is how two servers sharing a database cannot both initialise it.
    Create {
        key: String,
        value: Vec<u8>,
    },
    Delete {
        key: String,
    },
    /// Every key under a folder (a mount's data when it is disabled).
    DeletePrefix {
        prefix: String,
    },
}

impl TxnOp {
    /// The key (or, for `DeletePrefix`, the folder) the op touches.
    pub fn key(&self) -> &str {
        match self {
            TxnOp::Put { key, .. } | TxnOp::Create { key, .. } | TxnOp::Delete { key } => key,
            TxnOp::DeletePrefix { prefix } => prefix,
        }
    }

    /// The value the key holds after this op, `None` when deleted.
    pub fn value(&self) -> Option<&[u8]> {
        match self {
            TxnOp::Put { value, .. } | TxnOp::Create { value, .. } => Some(value),
            TxnOp::Delete { .. } | TxnOp::DeletePrefix { .. } => None,
        }
    }

    /// The same op on another key (a view adding its prefix).
    pub fn map_key(self, f: impl FnOnce(String) -> String) -> TxnOp {
        match self {
            TxnOp::Put { key, value } => TxnOp::Put { key: f(key), value },
            TxnOp::Create { key, value } => TxnOp::Create { key: f(key), value },
            TxnOp::Delete { key } => TxnOp::Delete { key: f(key) },
            TxnOp::DeletePrefix { prefix } => TxnOp::DeletePrefix { prefix: f(prefix) },
        }
    }

    /// The same op with its value (if any) transformed: the barrier encrypting it.
    pub fn try_map_value<E>(self, f: impl FnOnce(&str, Vec<u8>) -> Result<Vec<u8>, E>) -> Result<TxnOp, E> {
        Ok(match self {
            TxnOp::Put { value, key } => TxnOp::Put { value: f(&key, value)?, key },
            TxnOp::Create { value, key } => TxnOp::Create { value: f(&key, value)?, key },
            other => other,
        })
    }

    /// Check the key (or folder) is one storage accepts.
    pub fn check(&self) -> Result<(), StorageError> {
        match self {
            TxnOp::DeletePrefix { prefix } if prefix.is_empty() => Err(StorageError::InvalidKey(prefix.clone())),
            TxnOp::DeletePrefix { prefix } => keys::check_prefix(prefix),
            other => keys::check(other.key()),
        }
    }
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage backend unavailable: {0}")]
    Unavailable(String),
    #[error("storage backend error: {0}")]
    Backend(String),
    #[error("invalid storage key {0:?}")]
    InvalidKey(String),
    #[error("storage key {0:?} already exists")]
    AlreadyExists(String),
    #[error("stored entry {key:?} cannot be decrypted: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("the barrier is sealed")]
    Sealed,
}

/// A durable key/value store. Every call is committed before it returns.
#[async_trait]
pub trait Physical: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError>;
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError>;
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
    /// Immediate children of `prefix`: names relative to it, folders with a trailing
    /// `/`, sorted byte-wise, each once.
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError>;
    /// Apply all of `ops` or none of them.
    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError>;
    /// Delete every key under `prefix` (a non-empty folder).
    async fn delete_prefix(&self, prefix: &str) -> Result<(), StorageError> {
        self.transaction(vec![TxnOp::DeletePrefix { prefix: prefix.to_string() }]).await
    }
    /// The name shown as `storage_type` in `sys/seal-status`.
    fn kind(&self) -> &'static str;
    /// The database audit device's store, in the same database. Only the SQL backends
    /// have one.
    fn audit_records(&self) -> Result<Arc<dyn AuditRecords>, StorageError> {
        Err(StorageError::Unavailable(crate::audit::records::NEEDS_DATABASE.into()))
    }
}

#[cfg(test)]
pub(crate) mod suite;
