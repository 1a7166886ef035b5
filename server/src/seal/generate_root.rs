//! Generate root: a quorum of unseal-key holders mints a new root token, for when the old
//! one was revoked or lost. The token is never sent in clear: it is XORed with a one-time
//! pad (OTP) that only the operator who started the attempt holds, then base64-encoded.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use zeroize::Zeroizing;

use super::ShareCollector;
use crate::logical::Error;
use crate::token::TOKEN_LEN;

/// OTPs are as long as the token they hide.
pub const OTP_LEN: usize = TOKEN_LEN;

pub struct GenerateRootAttempt {
    otp: Zeroizing<String>,
    pub collector: ShareCollector,
}

impl GenerateRootAttempt {
    /// Start an attempt. Without an `otp` the server makes one and returns it (once).
    pub fn start(otp: Option<&str>, pgp_key: &str) -> Result<(GenerateRootAttempt, Option<Zeroizing<String>>), Error> {
        if !pgp_key.is_empty() {
            return Err(Error::invalid("PGP-encrypting the root token (pgp_key) is not supported; use an OTP"));
        }
        let (otp, generated) = match otp.filter(|o| !o.is_empty()) {
            Some(otp) => {
                if otp.len() != OTP_LEN || !otp.is_ascii() {
                    return Err(Error::invalid(format!("the OTP must be {OTP_LEN} ASCII characters long")));
                }
                (Zeroizing::new(otp.to_string()), None)
            }
            None => {
                let otp = Zeroizing::new(crate::crypto::random_base62(OTP_LEN).map_err(Error::Internal)?);
                (otp.clone(), Some(otp))
            }
        };
        Ok((GenerateRootAttempt { otp, collector: ShareCollector::new() }, generated))
    }

    /// Hide `token` under this attempt's OTP.
    pub fn encode(&self, token: &str) -> Result<String, Error> {
        xor(token.as_bytes(), self.otp.as_bytes()).map(|x| STANDARD_NO_PAD.encode(x))
    }
}

/// Recover a token from its encoding and OTP (what `bao operator generate-root -decode` does).
pub fn decode_token(encoded: &str, otp: &str) -> Result<Zeroizing<String>, Error> {
    let trimmed = encoded.trim().trim_end_matches('=');
    let raw = STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| STANDARD.decode(encoded.trim()))
        .map_err(|_| Error::invalid("the encoded token is not valid base64"))?;
    let plain = Zeroizing::new(xor(&raw, otp.as_bytes())?);
    String::from_utf8(plain.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| Error::invalid("the encoded token and the OTP do not belong together"))
}

fn xor(a: &[u8], b: &[u8]) -> Result<Vec<u8>, Error> {
    if a.len() != b.len() {
        return Err(Error::invalid(format!(
            "the OTP is {} characters long but the token is {}; use the OTP from this attempt",
            b.len(),
            a.len()
        )));
    }
    Ok(a.iter().zip(b).map(|(x, y)| x ^ y).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_and_decode_round_trip() {
        let (attempt, otp) = GenerateRootAttempt::start(None, "").unwrap();
        let otp = otp.unwrap();
        assert_eq!(otp.len(), OTP_LEN);
        let token = format!("s.{}", "a".repeat(24));
        let encoded = attempt.encode(&token).unwrap();
        assert_eq!(decode_token(&encoded, &otp).unwrap().as_str(), token);
        assert!(decode_token(&encoded, "short").is_err());
    }

    #[test]
    fn rejects_pgp_and_bad_otps() {
        assert!(GenerateRootAttempt::start(None, "keybase:x").is_err());
        assert!(GenerateRootAttempt::start(Some("tooshort"), "").is_err());
        let otp = "x".repeat(OTP_LEN);
        let (_, generated) = GenerateRootAttempt::start(Some(&otp), "").unwrap();
        assert!(generated.is_none(), "a client OTP is not echoed back");
    }
}
