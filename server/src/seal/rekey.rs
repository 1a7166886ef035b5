//! Rekey: replace the unseal key (and its shares, possibly with a new split) without
//! touching the root key or any data. A quorum of current shares authorises it; with
//! `require_verification`, a quorum of the *new* shares must come back before the new
//! key is installed, proving the new holders have them.

use super::{NewUnsealKey, SealConfig, ShareCollector};
use crate::logical::Error;

pub struct RekeyAttempt {
    /// The requested new split.
    pub config: SealConfig,
    pub require_verification: bool,
    /// Shares of the *current* key.
    pub collector: ShareCollector,
    /// Set once authorised when verification is required: the new key awaiting proof.
    pub pending: Option<PendingRekey>,
}

pub struct PendingRekey {
    pub key: NewUnsealKey,
    /// Shares of the *new* key, under its own nonce.
    pub verification: ShareCollector,
}

impl RekeyAttempt {
    pub fn start(
        shares: u64,
        threshold: u64,
        require_verification: bool,
        pgp_keys: &[String],
        backup: bool,
    ) -> Result<RekeyAttempt, Error> {
        if !pgp_keys.is_empty() || backup {
            return Err(Error::invalid("PGP-encrypted key shares (pgp_keys, backup) are not supported; omit them"));
        }
        Ok(RekeyAttempt {
            config: SealConfig::shamir(shares, threshold, "invalid rekey seal configuration")?,
            require_verification,
            collector: ShareCollector::new(),
            pending: None,
        })
    }
}
