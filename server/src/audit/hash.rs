//! Hashing of audit entries: every string value becomes `hmac-sha256:<hex>` under the
//! device's own salt, so an entry names what happened without carrying any secret, and
//! an auditor who knows a value can still find it (`sys/audit-hash`).

use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};
use sha2::Sha256;
use zeroize::Zeroizing;

const PREFIX: &str = "hmac-sha256:";

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
        let mut hex = [0u8; 64];
        // 32 bytes always fit 64 hex digits.
        let _ = hex::encode_to_slice(mac.finalize().into_bytes(), &mut hex);
        let mut out = String::with_capacity(PREFIX.len() + hex.len());
        out.push_str(PREFIX);
        out.push_str(std::str::from_utf8(&hex).unwrap_or_default());
        out
    }
}

/// A request's or response's data, serialised with every string hashed (`salt`; `None`
/// writes them as they are, for `log_raw`) except the values of top-level keys in
/// `keep`. Hashing while serialising spares a copy of the data per entry.
pub struct Hashed<'a> {
    pub map: &'a Map<String, Value>,
    pub salt: Option<&'a Salt>,
    pub keep: &'a [String],
    /// A list response's `keys` shown as their count (`elide_list_responses`).
    pub elide_keys: bool,
}

impl Serialize for Hashed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.map.len()))?;
        for (key, value) in self.map {
            if self.elide_keys
                && key == "keys"
                && let Value::Array(keys) = value
            {
                map.serialize_entry(key, &keys.len())?;
            } else if self.keep.iter().any(|k| k == key) {
                map.serialize_entry(key, value)?;
            } else {
                map.serialize_entry(key, &HashedValue { value, salt: self.salt })?;
            }
        }
        map.end()
    }
}

struct HashedValue<'a> {
    value: &'a Value,
    salt: Option<&'a Salt>,
}

impl Serialize for HashedValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let salt = self.salt;
        match self.value {
            Value::String(text) => match salt {
                Some(salt) => serializer.serialize_str(&salt.hash(text)),
                None => serializer.serialize_str(text),
            },
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for value in items {
                    seq.serialize_element(&HashedValue { value, salt })?;
                }
                seq.end()
            }
            Value::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (key, value) in fields {
                    map.serialize_entry(key, &HashedValue { value, salt })?;
                }
                map.end()
            }
            other => other.serialize(serializer),
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
        let value = json!({
            "data": {"pw": "hunter2", "n": 5, "ok": true, "list": ["a", null, {"deep": "x"}]},
            "keep": "clear",
            "keys": ["a", "b"],
        });
        let map = value.as_object().unwrap();
        let keep = ["keep".to_string()];
        let written = serde_json::to_value(Hashed { map, salt: Some(&salt), keep: &keep, elide_keys: false }).unwrap();
        assert_eq!(written["data"]["pw"], salt.hash("hunter2"));
        assert_eq!(written["data"]["n"], 5);
        assert_eq!(written["data"]["ok"], true);
        assert_eq!(written["data"]["list"][0], salt.hash("a"));
        assert_eq!(written["data"]["list"][1], Value::Null);
        assert_eq!(written["data"]["list"][2]["deep"], salt.hash("x"));
        assert_eq!(written["keep"], "clear");
        assert!(!written.to_string().contains("hunter2"));
        let raw = serde_json::to_value(Hashed { map, salt: None, keep: &[], elide_keys: true }).unwrap();
        assert_eq!(raw["data"], value["data"]);
        assert_eq!(raw["keys"], 2);
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
