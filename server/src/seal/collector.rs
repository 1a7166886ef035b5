//! Collects key shares one request at a time, for the unseal, rekey, rekey-verification
//! and generate-root ceremonies alike: a nonce ties the shares to one attempt, duplicates
//! and malformed shares are refused, and every share is wiped when dropped.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use zeroize::Zeroizing;

use super::shamir;
use crate::logical::Error;

pub struct ShareCollector {
    pub nonce: String,
    shares: Vec<Zeroizing<Vec<u8>>>,
}

impl Default for ShareCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl ShareCollector {
    pub fn new() -> Self {
        ShareCollector { nonce: uuid::Uuid::new_v4().to_string(), shares: Vec::new() }
    }

    pub fn progress(&self) -> usize {
        self.shares.len()
    }

    /// Refuse a share sent for another attempt, naming the right nonce as Vault does.
    /// `what` names the ceremony ("rekey", "verify", "root generation").
    pub fn check_nonce(&self, nonce: &str, what: &str) -> Result<(), Error> {
        if nonce.is_empty() {
            return Err(Error::invalid("missing required field 'nonce'"));
        }
        if nonce != self.nonce {
            return Err(Error::invalid(format!(
                "incorrect nonce supplied; nonce for this {what} operation is {:?}",
                self.nonce
            )));
        }
        Ok(())
    }

    /// Keep `share` (hex or base64) for a split into `total` shares. Returns the shares
    /// once `threshold` are held, leaving the collector empty.
    pub fn add(&mut self, encoded: &str, total: u8, threshold: u8) -> Result<Option<Vec<Zeroizing<Vec<u8>>>>, Error> {
        let share = decode_share(encoded)?;
        shamir::check_share(&share, total).map_err(Error::InvalidRequest)?;
        if self.shares.iter().any(|held| shamir::same_share(held, &share, total)) {
            return Err(Error::invalid("this key share was already provided in this attempt; provide a different one"));
        }
        self.shares.push(share);
        if self.shares.len() >= threshold as usize {
            return Ok(Some(std::mem::take(&mut self.shares)));
        }
        Ok(None)
    }
}

/// Decode a key share given as hex (Vault's `keys`) or base64 (`keys_base64`).
pub fn decode_share(encoded: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let trimmed = encoded.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid("missing required field 'key'"));
    }
    if let Ok(bytes) = hex::decode(trimmed) {
        return Ok(Zeroizing::new(bytes));
    }
    B64.decode(trimmed).map(Zeroizing::new).map_err(|_| Error::invalid("'key' must be a valid hex or base64 string"))
}

/// Encode generated shares as Vault returns them: hex and base64 lists.
pub fn encode_shares(shares: &[Zeroizing<Vec<u8>>]) -> (Vec<String>, Vec<String>) {
    (shares.iter().map(hex::encode).collect(), shares.iter().map(|s| B64.encode(s.as_slice())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_until_the_threshold_and_refuses_duplicates() {
        let shares = shamir::split(&[5u8; 32], 3, 2);
        let (hexes, b64s) = encode_shares(&shares);
        let mut c = ShareCollector::new();
        assert!(c.add(&hexes[0], 3, 2).unwrap().is_none());
        // The same share again, even in the other encoding.
        let err = c.add(&b64s[0], 3, 2).unwrap_err();
        assert!(err.to_string().contains("already provided"), "{err}");
        assert_eq!(c.progress(), 1);
        let done = c.add(&b64s[1], 3, 2).unwrap().unwrap();
        assert_eq!(*shamir::combine(&done, 3, 2).unwrap(), [5u8; 32]);
        assert_eq!(c.progress(), 0);
    }

    #[test]
    fn malformed_shares_are_clear_errors() {
        let mut c = ShareCollector::new();
        assert!(c.add("not a key!", 3, 2).unwrap_err().to_string().contains("hex or base64"));
        assert!(c.add("abcd", 3, 2).unwrap_err().to_string().contains("2 bytes long"));
        assert!(c.add("", 3, 2).unwrap_err().to_string().contains("missing"));
        assert_eq!(c.progress(), 0);
    }
}
