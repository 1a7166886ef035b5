//! Small cryptographic helpers shared across the core: randomness, keyed hashing and
//! constant-time comparison.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// `N` bytes from the operating system's CSPRNG.
pub fn random_array<const N: usize>() -> Result<[u8; N], String> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| format!("the system random source failed: {e}"))?;
    Ok(buf)
}

/// A 256-bit key from the CSPRNG, wiped from memory when dropped.
pub fn random_key() -> Result<Zeroizing<[u8; 32]>, String> {
    Ok(Zeroizing::new(random_array::<32>()?))
}

/// HMAC-SHA256 of `data` under `key`, hex-encoded.
pub fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// Compare secrets without leaking where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Random characters from `[0-9A-Za-z]`, unbiased (rejection sampling).
pub fn random_base62(len: usize) -> Result<String, String> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_array::<64>()? {
            // 248 = 4 * 62: values above it would favour the first characters.
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_has_the_length_and_alphabet() {
        let s = random_base62(24).unwrap();
        assert_eq!(s.len(), 24);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
