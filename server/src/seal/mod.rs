//! The Shamir seal: the unseal key is split into shares at initialisation and never
//! stored; it wraps the root key (`core/root-key`), which wraps the barrier's keyring.
//! This module owns the seal configuration, the wrapped root key and the key-share
//! ceremonies (unseal, rekey, generate-root); the core decides what happens when one
//! reaches its threshold.

mod collector;
pub mod generate_root;
pub mod rekey;
pub mod shamir;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use collector::{ShareCollector, decode_share, encode_shares};

use crate::barrier::{Cipher, ROOT_KEY_PATH, SEAL_CONFIG_PATH};
use crate::logical::Error;
use crate::storage::{Physical, TxnOp};

/// How the unseal key is split. Stored in clear at `core/seal-config`: it is needed
/// while sealed and holds nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealConfig {
    #[serde(rename = "type")]
    pub kind: String,
    pub secret_shares: u8,
    pub secret_threshold: u8,
}

impl SealConfig {
    /// Validate a requested split with Vault's rules; `context` prefixes the message
    /// (Vault says "invalid seal configuration" for init, "invalid rekey seal
    /// configuration" for a rekey).
    pub fn shamir(shares: u64, threshold: u64, context: &str) -> Result<SealConfig, Error> {
        let problem = if shares == 0 {
            Some("shares must be at least one")
        } else if shares > 255 {
            Some("shares must be less than 256")
        } else if threshold == 0 {
            Some("threshold must be at least one")
        } else if threshold > shares {
            Some("threshold cannot be larger than shares")
        } else if shares > 1 && threshold == 1 {
            Some("threshold must be greater than one for multiple shares")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(Error::invalid(format!("{context}: {problem}"))),
            None => {
                Ok(SealConfig { kind: "shamir".into(), secret_shares: shares as u8, secret_threshold: threshold as u8 })
            }
        }
    }
}

/// A freshly generated unseal key, its shares, and the writes that install it.
pub struct NewUnsealKey {
    pub key: Zeroizing<[u8; 32]>,
    pub shares: Vec<Zeroizing<Vec<u8>>>,
}

impl NewUnsealKey {
    pub fn generate(config: &SealConfig) -> Result<Self, Error> {
        let key = crate::crypto::random_key().map_err(Error::Internal)?;
        let shares = shamir::split(&key, config.secret_shares, config.secret_threshold);
        Ok(NewUnsealKey { key, shares })
    }

    /// The storage writes that make this key (with `config`) the one that opens
    /// `root_key`. `first` (initialisation) writes them insert-only.
    fn install_ops(&self, config: &SealConfig, root_key: &[u8; 32], first: bool) -> Result<Vec<TxnOp>, Error> {
        let wrapped = Cipher::new(&self.key).seal(0, ROOT_KEY_PATH, root_key).map_err(Error::Internal)?;
        let config = serde_json::to_vec(config).map_err(Error::internal)?;
        Ok(if first {
            vec![
                TxnOp::Create { key: SEAL_CONFIG_PATH.into(), value: config },
                TxnOp::Create { key: ROOT_KEY_PATH.into(), value: wrapped },
            ]
        } else {
            vec![
                TxnOp::Put { key: SEAL_CONFIG_PATH.into(), value: config },
                TxnOp::Put { key: ROOT_KEY_PATH.into(), value: wrapped },
            ]
        })
    }
}

/// The seal's stored state: its configuration (cached once known, as every status and
/// health check asks for it) and the wrapped root key.
pub struct SealStore {
    physical: Arc<dyn Physical>,
    cached: std::sync::RwLock<Option<SealConfig>>,
}

impl SealStore {
    pub fn new(physical: Arc<dyn Physical>) -> Self {
        SealStore { physical, cached: std::sync::RwLock::new(None) }
    }

    /// The stored configuration; `None` when the server is not initialised.
    pub async fn config(&self) -> Result<Option<SealConfig>, Error> {
        if let Some(config) = self.cached.read().unwrap_or_else(|p| p.into_inner()).clone() {
            return Ok(Some(config));
        }
        let config: Option<SealConfig> = match self.physical.get(SEAL_CONFIG_PATH).await? {
            None => None,
            Some(bytes) => Some(
                serde_json::from_slice(&bytes)
                    .map_err(|e| Error::Internal(format!("the stored seal configuration is corrupt: {e}")))?,
            ),
        };
        // Only a present configuration is cached: until then another process may initialise.
        if let Some(config) = &config {
            *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some(config.clone());
        }
        Ok(config)
    }

    /// Initialise: make `key` (split as `config`) the one that opens `root_key`, with
    /// `extra` writes, in one transaction that fails if any server initialised first.
    pub async fn install_first(
        &self,
        key: &NewUnsealKey,
        config: &SealConfig,
        root_key: &[u8; 32],
        extra: Vec<TxnOp>,
    ) -> Result<(), Error> {
        let mut ops = key.install_ops(config, root_key, true)?;
        ops.extend(extra);
        self.physical.transaction(ops).await.map_err(|e| match e {
            crate::storage::StorageError::AlreadyExists(_) => Error::invalid("Vault is already initialized"),
            other => other.into(),
        })?;
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some(config.clone());
        Ok(())
    }

    /// Rekey: make `key` (split as `config`) the one that opens `root_key`.
    pub async fn install(&self, key: &NewUnsealKey, config: &SealConfig, root_key: &[u8; 32]) -> Result<(), Error> {
        self.physical.transaction(key.install_ops(config, root_key, false)?).await?;
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some(config.clone());
        Ok(())
    }

    /// Unwrap the root key with a reconstructed unseal key. A wrong key is the caller's
    /// problem (wrong or mixed-up shares), so it is a 400, not a 500.
    pub async fn open_root_key(&self, unseal_key: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, Error> {
        let blob = self
            .physical
            .get(ROOT_KEY_PATH)
            .await?
            .ok_or_else(|| Error::Internal("the wrapped root key is missing from storage".into()))?;
        let plain = Zeroizing::new(Cipher::new(unseal_key).open(ROOT_KEY_PATH, &blob).map_err(|_| {
            Error::invalid(
                "the key shares do not reconstruct this server's unseal key: at least one share is wrong \
                 or belongs to another initialisation; progress was reset, start again",
            )
        })?);
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| Error::Internal("the stored root key has the wrong length".into()))?;
        Ok(Zeroizing::new(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shamir_config_follows_vaults_rules() {
        assert!(SealConfig::shamir(5, 3, "x").is_ok());
        assert!(SealConfig::shamir(1, 1, "x").is_ok());
        for (n, t, msg) in [
            (0, 0, "shares must be at least one"),
            (256, 3, "shares must be less than 256"),
            (3, 0, "threshold must be at least one"),
            (3, 4, "threshold cannot be larger than shares"),
            (3, 1, "threshold must be greater than one for multiple shares"),
        ] {
            let err = SealConfig::shamir(n, t, "invalid seal configuration").unwrap_err().to_string();
            assert_eq!(err, format!("invalid seal configuration: {msg}"), "{n}/{t}");
        }
    }
}
