//! Vault's duration syntax: whole seconds as a number or string, or Go-style units
//! (`"1h30m"`, `"90s"`, `"1.5h"`) plus `d` for days.

/// Parse a duration into whole seconds.
pub fn parse_duration_seconds(input: &str) -> Result<u64, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(0);
    }
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(secs);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("invalid duration {input:?}"));
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| format!("invalid duration {input:?}"))?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            "" => return Err(format!("invalid duration {input:?}: a unit is missing after {value}")),
            unit => return Err(format!("invalid duration {input:?}: unknown unit {unit:?}")),
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > u64::MAX as f64 {
        return Err(format!("invalid duration {input:?}: too large"));
    }
    Ok(total as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vault_durations() {
        assert_eq!(parse_duration_seconds("3600").unwrap(), 3600);
        assert_eq!(parse_duration_seconds("1h").unwrap(), 3600);
        assert_eq!(parse_duration_seconds("1h30m").unwrap(), 5400);
        assert_eq!(parse_duration_seconds("1.5h").unwrap(), 5400);
        assert_eq!(parse_duration_seconds("2d").unwrap(), 172800);
        assert_eq!(parse_duration_seconds("").unwrap(), 0);
        assert!(parse_duration_seconds("1x").is_err());
        assert!(parse_duration_seconds("h").is_err());
        assert!(parse_duration_seconds("5").is_ok());
        assert!(parse_duration_seconds("-5s").is_err());
    }
}
