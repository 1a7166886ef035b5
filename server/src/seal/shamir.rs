//! Shamir's secret sharing of the unseal key, through the `blahaj` crate (the maintained
//! fork of `sharks`). Shares are `x | y...` (33 bytes for a 32-byte key). blahaj counts
//! distinct x-coordinates but still interpolates duplicates, and accepts x = 0, so both
//! are rejected here before it sees them.

use blahaj::{Share, Sharks};
use zeroize::Zeroizing;

pub const KEY_LEN: usize = 32;

/// Split `key` into `shares` parts, any `threshold` of which rebuild it. With one share
/// the "share" is the key itself, as in Vault.
pub fn split(key: &[u8; KEY_LEN], shares: u8, threshold: u8) -> Vec<Zeroizing<Vec<u8>>> {
    if shares == 1 {
        return vec![Zeroizing::new(key.to_vec())];
    }
    Sharks(threshold).dealer(key).take(shares as usize).map(|share| Zeroizing::new(Vec::from(&share))).collect()
}

/// The length every share of a `shares`-way split has.
pub fn share_len(shares: u8) -> usize {
    if shares == 1 { KEY_LEN } else { KEY_LEN + 1 }
}

/// Check one share before it is kept: right length, valid x-coordinate.
pub fn check_share(share: &[u8], shares: u8) -> Result<(), String> {
    let want = share_len(shares);
    if share.len() != want {
        return Err(format!("the key share is {} bytes long, but this server's shares are {want} bytes", share.len()));
    }
    if shares > 1 && share[0] == 0 {
        return Err("the key share is malformed (its x-coordinate is zero)".into());
    }
    Ok(())
}

/// Whether two shares are the same share (same x-coordinate, or same bytes when unsplit).
pub fn same_share(a: &[u8], b: &[u8], shares: u8) -> bool {
    if shares == 1 { crate::crypto::constant_time_eq(a, b) } else { a.first() == b.first() }
}

/// Rebuild the key from `threshold` checked, distinct shares.
pub fn combine(parts: &[Zeroizing<Vec<u8>>], shares: u8, threshold: u8) -> Result<Zeroizing<[u8; KEY_LEN]>, String> {
    if shares == 1 {
        let key: [u8; KEY_LEN] =
            parts[0].as_slice().try_into().map_err(|_| "the key has the wrong length".to_string())?;
        return Ok(Zeroizing::new(key));
    }
    let parsed: Vec<Share> =
        parts.iter().map(|p| Share::try_from(p.as_slice())).collect::<Result<_, _>>().map_err(str::to_string)?;
    let secret = Zeroizing::new(Sharks(threshold).recover(&parsed).map_err(str::to_string)?);
    let key: [u8; KEY_LEN] =
        secret.as_slice().try_into().map_err(|_| "the key shares do not fit together".to_string())?;
    Ok(Zeroizing::new(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_threshold_of_shares_rebuilds_the_key() {
        let key = [42u8; KEY_LEN];
        let shares = split(&key, 5, 3);
        assert_eq!(shares.len(), 5);
        assert!(shares.iter().all(|s| s.len() == 33));
        for combo in [[0, 1, 2], [2, 3, 4], [0, 2, 4], [4, 1, 3]] {
            let parts: Vec<_> = combo.iter().map(|&i| shares[i].clone()).collect();
            assert_eq!(*combine(&parts, 5, 3).unwrap(), key);
        }
    }

    #[test]
    fn fewer_shares_or_a_wrong_one_give_another_key() {
        let key = [7u8; KEY_LEN];
        let shares = split(&key, 5, 3);
        let mut wrong = shares[2].clone();
        wrong[5] ^= 0xff;
        let parts = vec![shares[0].clone(), shares[1].clone(), wrong];
        assert_ne!(*combine(&parts, 5, 3).unwrap(), key);
    }

    #[test]
    fn one_share_is_the_key() {
        let key = [9u8; KEY_LEN];
        let shares = split(&key, 1, 1);
        assert_eq!(shares[0].as_slice(), &key);
        assert_eq!(*combine(&shares, 1, 1).unwrap(), key);
    }

    #[test]
    fn checks_length_zero_x_and_duplicates() {
        assert!(check_share(&[1u8; 33], 5).is_ok());
        assert!(check_share(&[1u8; 32], 5).unwrap_err().contains("32 bytes"));
        assert!(check_share(&[0u8; 33], 5).unwrap_err().contains("x-coordinate"));
        assert!(same_share(&[3u8; 33], &[3u8, 9, 9], 5));
        assert!(!same_share(&[3u8; 33], &[4u8; 33], 5));
    }
}
