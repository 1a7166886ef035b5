//! The keyring: one data-encryption key per term, plus the root key that encrypts the
//! keyring itself. Lives in memory only while unsealed; every key is wiped on drop.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::aead::Cipher;

pub(crate) struct TermKey {
    pub(super) key: Zeroizing<[u8; 32]>,
    pub cipher: Cipher,
    pub installed: OffsetDateTime,
}

pub(crate) struct Keyring {
    pub root_key: Zeroizing<[u8; 32]>,
    pub active: u32,
    pub terms: BTreeMap<u32, TermKey>,
    /// Encryptions under the active term since it was installed or loaded.
    pub encryptions: AtomicU64,
}

/// The stored form. Key bytes are base64; the whole document is encrypted by the root key.
#[derive(Serialize, Deserialize)]
struct StoredKeyring {
    active_term: u32,
    keys: Vec<StoredTerm>,
    #[serde(default)]
    encryptions: u64,
}

#[derive(Serialize, Deserialize)]
struct StoredTerm {
    term: u32,
    key: String,
    #[serde(with = "time::serde::rfc3339")]
    install_time: OffsetDateTime,
}

impl Keyring {
    /// A new keyring with term 1.
    pub fn new(root_key: Zeroizing<[u8; 32]>, first_key: Zeroizing<[u8; 32]>) -> Self {
        let mut terms = BTreeMap::new();
        terms.insert(1, TermKey::new(first_key, OffsetDateTime::now_utc()));
        Keyring { root_key, active: 1, terms, encryptions: AtomicU64::new(0) }
    }

    pub fn active_key(&self) -> &TermKey {
        &self.terms[&self.active]
    }

    /// A copy of this keyring with a new active term holding `key`.
    pub fn with_new_term(&self, key: Zeroizing<[u8; 32]>) -> Keyring {
        let mut terms: BTreeMap<u32, TermKey> =
            self.terms.iter().map(|(t, k)| (*t, TermKey::new(k.key.clone(), k.installed))).collect();
        let next = self.active + 1;
        terms.insert(next, TermKey::new(key, OffsetDateTime::now_utc()));
        Keyring { root_key: self.root_key.clone(), active: next, terms, encryptions: AtomicU64::new(0) }
    }

    pub fn count_encryption(&self) {
        self.encryptions.fetch_add(1, Ordering::Relaxed);
    }

    /// Serialise for storage. The buffer is wiped when dropped.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let stored = StoredKeyring {
            active_term: self.active,
            encryptions: self.encryptions.load(Ordering::Relaxed),
            keys: self
                .terms
                .iter()
                .map(|(term, k)| StoredTerm { term: *term, key: B64.encode(*k.key), install_time: k.installed })
                .collect(),
        };
        let bytes = serde_json::to_vec(&stored).expect("a keyring always serialises");
        for mut term in stored.keys {
            zeroize::Zeroize::zeroize(&mut term.key);
        }
        Zeroizing::new(bytes)
    }

    pub fn from_bytes(root_key: Zeroizing<[u8; 32]>, bytes: &[u8]) -> Result<Self, String> {
        let mut stored: StoredKeyring =
            serde_json::from_slice(bytes).map_err(|e| format!("the keyring does not parse: {e}"))?;
        let mut terms = BTreeMap::new();
        for term in &mut stored.keys {
            let raw = Zeroizing::new(B64.decode(&term.key).map_err(|e| format!("keyring term {}: {e}", term.term))?);
            zeroize::Zeroize::zeroize(&mut term.key);
            let key: [u8; 32] = raw
                .as_slice()
                .try_into()
                .map_err(|_| format!("keyring term {} has a key of the wrong size", term.term))?;
            terms.insert(term.term, TermKey::new(Zeroizing::new(key), term.install_time));
        }
        if !terms.contains_key(&stored.active_term) {
            return Err(format!("the keyring's active term {} has no key", stored.active_term));
        }
        Ok(Keyring { root_key, active: stored.active_term, terms, encryptions: AtomicU64::new(stored.encryptions) })
    }
}

impl TermKey {
    fn new(key: Zeroizing<[u8; 32]>, installed: OffsetDateTime) -> Self {
        let cipher = Cipher::new(&key);
        TermKey { key, cipher, installed }
    }
}
