//! How long a token lives: Vault's TTL rules for creation and renewal, and Go-style
//! durations for the warnings that explain a cap.

/// `3600` → `"1h"`, `5400` → `"1h30m"`, `2764798` → `"767h59m58s"`, `0` → `"0s"`: Go's
/// duration text with the trailing zero units dropped, as Vault's warnings print it.
pub fn go_duration(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".into();
    }
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 || (h > 0 && s > 0) {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// The TTL to grant. `requested` is the asked TTL (0: the mount default), `period` makes
/// a periodic token, `explicit_max` caps the whole life; `elapsed` is the time since the
/// token was issued (0 at creation). Returns the TTL and any capping warnings.
pub fn calculate_ttl(
    requested: u64,
    period: u64,
    explicit_max: u64,
    mount_default: u64,
    mount_max: u64,
    elapsed: u64,
) -> (u64, Vec<String>) {
    let mut warnings = Vec::new();
    let max = if explicit_max > 0 { mount_max.min(explicit_max) } else { mount_max };
    let left = max.saturating_sub(elapsed);
    if period > 0 {
        let mut ttl = period;
        if period > max {
            warnings.push(format!(
                "period of {:?} exceeded the effective max_ttl of {:?}; period value is capped accordingly",
                go_duration(period),
                go_duration(max)
            ));
            ttl = max;
        }
        if explicit_max > 0 {
            ttl = ttl.min(explicit_max.saturating_sub(elapsed));
        }
        return (ttl, warnings);
    }
    let ttl = if requested > 0 { requested } else { mount_default };
    if ttl > left {
        warnings.push(format!(
            "TTL of {:?} exceeded the effective max_ttl of {:?}; TTL value is capped accordingly",
            go_duration(ttl),
            go_duration(left)
        ));
        return (left, warnings);
    }
    (ttl, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3600;

    #[test]
    fn durations_read_like_vaults() {
        assert_eq!(go_duration(3600), "1h");
        assert_eq!(go_duration(5400), "1h30m");
        assert_eq!(go_duration(2_764_798), "767h59m58s");
        assert_eq!(go_duration(1800), "30m");
        assert_eq!(go_duration(90), "1m30s");
        assert_eq!(go_duration(3601), "1h0m1s");
        assert_eq!(go_duration(0), "0s");
    }

    #[test]
    fn ttls_follow_the_observed_rules() {
        assert_eq!(calculate_ttl(0, 0, 0, 768 * H, 768 * H, 0), (768 * H, vec![]));
        assert_eq!(calculate_ttl(H, 0, 2 * H, 768 * H, 768 * H, 0).0, H);
        let (ttl, warnings) = calculate_ttl(3 * H, 0, H, 768 * H, 768 * H, 0);
        assert_eq!(ttl, H);
        assert_eq!(
            warnings,
            vec![r#"TTL of "3h" exceeded the effective max_ttl of "1h"; TTL value is capped accordingly"#]
        );
        assert_eq!(calculate_ttl(H, 1800, 0, 768 * H, 768 * H, 0).0, 1800, "a period wins over the ttl");
        let (ttl, warnings) = calculate_ttl(0, 2 * H, H, 768 * H, 768 * H, 0);
        assert_eq!(ttl, H);
        assert!(warnings[0].starts_with(r#"period of "2h" exceeded the effective max_ttl of "1h""#));
        assert_eq!(calculate_ttl(120, 0, 0, 768 * H, 768 * H, 0).0, 120);
        // Renewal: never past the cap counted from issue.
        assert_eq!(calculate_ttl(5 * H, 0, 2 * H, 768 * H, 768 * H, H).0, H);
    }
}
