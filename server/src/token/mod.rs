//! The token store. Tokens are stored only as keyed hashes (HMAC-SHA256 with a per-server
//! salt kept behind the barrier), so neither the database nor a storage dump holds a
//! usable token, and looking one up never compares token strings.
//!
//! This is the part of the store the seal needs (root tokens); `auth/token/*` builds on it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::crypto;
use crate::logical::{Error, Storage};

const SALT_KEY: &str = "sys/token/salt";
const ID_PREFIX: &str = "sys/token/id/";
const ACCESSOR_PREFIX: &str = "sys/token/accessor/";

/// Service tokens look like OpenBao's: `s.` and 24 base62 characters.
pub const TOKEN_PREFIX: &str = "s.";
pub const TOKEN_LEN: usize = TOKEN_PREFIX.len() + 24;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenEntry {
    pub accessor: String,
    pub policies: Vec<String>,
    pub path: String,
    pub display_name: String,
    /// Unix seconds.
    pub creation_time: i64,
    /// Seconds; 0 means no expiry (root tokens).
    pub ttl: u64,
    #[serde(default)]
    pub num_uses: i64,
    #[serde(default)]
    pub meta: serde_json::Map<String, serde_json::Value>,
}

impl TokenEntry {
    pub fn is_root(&self) -> bool {
        self.policies.iter().any(|p| p == "root")
    }
}

pub struct TokenStore {
    storage: Arc<dyn Storage>,
    salt: Zeroizing<Vec<u8>>,
}

impl TokenStore {
    /// Open the store on `storage` (the barrier), creating its salt on first use.
    pub async fn open(storage: Arc<dyn Storage>) -> Result<Self, Error> {
        let salt = match storage.get(SALT_KEY).await? {
            Some(salt) => Zeroizing::new(salt),
            None => {
                let salt = Zeroizing::new(crypto::random_array::<32>().map_err(Error::Internal)?.to_vec());
                storage.put(SALT_KEY, &salt).await?;
                salt
            }
        };
        Ok(TokenStore { storage, salt })
    }

    fn id_key(&self, token: &str) -> String {
        format!("{ID_PREFIX}{}", crypto::hmac_hex(&self.salt, token.as_bytes()))
    }

    fn accessor_key(&self, accessor: &str) -> String {
        format!("{ACCESSOR_PREFIX}{}", crypto::hmac_hex(&self.salt, accessor.as_bytes()))
    }

    /// Create a root token. `id` picks the token string (dev mode); otherwise random.
    pub async fn create_root(
        &self,
        id: Option<&str>,
        display_name: &str,
    ) -> Result<(Zeroizing<String>, TokenEntry), Error> {
        let token = match id {
            Some(id) => {
                validate_custom_id(id)?;
                Zeroizing::new(id.to_string())
            }
            None => Zeroizing::new(format!("{TOKEN_PREFIX}{}", crypto::random_base62(24).map_err(Error::Internal)?)),
        };
        let entry = TokenEntry {
            accessor: crypto::random_base62(24).map_err(Error::Internal)?,
            policies: vec!["root".into()],
            path: "auth/token/root".into(),
            display_name: display_name.into(),
            creation_time: time::OffsetDateTime::now_utc().unix_timestamp(),
            ttl: 0,
            num_uses: 0,
            meta: Default::default(),
        };
        self.store(&token, &entry).await?;
        Ok((token, entry))
    }

    async fn store(&self, token: &str, entry: &TokenEntry) -> Result<(), Error> {
        let id_key = self.id_key(token);
        self.storage.put(&id_key, &serde_json::to_vec(entry).map_err(Error::internal)?).await?;
        self.storage.put(&self.accessor_key(&entry.accessor), id_key.as_bytes()).await?;
        Ok(())
    }

    /// The entry for `token`, if it exists.
    pub async fn lookup(&self, token: &str) -> Result<Option<TokenEntry>, Error> {
        if token.is_empty() || token.len() > 512 {
            return Ok(None);
        }
        match self.storage.get(&self.id_key(token)).await? {
            Some(bytes) => Ok(Some(
                serde_json::from_slice(&bytes)
                    .map_err(|e| Error::Internal(format!("a stored token entry is corrupt: {e}")))?,
            )),
            None => Ok(None),
        }
    }

    /// Remove `token` and its accessor index.
    pub async fn revoke(&self, token: &str) -> Result<(), Error> {
        if let Some(entry) = self.lookup(token).await? {
            self.storage.delete(&self.accessor_key(&entry.accessor)).await?;
            self.storage.delete(&self.id_key(token)).await?;
        }
        Ok(())
    }
}

/// A chosen token id must be printable, without spaces, and not look like a path.
fn validate_custom_id(id: &str) -> Result<(), Error> {
    if id.is_empty() || id.len() > 256 || id.chars().any(|c| c.is_control() || c.is_whitespace() || c == '/') {
        return Err(Error::invalid("a custom token id must be 1-256 printable characters without spaces or '/'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::barrier::Barrier;
    use crate::storage::{InmemStorage, Physical};

    #[tokio::test]
    async fn root_tokens_are_found_by_hash_only() {
        let physical = Arc::new(InmemStorage::new());
        let barrier = Arc::new(Barrier::new(physical.clone()));
        barrier.initialize(crypto::random_key().unwrap(), vec![]).await.unwrap();
        let store = TokenStore::open(barrier.clone()).await.unwrap();
        let (token, entry) = store.create_root(None, "root").await.unwrap();
        assert!(token.starts_with(TOKEN_PREFIX) && token.len() == TOKEN_LEN);
        assert!(entry.is_root());
        assert_eq!(store.lookup(&token).await.unwrap().unwrap().accessor, entry.accessor);
        assert!(store.lookup("s.nope").await.unwrap().is_none());

        // Neither the token nor its accessor appears in any storage key.
        let keys = physical.list("sys/token/id/").await.unwrap();
        assert_eq!(keys.len(), 1);
        assert!(!keys[0].contains(token.as_str()));

        // The salt survives reopening, so the token is still found.
        let reopened = TokenStore::open(barrier.clone()).await.unwrap();
        assert!(reopened.lookup(&token).await.unwrap().is_some());
        reopened.revoke(&token).await.unwrap();
        assert!(reopened.lookup(&token).await.unwrap().is_none());
    }

    #[test]
    fn custom_ids_are_checked() {
        assert!(validate_custom_id("root").is_ok());
        assert!(validate_custom_id("a b").is_err());
        assert!(validate_custom_id("a/b").is_err());
        assert!(validate_custom_id("").is_err());
    }
}
