//! Parsing of device options, which Vault passes as strings.

use std::collections::BTreeMap;

use super::entry::FormatOptions;

/// A boolean option as Vault accepts it (`true`, `1`, `false`, `0`…).
pub fn parse_bool(options: &BTreeMap<String, String>, key: &str, default: bool) -> Result<bool, String> {
    match options.get(key).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v.is_empty() => Ok(default),
        Some(v) if matches!(v.as_str(), "true" | "1" | "t" | "yes") => Ok(true),
        Some(v) if matches!(v.as_str(), "false" | "0" | "f" | "no") => Ok(false),
        Some(v) => Err(format!("{key} must be true or false, not {v:?}")),
    }
}

pub fn parse_u32(text: &str) -> Result<u32, String> {
    text.trim().parse().map_err(|_| format!("{text:?} is not a whole number"))
}

/// A byte size: `1048576`, `100KB`, `10MB`, `1GB` (powers of 1024, case-insensitive).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let split = lower.find(|c: char| !c.is_ascii_digit()).unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(split);
    let unit = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("{text:?} is not a size such as 10MB")),
    };
    let number: u64 = digits.parse().map_err(|_| format!("{text:?} is not a size such as 10MB"))?;
    number.checked_mul(unit).filter(|n| *n > 0).ok_or_else(|| format!("{text:?} is not a size such as 10MB"))
}

/// The options every device shares; `format` must be `json`.
pub fn format_options(options: &BTreeMap<String, String>) -> Result<FormatOptions, String> {
    if let Some(format) = options.get("format")
        && !format.is_empty()
        && format != "json"
    {
        return Err(format!("format {format:?} is not supported; use json"));
    }
    Ok(FormatOptions {
        hmac_accessor: parse_bool(options, "hmac_accessor", true)?,
        log_raw: parse_bool(options, "log_raw", false)?,
        elide_list_responses: parse_bool(options, "elide_list_responses", false)?,
    })
}

/// What a log device writes before each JSON entry (Vault's `prefix`).
pub fn prefix(options: &BTreeMap<String, String>) -> String {
    options.get("prefix").cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_booleans() {
        assert_eq!(parse_size("1048576").unwrap(), 1 << 20);
        assert_eq!(parse_size("10MB").unwrap(), 10 << 20);
        assert_eq!(parse_size("2 kb").unwrap(), 2048);
        for bad in ["", "MB", "-1", "0", "10TB", "99999999999999999999"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
        let options: BTreeMap<String, String> = [("log_raw".to_string(), "maybe".to_string())].into();
        assert!(parse_bool(&options, "log_raw", false).unwrap_err().contains("log_raw"));
        let options: BTreeMap<String, String> = [("format".to_string(), "jsonx".to_string())].into();
        assert!(format_options(&options).unwrap_err().contains("jsonx"));
    }
}
