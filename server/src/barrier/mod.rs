//! The barrier: every value stored through it is encrypted with AES-256-GCM under the
//! active keyring term, with the storage path as associated data. While sealed it holds
//! no keys and refuses every operation.
//!
//! Physical layout: `core/keyring` holds the keyring encrypted by the root key; the seal
//! keeps `core/seal-config` and `core/root-key` beside it. The barrier refuses those
//! three keys so nothing above it can overwrite or read them.

mod aead;
mod batch;
mod keyring;

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use time::OffsetDateTime;
use zeroize::Zeroizing;

pub(crate) use aead::Cipher;
pub use batch::Batch;
use keyring::Keyring;

use crate::logical::Storage;
use crate::storage::{Physical, StorageError, TxnOp};

pub const KEYRING_PATH: &str = "core/keyring";
pub const ROOT_KEY_PATH: &str = "core/root-key";
pub const SEAL_CONFIG_PATH: &str = "core/seal-config";
const RESERVED: [&str; 3] = [KEYRING_PATH, ROOT_KEY_PATH, SEAL_CONFIG_PATH];

/// What `sys/key-status` reports.
#[derive(Clone, Debug)]
pub struct KeyStatus {
    pub term: u32,
    pub install_time: OffsetDateTime,
    pub encryptions: u64,
}

pub struct Barrier {
    physical: Arc<dyn Physical>,
    keyring: RwLock<Option<Arc<Keyring>>>,
    /// Serialises keyring changes: two rotations racing from the same term would each
    /// persist a different "next" key, and data written under the loser's would be lost.
    rotation: tokio::sync::Mutex<()>,
    /// Bumped by every seal, so a rotation that finishes after a seal cannot bring its
    /// keyring back.
    epoch: std::sync::atomic::AtomicU64,
}

