//! The blob format for everything encrypted at rest:
//! `term (u32, big-endian) | version (1) | nonce (12 bytes) | AES-256-GCM ciphertext+tag`.
//! The associated data is the header (term and version) followed by the storage path, so
//! a blob moved to another key, or relabelled with another term, fails to open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const HEADER_LEN: usize = 4 + 1 + NONCE_LEN;

/// An AES-256-GCM key ready to use (its key schedule is computed once).
pub struct Cipher(Aes256Gcm);

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Self {
        Cipher(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)))
    }

    /// Encrypt `plaintext` for `path` under `term`, with a fresh random nonce.
    pub fn seal(&self, term: u32, path: &str, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        let nonce: [u8; NONCE_LEN] = crate::crypto::random_array()?;
        let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + 16);
        out.extend_from_slice(&term.to_be_bytes());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        let aad = associated_data(&out[..5], path);
        let ct = self
            .0
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad: &aad })
            .map_err(|_| "encryption failed".to_string())?;
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypt a blob produced by [`Cipher::seal`] for the same `path`.
    pub fn open(&self, path: &str, blob: &[u8]) -> Result<Vec<u8>, String> {
        let (_, body) = split(blob)?;
        let (nonce, ct) = body.split_at(NONCE_LEN);
        let aad = associated_data(&blob[..5], path);
        self.0
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| "authentication failed (wrong key, or the entry was altered or moved)".to_string())
    }
}

fn associated_data(header: &[u8], path: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + path.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(path.as_bytes());
    aad
}

/// The key term a blob was written under.
pub fn term_of(blob: &[u8]) -> Result<u32, String> {
    split(blob).map(|(term, _)| term)
}

/// Check the header; return the term and `nonce | ciphertext`.
fn split(blob: &[u8]) -> Result<(u32, &[u8]), String> {
    if blob.len() < HEADER_LEN + 16 {
        return Err(format!("blob too short ({} bytes)", blob.len()));
    }
    if blob[4] != VERSION {
        return Err(format!("unknown blob version {}", blob[4]));
    }
    let term = u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]);
    Ok((term, &blob[5..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_binds_the_path() {
        let c = Cipher::new(&[7u8; 32]);
        let blob = c.seal(3, "a/b", b"secret").unwrap();
        assert_eq!(term_of(&blob).unwrap(), 3);
        assert_eq!(c.open("a/b", &blob).unwrap(), b"secret");
        assert!(c.open("a/c", &blob).is_err(), "moved blob must not open");
        assert!(Cipher::new(&[8u8; 32]).open("a/b", &blob).is_err(), "wrong key");
        let mut tampered = blob.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(c.open("a/b", &tampered).is_err());
        let mut relabelled = blob.clone();
        relabelled[3] = 4;
        assert!(c.open("a/b", &relabelled).is_err(), "the term is authenticated");
        assert!(c.open("a/b", &blob[..10]).is_err());
    }

    #[test]
    fn nonces_are_fresh() {
        let c = Cipher::new(&[1u8; 32]);
        assert_ne!(c.seal(1, "p", b"x").unwrap(), c.seal(1, "p", b"x").unwrap());
    }
}
