//! The spill queue: entries a device could not take, kept durably behind the barrier
//! (`core/audit-spill/<device uuid>/<time>-<n>`) until the device takes them again.
//! Keys sort by time, so a device receives its backlog in order.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::logical::Storage;
use crate::storage::{StorageError, TxnOp};

use super::records::AuditRecord;

const ROOT: &str = "core/audit-spill/";
/// Entries per device beyond which new failures are dropped (and logged): a device
/// that never recovers must not fill the storage database.
pub const MAX_BACKLOG: u64 = 1_000_000;
/// Entries handed back to a device at once.
pub const FLUSH_BATCH: usize = 256;

pub fn folder(uuid: &str) -> String {
    format!("{ROOT}{uuid}/")
}

/// Store `entries` for the device `uuid`, all in one commit.
pub async fn push(storage: &dyn Storage, uuid: &str, entries: &[AuditRecord]) -> Result<(), StorageError> {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let mut ops = Vec::with_capacity(entries.len());
    for entry in entries {
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let value = serde_json::to_vec(entry).map_err(|e| StorageError::Backend(e.to_string()))?;
        ops.push(TxnOp::Put { key: format!("{}{now:020}-{n:012}", folder(uuid)), value });
    }
    storage.transaction(ops).await
}

/// Up to `FLUSH_BATCH` of the oldest entries, with their keys. An entry that no longer
/// parses is returned as `None` so that the caller can drop it rather than stall.
pub async fn peek(storage: &dyn Storage, uuid: &str) -> Result<Vec<(String, Option<AuditRecord>)>, StorageError> {
    let folder = folder(uuid);
    let mut out = Vec::new();
    for name in storage.list(&folder).await?.into_iter().take(FLUSH_BATCH) {
        let key = format!("{folder}{name}");
        let entry = storage.get(&key).await?.and_then(|bytes| serde_json::from_slice(&bytes).ok());
        out.push((key, entry));
    }
    Ok(out)
}

pub async fn remove(storage: &dyn Storage, keys: Vec<String>) -> Result<(), StorageError> {
    storage.transaction(keys.into_iter().map(|key| TxnOp::Delete { key }).collect()).await
}

pub async fn count(storage: &dyn Storage, uuid: &str) -> Result<u64, StorageError> {
    Ok(storage.list(&folder(uuid)).await?.len() as u64)
}

pub async fn clear(storage: &dyn Storage, uuid: &str) -> Result<(), StorageError> {
    if storage.list(&folder(uuid)).await?.is_empty() {
        return Ok(());
    }
    storage.transaction(vec![TxnOp::DeletePrefix { prefix: folder(uuid) }]).await
}
