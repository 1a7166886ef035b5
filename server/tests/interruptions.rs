//! Changes of several steps finish even when whoever asked goes away, and a seal always
//! wins over a key rotation in flight.

use std::sync::Arc;
use std::time::Duration;

use arcanum::core::{Core, InitRequest};
use arcanum::storage::{InmemStorage, Physical, StorageError, TxnOp};
use async_trait::async_trait;
use tokio::sync::watch;

/// A store whose writes wait while the gate is closed, so a test can hold them mid-flight.
struct GatedWrites {
    inner: InmemStorage,
    open: watch::Sender<bool>,
}

impl GatedWrites {
    fn new() -> Arc<Self> {
        Arc::new(GatedWrites { inner: InmemStorage::new(), open: watch::channel(true).0 })
    }
    async fn close(&self) {
        self.open.send_replace(false);
    }
    fn open(&self) {
        self.open.send_replace(true);
    }
    async fn pass(&self) {
        let mut open = self.open.subscribe();
        let _ = open.wait_for(|open| *open).await;
    }
}

#[async_trait]
impl Physical for GatedWrites {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.pass().await;
        self.inner.put(key, value).await
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.pass().await;
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        self.inner.list(prefix).await
    }
    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        self.pass().await;
        self.inner.transaction(ops).await
    }
    fn kind(&self) -> &'static str {
        "gated"
    }
}

async fn unsealed(store: Arc<GatedWrites>) -> (Arc<Core>, Vec<String>) {
    let core = Core::new(store);
    let init =
        core.init(InitRequest { secret_shares: 3, secret_threshold: 2, ..Default::default() }, None).await.unwrap();
    core.unseal(Some(&init.keys[0]), false).await.unwrap();
    core.unseal(Some(&init.keys[1]), false).await.unwrap();
    (core, init.keys)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rekey_whose_caller_vanishes_still_completes() {
    let store = GatedWrites::new();
    let (core, keys) = unsealed(store.clone()).await;
    let status = core.rekey_init(5, 3, false, vec![], false).await.unwrap();
    core.rekey_update(&keys[0], &status.nonce).await.unwrap();

    store.close().await;
    let caller = {
        let (core, key, nonce) = (core.clone(), keys[2].clone(), status.nonce.clone());
        tokio::spawn(async move { core.rekey_update(&key, &nonce).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    caller.abort();
    store.open();

    // The rekey finishes on its own: new split installed, attempt ended.
    for _ in 0..100 {
        if core.seal_status().await.unwrap().n == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = core.seal_status().await.unwrap();
    assert_eq!((status.t, status.n), (3, 5));
    assert!(!core.rekey_status().await.unwrap().started);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seal_wins_over_a_rotation_in_flight() {
    let store = GatedWrites::new();
    let (core, keys) = unsealed(store.clone()).await;
    store.close().await;
    let rotation = {
        let barrier = core.barrier().clone();
        tokio::spawn(async move { barrier.rotate().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    core.seal().await.unwrap();
    store.open();
    let outcome = rotation.await.unwrap();
    assert!(matches!(outcome, Err(StorageError::Sealed)), "{:?}", outcome.map(|s| s.term));
    assert!(core.barrier().is_sealed(), "the rotation did not bring keys back after the seal");

    // The rotated keyring was stored, so it loads at the next unseal.
    core.unseal(Some(&keys[0]), false).await.unwrap();
    core.unseal(Some(&keys[2]), false).await.unwrap();
    assert_eq!(core.barrier().key_status().unwrap().term, 2);
}
