//! Hashing of audit entries: every string value becomes `hmac-sha256:<hex>` under the
//! device's own salt, so an entry names what happened without carrying any secret, and
//! an auditor who knows a value can still find it (`sys/audit-hash`).

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use zeroize::Zeroizing;

/// A device's HMAC key. Keyed once; each hash clones the keyed state, which saves the
/// two key-schedule compressions per value.
#[derive(Clone)]
pub struct Salt {
    keyed: Hmac<Sha256>,
}

impl Salt {
    pub fn new(key: &[u8]) -> Salt {
        // HMAC takes keys of any length; this cannot fail.
        let keyed = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        Salt { keyed }
    }

    /// A fresh random key, hex-encoded for the audit table.
    pub fn generate() -> Result<Zeroizing<String>, String> {
        Ok(Zeroizing::new(hex::encode(crate::crypto::random_array::<32>()?)))
    }

    pub fn hash(&self, value: &str) -> String {
        let mut mac = self.keyed.clone();
        mac.update(value.as_bytes());
        format!("hmac-sha256:{}", hex::encode(mac.finalize().into_bytes()))
    }

    /// Hash every string in `value` (object keys stay), except the values of top-level
    /// keys listed in `keep` (a mount's `audit_non_hmac_*_keys`).
    pub fn hash_value(&self, value: &mut Value, keep: &[String]) {
        match value {
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    if !keep.iter().any(|k| k == key) {
                        self.hash_nested(item);
                    }
                }
            }
            other => self.hash_nested(other),
        }
    }

    fn hash_nested(&self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.hash(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.hash_nested(item)),
            Value::Object(map) => map.values_mut().for_each(|item| self.hash_nested(item)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn strings_are_hashed_at_any_depth_and_other_values_kept() {
        let salt = Salt::new(b"salt");
        let mut value = json!({"data": {"pw": "hunter2", "n": 5, "ok": true, "list": ["a", null]}, "keep": "clear"});
        salt.hash_value(&mut value, &["keep".to_string()]);
        assert_eq!(value["data"]["pw"], salt.hash("hunter2"));
        assert_eq!(value["data"]["n"], 5);
        assert_eq!(value["data"]["ok"], true);
        assert_eq!(value["data"]["list"][0], salt.hash("a"));
        assert_eq!(value["data"]["list"][1], Value::Null);
        assert_eq!(value["keep"], "clear");
        assert!(!value.to_string().contains("hunter2"));
    }

    #[test]
    fn the_hash_is_hmac_sha256_of_the_value_under_the_salt() {
        // RFC 4231 test case 2.
        let salt = Salt::new(b"Jefe");
        assert_eq!(
            salt.hash("what do ya want for nothing?"),
            "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_ne!(Salt::new(b"other").hash("x"), Salt::new(b"salt").hash("x"));
    }
}