impl Barrier {
    pub fn new(physical: Arc<dyn Physical>) -> Self {
        Barrier {
            physical,
            keyring: RwLock::new(None),
            rotation: tokio::sync::Mutex::new(()),
            epoch: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub fn physical(&self) -> &Arc<dyn Physical> {
        &self.physical
    }

    pub fn is_sealed(&self) -> bool {
        self.current().is_none()
    }

    /// Whether a keyring was ever written, i.e. the server is initialised.
    pub async fn is_initialized(&self) -> Result<bool, StorageError> {
        Ok(self.physical.get(KEYRING_PATH).await?.is_some())
    }

    /// Start initialisation: create a keyring (term 1) and load it in memory only,
    /// returning the write that persists it. The caller commits that write together with
    /// the rest of its setup in one transaction, and seals again if anything fails, so an
    /// initialisation either happens whole or leaves storage untouched.
    pub async fn begin_initialize(&self, root_key: Zeroizing<[u8; 32]>) -> Result<TxnOp, StorageError> {
        if self.is_initialized().await? {
            // What the insert-only write would say, had another server got there first.
            return Err(StorageError::AlreadyExists(KEYRING_PATH.into()));
        }
        let first = crate::crypto::random_key().map_err(StorageError::Backend)?;
        let keyring = Keyring::new(root_key, first);
        // Insert-only: if another server sharing the database initialised first, the
        // caller's transaction fails instead of overwriting its keyring.
        let op = TxnOp::Create { key: KEYRING_PATH.into(), value: encrypt_keyring(&keyring)? };
        self.install(keyring);
        Ok(op)
    }

    /// Initialise and persist in one step (with `extra` writes in the same transaction).
    #[cfg(test)]
    pub async fn initialize(&self, root_key: Zeroizing<[u8; 32]>, extra: Vec<TxnOp>) -> Result<(), StorageError> {
        let mut ops = extra;
        ops.push(self.begin_initialize(root_key).await?);
        if let Err(err) = self.physical.transaction(ops).await {
            self.seal();
            return Err(err);
        }
        Ok(())
    }

    /// Load the keyring with `root_key`. Fails, and stays sealed, if the key is wrong.
    pub async fn unseal(&self, root_key: Zeroizing<[u8; 32]>) -> Result<(), StorageError> {
        let blob = self
            .physical
            .get(KEYRING_PATH)
            .await?
            .ok_or_else(|| StorageError::Backend("no keyring is stored: the server is not initialised".into()))?;
        let plain = Zeroizing::new(
            Cipher::new(&root_key)
                .open(KEYRING_PATH, &blob)
                .map_err(|reason| StorageError::Corrupt { key: KEYRING_PATH.into(), reason })?,
        );
        let keyring = Keyring::from_bytes(root_key, &plain)
            .map_err(|reason| StorageError::Corrupt { key: KEYRING_PATH.into(), reason })?;
        self.install(keyring);
        Ok(())
    }

    /// Forget every key. The keyring's memory is wiped when the last in-flight user of it
    /// finishes (each key is `Zeroizing`).
    pub fn seal(&self) {
        let mut keyring = self.keyring.write().unwrap_or_else(|p| p.into_inner());
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        *keyring = None;
    }

    /// The root key, for the seal to re-wrap it (rekey) while unsealed.
    pub fn root_key(&self) -> Result<Zeroizing<[u8; 32]>, StorageError> {
        Ok(self.current().ok_or(StorageError::Sealed)?.root_key.clone())
    }

    /// Add a new term and make it active. Data written under older terms stays readable.
    pub async fn rotate(&self) -> Result<KeyStatus, StorageError> {
        let _one_at_a_time = self.rotation.lock().await;
        let epoch = self.epoch.load(std::sync::atomic::Ordering::SeqCst);
        let current = self.current().ok_or(StorageError::Sealed)?;
        let next = current.with_new_term(crate::crypto::random_key().map_err(StorageError::Backend)?);
        self.physical.put(KEYRING_PATH, &encrypt_keyring(&next)?).await?;
        let mut keyring = self.keyring.write().unwrap_or_else(|p| p.into_inner());
        if self.epoch.load(std::sync::atomic::Ordering::SeqCst) != epoch {
            // Sealed meanwhile: the new term is stored and loads at the next unseal.
            return Err(StorageError::Sealed);
        }
        *keyring = Some(Arc::new(next));
        drop(keyring);
        self.key_status()
    }

    pub fn key_status(&self) -> Result<KeyStatus, StorageError> {
        let keyring = self.current().ok_or(StorageError::Sealed)?;
        let active = keyring.active_key();
        Ok(KeyStatus {
            term: keyring.active,
            install_time: active.installed,
            encryptions: keyring.encryptions.load(std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// Encrypt `value` for `key` under the active term.
    pub fn encrypt(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StorageError> {
        let keyring = self.current().ok_or(StorageError::Sealed)?;
        keyring.count_encryption();
        keyring.active_key().cipher.seal(keyring.active, key, value).map_err(StorageError::Backend)
    }

    /// Decrypt a blob stored at `key`, whatever term wrote it.
    pub fn decrypt(&self, key: &str, blob: &[u8]) -> Result<Vec<u8>, StorageError> {
        let keyring = self.current().ok_or(StorageError::Sealed)?;
        let corrupt = |reason: String| StorageError::Corrupt { key: key.to_string(), reason };
        let term = aead::term_of(blob).map_err(corrupt)?;
        let term_key = keyring.terms.get(&term).ok_or_else(|| corrupt(format!("unknown key term {term}")))?;
        term_key.cipher.open(key, blob).map_err(corrupt)
    }

    /// Delete every entry under `prefix` (a disabled mount's data).
    pub async fn delete_prefix(&self, prefix: &str) -> Result<(), StorageError> {
        if self.is_sealed() {
            return Err(StorageError::Sealed);
        }
        if prefix.is_empty() || prefix.starts_with("core/") {
            return Err(StorageError::InvalidKey(prefix.to_string()));
        }
        self.physical.delete_prefix(prefix).await
    }

    /// An op ready for storage: key checked, value encrypted.
    fn seal_op(&self, op: TxnOp) -> Result<TxnOp, StorageError> {
        if self.is_sealed() {
            return Err(StorageError::Sealed);
        }
        match &op {
            TxnOp::DeletePrefix { prefix } if prefix.is_empty() || prefix.starts_with("core/") => {
                return Err(StorageError::InvalidKey(prefix.clone()));
            }
            TxnOp::DeletePrefix { .. } => {}
            other => check_key(other.key())?,
        }
        op.try_map_value(|key, value| self.encrypt(key, &value))
    }

    fn current(&self) -> Option<Arc<Keyring>> {
        self.keyring.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn install(&self, keyring: Keyring) {
        *self.keyring.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(keyring));
    }
}

fn encrypt_keyring(keyring: &Keyring) -> Result<Vec<u8>, StorageError> {
    Cipher::new(&keyring.root_key).seal(0, KEYRING_PATH, &keyring.to_bytes()).map_err(StorageError::Backend)
}

pub(super) fn check_key(key: &str) -> Result<(), StorageError> {
    if RESERVED.contains(&key) {
        return Err(StorageError::InvalidKey(key.to_string()));
    }
    Ok(())
}

#[async_trait]
impl Storage for Barrier {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        check_key(key)?;
        if self.is_sealed() {
            return Err(StorageError::Sealed);
        }
        match self.physical.get(key).await? {
            Some(blob) => Ok(Some(self.decrypt(key, &blob)?)),
            None => Ok(None),
        }
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        check_key(key)?;
        let blob = self.encrypt(key, value)?;
        self.physical.put(key, &blob).await
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        if self.is_sealed() {
            return Err(StorageError::Sealed);
        }
        self.physical.delete(key).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        if self.is_sealed() {
            return Err(StorageError::Sealed);
        }
        self.physical.list(prefix).await
    }

    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        let ops = ops.into_iter().map(|op| self.seal_op(op)).collect::<Result<Vec<_>, _>>()?;
        self.physical.transaction(ops).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::InmemStorage;

    async fn unsealed() -> (Barrier, Arc<InmemStorage>, Zeroizing<[u8; 32]>) {
        let physical = Arc::new(InmemStorage::new());
        let barrier = Barrier::new(physical.clone());
        let root = crate::crypto::random_key().unwrap();
        barrier.initialize(root.clone(), vec![]).await.unwrap();
        (barrier, physical, root)
    }

    #[tokio::test]
    async fn values_are_encrypted_and_bound_to_their_path() {
        let (barrier, physical, _) = unsealed().await;
        barrier.put("a/secret", b"hunter2").await.unwrap();
        let raw = physical.get("a/secret").await.unwrap().unwrap();
        assert!(!raw.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(barrier.get("a/secret").await.unwrap().unwrap(), b"hunter2");

        // A blob copied to another path does not decrypt there.
        physical.put("a/copy", &raw).await.unwrap();
        assert!(matches!(barrier.get("a/copy").await, Err(StorageError::Corrupt { .. })));
    }

    #[tokio::test]
    async fn sealing_forgets_keys_and_the_right_root_key_unseals() {
        let (barrier, _, root) = unsealed().await;
        barrier.put("k", b"v").await.unwrap();
        barrier.seal();
        assert!(matches!(barrier.get("k").await, Err(StorageError::Sealed)));
        assert!(matches!(barrier.put("k", b"x").await, Err(StorageError::Sealed)));

        let wrong = crate::crypto::random_key().unwrap();
        assert!(matches!(barrier.unseal(wrong).await, Err(StorageError::Corrupt { .. })));
        assert!(barrier.is_sealed());

        barrier.unseal(root).await.unwrap();
        assert_eq!(barrier.get("k").await.unwrap().unwrap(), b"v");
    }

    #[tokio::test]
    async fn rotation_keeps_old_terms_readable() {
        let (barrier, physical, root) = unsealed().await;
        barrier.put("old", b"1").await.unwrap();
        let status = barrier.rotate().await.unwrap();
        assert_eq!(status.term, 2);
        barrier.put("new", b"2").await.unwrap();
        assert_eq!(aead::term_of(&physical.get("old").await.unwrap().unwrap()).unwrap(), 1);
        assert_eq!(aead::term_of(&physical.get("new").await.unwrap().unwrap()).unwrap(), 2);

        // The rotated keyring is what was persisted.
        barrier.seal();
        barrier.unseal(root).await.unwrap();
        assert_eq!(barrier.key_status().unwrap().term, 2);
        assert_eq!(barrier.get("old").await.unwrap().unwrap(), b"1");
        assert_eq!(barrier.get("new").await.unwrap().unwrap(), b"2");
    }

    #[tokio::test]
    async fn no_key_reaches_storage_in_any_encoding() {
        use base64::Engine as _;
        let (barrier, physical, root) = unsealed().await;
        barrier.put("a", b"x").await.unwrap();
        barrier.rotate().await.unwrap();
        let keyring = barrier.current().unwrap();
        let mut secrets: Vec<Vec<u8>> = keyring.terms.values().map(|t| t.key.to_vec()).collect();
        secrets.push(root.to_vec());
        let mut needles = Vec::new();
        for s in &secrets {
            needles.push(s.clone());
            needles.push(hex::encode(s).into_bytes());
            needles.push(base64::engine::general_purpose::STANDARD.encode(s).into_bytes());
        }
        for key in [KEYRING_PATH, "a"] {
            let blob = physical.get(key).await.unwrap().unwrap();
            for needle in &needles {
                assert!(!blob.windows(needle.len()).any(|w| w == needle.as_slice()), "a key leaked into {key}");
            }
        }
    }

    #[tokio::test]
    async fn concurrent_rotations_lose_no_term() {
        let (barrier, _, root) = unsealed().await;
        let barrier = Arc::new(barrier);
        let rotations: Vec<_> = (0..8)
            .map(|i| {
                let b = barrier.clone();
                tokio::spawn(async move {
                    b.rotate().await.unwrap();
                    b.put(&format!("after/{i}"), b"v").await.unwrap();
                })
            })
            .collect();
        for r in rotations {
            r.await.unwrap();
        }
        assert_eq!(barrier.key_status().unwrap().term, 9);
        barrier.seal();
        barrier.unseal(root).await.unwrap();
        for i in 0..8 {
            assert_eq!(barrier.get(&format!("after/{i}")).await.unwrap().unwrap(), b"v");
        }
    }

    #[tokio::test]
    async fn reserved_keys_are_out_of_reach() {
        let (barrier, _, _) = unsealed().await;
        for key in RESERVED {
            assert!(matches!(barrier.put(key, b"x").await, Err(StorageError::InvalidKey(_))));
            assert!(matches!(barrier.get(key).await, Err(StorageError::InvalidKey(_))));
            let smuggled =
                vec![TxnOp::Put { key: "ok".into(), value: b"x".to_vec() }, TxnOp::Delete { key: key.into() }];
            assert!(matches!(barrier.transaction(smuggled).await, Err(StorageError::InvalidKey(_))));
            assert_eq!(barrier.get("ok").await.unwrap(), None, "nothing of a refused batch lands");
        }
        let core = vec![TxnOp::DeletePrefix { prefix: "core/".into() }];
        assert!(matches!(barrier.transaction(core).await, Err(StorageError::InvalidKey(_))));
    }

    #[tokio::test]
    async fn transactions_encrypt_every_value_and_land_together() {
        let (barrier, physical, _) = unsealed().await;
        barrier.put("a/old", b"old").await.unwrap();
        let ops = vec![
            TxnOp::Put { key: "a/one".into(), value: b"hunter2".to_vec() },
            TxnOp::Put { key: "a/two".into(), value: b"hunter3".to_vec() },
            TxnOp::Delete { key: "a/old".into() },
        ];
        barrier.transaction(ops).await.unwrap();
        assert_eq!(barrier.get("a/one").await.unwrap().as_deref(), Some(&b"hunter2"[..]));
        assert_eq!(barrier.get("a/two").await.unwrap().as_deref(), Some(&b"hunter3"[..]));
        assert_eq!(barrier.get("a/old").await.unwrap(), None);
        let raw = physical.get("a/one").await.unwrap().unwrap();
        assert!(!raw.windows(7).any(|w| w == b"hunter2"));

        barrier.seal();
        let sealed = vec![TxnOp::Put { key: "a/three".into(), value: vec![] }];
        assert!(matches!(barrier.transaction(sealed).await, Err(StorageError::Sealed)));
        assert_eq!(physical.get("a/three").await.unwrap(), None);
    }

    #[tokio::test]
    async fn initialising_twice_fails_and_changes_nothing() {
        let (barrier, physical, _) = unsealed().await;
        let before = physical.get(KEYRING_PATH).await.unwrap();
        let err = barrier.initialize(crate::crypto::random_key().unwrap(), vec![]).await;
        assert!(matches!(err, Err(StorageError::AlreadyExists(ref key)) if key == KEYRING_PATH), "{err:?}");
        assert_eq!(physical.get(KEYRING_PATH).await.unwrap(), before);
    }
}
