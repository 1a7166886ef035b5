//! A write batch over the barrier: writes are encrypted at once but only buffered, and
//! reach storage together in one transaction when the owner commits them. Reads see only
//! the batch's own writes, never storage: it is for initialisation, when nothing of ours
//! is stored yet and whatever another server wrote meanwhile is not ours to read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use zeroize::Zeroizing;

use super::Barrier;
use crate::logical::Storage;
use crate::storage::{StorageError, TxnOp};

pub struct Batch {
    barrier: Arc<Barrier>,
    state: Mutex<BatchState>,
}

#[derive(Default)]
struct BatchState {
    ops: Vec<TxnOp>,
    /// Plaintext of buffered writes (`None`: deleted), for reads within the batch.
    written: HashMap<String, Option<Zeroizing<Vec<u8>>>>,
}

impl Batch {
    pub fn new(barrier: Arc<Barrier>) -> Self {
        Batch { barrier, state: Mutex::new(BatchState::default()) }
    }

    /// Take the buffered writes, in order, ready for [`crate::storage::Physical::transaction`].
    pub fn take_ops(&self) -> Vec<TxnOp> {
        let mut state = self.state();
        state.written.clear();
        std::mem::take(&mut state.ops)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, BatchState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Storage for Batch {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.state().written.get(key).and_then(|w| w.as_ref().map(|v| v.to_vec())))
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        super::check_key(key)?;
        let blob = self.barrier.encrypt(key, value)?;
        let mut state = self.state();
        state.ops.push(TxnOp::Put { key: key.to_string(), value: blob });
        state.written.insert(key.to_string(), Some(Zeroizing::new(value.to_vec())));
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        super::check_key(key)?;
        let mut state = self.state();
        state.ops.push(TxnOp::Delete { key: key.to_string() });
        state.written.insert(key.to_string(), None);
        Ok(())
    }

    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        for op in ops {
            match op {
                TxnOp::Put { key, value } => self.put(&key, &value).await?,
                TxnOp::Delete { key } => self.delete(&key).await?,
                TxnOp::Create { .. } | TxnOp::DeletePrefix { .. } => {
                    let reason = "insert-only writes and folder deletes are not supported inside a write batch";
                    return Err(StorageError::Backend(reason.into()));
                }
            }
        }
        Ok(())
    }

    async fn list(&self, _prefix: &str) -> Result<Vec<String>, StorageError> {
        // Merging buffered deletes into folder listings is not needed by any batch user.
        Err(StorageError::Backend("listing inside a write batch is not supported".into()))
    }
}
