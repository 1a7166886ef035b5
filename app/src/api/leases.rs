//! The leases page: the lease tree by prefix (`sys/leases/lookup/*`, root-protected),
//! each lease's times, and revoking one lease or everything under a prefix.

use leptos::prelude::*;

use super::dto::LeaseFolder;
use super::error::ConsoleError;

/// Leases looked up per level at most (one request each).
pub const MAX_LEASES: usize = 100;

/// The folders and leases directly under `prefix` (`""` for the top).
#[server(prefix = "/ui/api", endpoint = "leases/list")]
pub async fn list_leases(#[server(default)] prefix: String) -> Result<LeaseFolder, ConsoleError> {
    use serde_json::{Map, Value, json};

    use super::client::{Caller, data_of};
    use super::console::ApiOperation::{List, Update};

    let prefix = server::prefix(&prefix)?;
    let caller = Caller::signed_in().await?;
    let listed = match caller.call(List, &format!("sys/leases/lookup/{prefix}"), Map::new()).await {
        Ok(listed) => data_of(listed),
        // An empty level answers 404, like any empty list.
        Err(e) if e.status == 404 => Map::new(),
        Err(e) => return Err(e),
    };
    let keys: Vec<String> = listed
        .get("keys")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let (folders, ids): (Vec<String>, Vec<String>) = keys.into_iter().partition(|k| k.ends_with('/'));
    let more = ids.len().saturating_sub(MAX_LEASES);
    let mut lookups = tokio::task::JoinSet::new();
    for id in ids.into_iter().take(MAX_LEASES) {
        let caller = caller.clone();
        let data = Map::from_iter([("lease_id".into(), json!(format!("{prefix}{id}")))]);
        lookups.spawn(async move { caller.call(Update, "sys/leases/lookup", data).await });
    }
    let mut leases = Vec::new();
    while let Some(lookup) = lookups.join_next().await {
        match lookup.map_err(|_| ConsoleError::new(500, "a lease lookup stopped unexpectedly"))? {
            Ok(response) => leases.push(server::lease_info(&data_of(response))),
            // Revoked or expired since the list.
            Err(e) if e.status == 400 => {}
            Err(e) => return Err(e),
        }
    }
    leases.sort_by(|a, b| a.expire_time.cmp(&b.expire_time).then_with(|| a.id.cmp(&b.id)));
    Ok(LeaseFolder { prefix, folders, leases, more })
}

/// Revoke one lease (a token's: the token and the tokens it created).
#[server(prefix = "/ui/api", endpoint = "leases/revoke")]
pub async fn revoke_lease(lease_id: String) -> Result<(), ConsoleError> {
    use serde_json::{Map, json};

    use super::client::call;
    use super::console::ApiOperation::Update;

    if lease_id.trim().is_empty() {
        return Err(ConsoleError::invalid("Pick the lease to revoke."));
    }
    let data = Map::from_iter([("lease_id".into(), json!(lease_id.trim()))]);
    call(Update, "sys/leases/revoke", data).await?;
    Ok(())
}

/// Revoke every lease under `prefix`; `confirm` must repeat it.
#[server(prefix = "/ui/api", endpoint = "leases/revoke-prefix")]
pub async fn revoke_prefix(prefix: String, confirm: String) -> Result<(), ConsoleError> {
    use serde_json::Map;

    use super::client::call;
    use super::console::ApiOperation::Update;

    let prefix = server::prefix(&prefix)?;
    if prefix.is_empty() {
        return Err(ConsoleError::invalid("Open a prefix first: revoking every lease at once is not offered here."));
    }
    if confirm.trim() != prefix {
        return Err(ConsoleError::invalid(format!("Type {prefix} to confirm.")));
    }
    // A write cannot end in "/": the server adds it back.
    call(Update, &format!("sys/leases/revoke-prefix/{}", prefix.trim_end_matches('/')), Map::new()).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
mod server {
    use serde_json::{Map, Value};

    use crate::api::dto::LeaseInfo;
    use crate::api::error::ConsoleError;

    /// A prefix as typed: `""`, or a folder ending in `/` with no empty or `..` parts.
    pub fn prefix(prefix: &str) -> Result<String, ConsoleError> {
        let trimmed = prefix.trim().trim_matches('/');
        if trimmed.is_empty() {
            return Ok(String::new());
        }
        if trimmed.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
            return Err(ConsoleError::invalid(format!("\"{prefix}\" is not a lease prefix.")));
        }
        Ok(format!("{trimmed}/"))
    }

    pub fn lease_info(data: &Map<String, Value>) -> LeaseInfo {
        let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        LeaseInfo {
            id: text("id"),
            path: text("path"),
            issue_time: text("issue_time"),
            expire_time: text("expire_time"),
            ttl: data.get("ttl").and_then(Value::as_u64).unwrap_or_default(),
            renewable: data.get("renewable").and_then(Value::as_bool).unwrap_or_default(),
        }
    }
}
