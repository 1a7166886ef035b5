//! `custom_metadata`: a key's user-defined string map, with OpenBao's limits (at most 64
//! entries; keys 1-128 and values 1-512 bytes; printable). Values are weakly converted
//! to strings (`5` → `"5"`, `true` → `"1"`), as Go's weak decoding does. Errors use
//! go-multierror's format, which is what clients see from OpenBao.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::logical::{Error, Result};

const MAX_KEYS: usize = 64;
const MAX_KEY_LEN: usize = 128;
const MAX_VALUE_LEN: usize = 512;
const PREFIX: &str = "custom_metadata validation failed";

/// A metadata write's map: replaces the key's whole map. `null` entries are refused.
pub(super) fn parse_replacement(map: &Map<String, Value>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (key, value) in map {
        out.insert(key.clone(), weak_string(key, value)?.unwrap_or_default());
    }
    validate(&out)?;
    Ok(out)
}

/// A metadata patch's map: `None` values delete that entry.
pub(super) fn parse_patch(map: &Map<String, Value>) -> Result<BTreeMap<String, Option<String>>> {
    let mut out = BTreeMap::new();
    for (key, value) in map {
        out.insert(key.clone(), weak_string(key, value)?);
    }
    let set: BTreeMap<String, String> =
        out.iter().filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone()))).collect();
    validate(&set)?;
    Ok(out)
}

fn weak_string(key: &str, value: &Value) -> Result<Option<String>> {
    Ok(Some(match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        Value::Array(_) | Value::Object(_) => {
            return Err(Error::invalid(format!("{PREFIX}: the value for key {key:?} must be a string")));
        }
    }))
}

/// OpenBao's limits, every violation listed.
pub(super) fn validate(map: &BTreeMap<String, String>) -> Result<()> {
    if map.len() > MAX_KEYS {
        let msg = format!("{PREFIX}: payload must contain at most {MAX_KEYS} keys, provided {}", map.len());
        return Err(Error::invalid(multierror(&[msg])));
    }
    let mut errors = Vec::new();
    for (key, value) in map {
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            errors.push(format!(
                "{PREFIX}: length of key {key:?} is {} but must be 0 < len(key) <= {MAX_KEY_LEN}",
                key.len()
            ));
        }
        if value.is_empty() || value.len() > MAX_VALUE_LEN {
            errors.push(format!(
                "{PREFIX}: length of value for key {key:?} is {} but must be 0 < len(value) <= {MAX_VALUE_LEN}",
                value.len()
            ));
        }
        if !key.chars().all(is_printable) {
            errors.push(format!("{PREFIX}: key {key:?} ({key}) contains unprintable characters"));
        }
        if !value.chars().all(is_printable) {
            errors.push(format!("{PREFIX}: value for key {key:?} contains unprintable characters"));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::invalid(multierror(&errors))) }
}

/// Go's `unicode.IsPrint`, near enough without Unicode tables: letters, marks, numbers,
/// punctuation, symbols and the ASCII space; no controls, other spaces, format
/// characters or private use.
fn is_printable(c: char) -> bool {
    c == ' '
        || !(c.is_control()
            || c.is_whitespace()
            || matches!(c,
                '\u{AD}' | '\u{600}'..='\u{605}' | '\u{61C}' | '\u{6DD}' | '\u{70F}' | '\u{180E}'
                | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}' | '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}'))
}

/// go-multierror's rendering: `1 error occurred:\n\t* msg\n\n`.
fn multierror(errors: &[String]) -> String {
    let head = match errors.len() {
        1 => "1 error occurred:".to_string(),
        n => format!("{n} errors occurred:"),
    };
    format!("{head}\n\t* {}\n\n", errors.join("\n\t* "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn replace(v: Value) -> Result<BTreeMap<String, String>> {
        parse_replacement(v.as_object().unwrap())
    }

    #[test]
    fn values_become_strings() {
        let map = replace(json!({"owner": "me", "n": 5, "f": 1.5, "t": true, "f0": false})).unwrap();
        let expected = [("f", "1.5"), ("f0", "0"), ("n", "5"), ("owner", "me"), ("t", "1")];
        assert_eq!(map, expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        assert!(replace(json!({"a": [1]})).unwrap_err().to_string().contains("must be a string"));
        assert!(replace(json!({"a": {"b": 1}})).is_err());
    }

    #[test]
    fn limits_match_openbao() {
        let err = replace(json!({"k": ""})).unwrap_err().to_string();
        assert_eq!(
            err,
            "1 error occurred:\n\t* custom_metadata validation failed: length of value for key \"k\" is 0 but \
             must be 0 < len(value) <= 512\n\n"
        );
        assert!(replace(json!({"k": null})).is_err(), "null is an empty value in a replacement");

        let many: Map<String, Value> = (0..65).map(|i| (format!("k{i}"), json!("v"))).collect();
        let err = parse_replacement(&many).unwrap_err().to_string();
        assert!(err.ends_with("payload must contain at most 64 keys, provided 65\n\n"), "{err}");
        let enough: Map<String, Value> = (0..64).map(|i| (format!("k{i}"), json!("v"))).collect();
        assert!(parse_replacement(&enough).is_ok());

        assert!(replace(json!({"k".repeat(128): "v".repeat(512)})).is_ok());
        let err = replace(json!({"k".repeat(129): "v".repeat(513)})).unwrap_err().to_string();
        assert!(err.starts_with("2 errors occurred:\n\t* "), "{err}");
        assert!(err.contains("is 129 but must be 0 < len(key) <= 128") && err.contains("is 513 but"), "{err}");
        assert!(replace(json!({"": "v"})).is_err());
        assert!(replace(json!({"ключ ✓": "значение ✓"})).is_ok(), "non-ASCII letters and symbols print");
    }

    #[test]
    fn unprintable_characters_are_refused() {
        for bad in ["a\nb", "a\tb", "nul\0", "zero\u{200B}width", "bom\u{FEFF}", "nbsp\u{A0}", "pua\u{E000}"] {
            assert!(replace(json!({"k": bad})).is_err(), "value {bad:?}");
            let err = replace(json!({bad: "v"})).unwrap_err().to_string();
            assert!(err.contains("contains unprintable characters"), "key {bad:?}: {err}");
        }
    }

    #[test]
    fn patches_keep_deletions_and_check_the_rest() {
        let patch = parse_patch(json!({"gone": null, "new": 7}).as_object().unwrap()).unwrap();
        assert_eq!(patch.get("gone"), Some(&None));
        assert_eq!(patch.get("new"), Some(&Some("7".to_string())));
        assert!(parse_patch(json!({"bad": ""}).as_object().unwrap()).is_err());
    }
}
