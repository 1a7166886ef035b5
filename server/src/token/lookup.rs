//! What a token looks like from outside: the `data` of a lookup, the `auth` block of a
//! create or renewal, and the renewal rules.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::TokenEntry;
use super::roles::Role;
use super::ttl::calculate_ttl;
use crate::logical::{Auth, Error};

fn rfc3339(t: OffsetDateTime) -> Value {
    t.format(&Rfc3339).map(Value::String).unwrap_or(Value::Null)
}

/// `lookup`'s data. `id` is the token as presented ("" for lookups by accessor).
pub fn lookup_data(entry: &TokenEntry, id: &str, now: OffsetDateTime) -> Map<String, Value> {
    let meta = if entry.meta.is_empty() { Value::Null } else { json!(entry.meta) };
    let mut data = json!({
        "accessor": entry.accessor,
        "creation_time": entry.creation_time,
        "creation_ttl": entry.creation_ttl,
        "display_name": entry.display_name,
        "entity_id": entry.entity_id,
        "expire_time": entry.expire_time.map(rfc3339).unwrap_or(Value::Null),
        "explicit_max_ttl": entry.explicit_max_ttl,
        "id": id,
        "issue_time": rfc3339(entry.issue_time),
        "meta": meta,
        "num_uses": entry.num_uses,
        "orphan": entry.orphan,
        "path": entry.path,
        "policies": entry.policies,
        "renewable": entry.renewable,
        "ttl": entry.ttl_left(now),
        "type": "service",
    });
    if !entry.role.is_empty() {
        data["role"] = json!(entry.role);
    }
    if entry.period > 0 {
        data["period"] = json!(entry.period);
    }
    if !entry.bound_cidrs.is_empty() {
        data["bound_cidrs"] = json!(entry.bound_cidrs);
    }
    if let Some(renewed) = entry.last_renewal {
        data["last_renewal_time"] = json!(renewed.unix_timestamp());
        data["last_renewal"] = rfc3339(renewed);
    }
    match data {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The `auth` block for `entry` (after a create or a renewal). `lease_duration` is the TTL
/// just granted, as Vault reports it, not the seconds left by the time the answer is
/// built (which would read `3599` for a `ttl=1h` token).
pub fn auth_block(entry: &TokenEntry, client_token: &str) -> Auth {
    Auth {
        client_token: client_token.to_string(),
        accessor: entry.accessor.clone(),
        token_policies: entry.policies.clone(),
        metadata: entry.meta.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect(),
        lease_duration: if entry.expire_time.is_some() { entry.ttl } else { 0 },
        renewable: entry.renewable,
        entity_id: entry.entity_id.clone(),
        token_type: "service".into(),
        orphan: entry.orphan,
        num_uses: entry.num_uses,
        ..Default::default()
    }
}

/// Renew `entry` by `increment` seconds (0: by its last TTL). Periodic tokens go back to
/// their period; nothing goes past the token's maximum life. A role's current period and
/// explicit maximum apply, as Vault re-reads them at each renewal.
pub fn renew(
    entry: &mut TokenEntry,
    increment: u64,
    role: Option<&Role>,
    mount_default: u64,
    mount_max: u64,
    now: OffsetDateTime,
) -> Result<Vec<String>, Error> {
    if !entry.renewable || entry.expire_time.is_none() {
        return Err(Error::invalid("lease is not renewable"));
    }
    let elapsed = (now - entry.issue_time).whole_seconds().max(0) as u64;
    let period = role.map(|r| r.token_period).filter(|p| *p > 0).unwrap_or(entry.period);
    let explicit = role.map(|r| r.token_explicit_max_ttl).filter(|e| *e > 0).unwrap_or(entry.explicit_max_ttl);
    let requested = if increment > 0 { increment } else { entry.ttl };
    let (ttl, warnings) = calculate_ttl(requested, period, explicit, mount_default, mount_max, elapsed);
    if ttl == 0 {
        return Err(Error::invalid("past the max TTL, cannot renew"));
    }
    entry.ttl = ttl;
    entry.expire_time = Some(now + time::Duration::seconds(ttl as i64));
    entry.last_renewal = Some(now);
    Ok(warnings)
}
