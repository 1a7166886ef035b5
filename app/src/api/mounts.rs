//! Secret engines and auth methods, as the user's policies let them see them.

use leptos::prelude::*;

use super::dto::{Catalog, MountInfo, MountSettings, MountTable};
use super::error::ConsoleError;

/// The engine and auth method types the server offers (`sys/plugins/catalog`).
#[server(prefix = "/ui/api", endpoint = "mounts/catalog")]
pub async fn plugin_catalog() -> Result<Catalog, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;

    let answer = data_of(call(Read, "sys/plugins/catalog", Default::default()).await?);
    let names = |key: &str| -> Vec<String> {
        answer
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    Ok(Catalog { secret: names("secret"), auth: names("auth") })
}

/// Enable a secret engine (`class` "secret") or auth method ("auth") of type `kind` at
/// `path`. For `kv`, `kv_version` is "1" or "2".
#[server(prefix = "/ui/api", endpoint = "mounts/enable")]
pub async fn enable_mount(
    class: String,
    path: String,
    kind: String,
    description: String,
    #[server(default)] kv_version: String,
) -> Result<(), ConsoleError> {
    use super::client::call;
    use super::console::ApiOperation::Update;
    use serde_json::json;

    let (root, path) = server::target(&class, &path)?;
    if kind.trim().is_empty() {
        return Err(ConsoleError::invalid("Choose a type."));
    }
    let mut body = serde_json::Map::new();
    body.insert("type".into(), json!(kind.trim()));
    body.insert("description".into(), json!(description.trim()));
    if kind == "kv" {
        let version = if kv_version.is_empty() { "2" } else { kv_version.as_str() };
        if !matches!(version, "1" | "2") {
            return Err(ConsoleError::invalid("The KV version is 1 or 2."));
        }
        body.insert("options".into(), json!({ "version": version }));
    }
    call(Update, &format!("{root}/{path}"), body).await.map(drop)
}

/// A mount's settings: description, lease TTLs and, for KV v2, versions kept.
#[server(prefix = "/ui/api", endpoint = "mounts/settings")]
pub async fn read_mount_settings(class: String, path: String) -> Result<MountSettings, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;
    use serde_json::Value;

    let (root, path) = server::target(&class, &path)?;
    let mount = data_of(call(Read, &format!("{root}/{path}"), Default::default()).await?);
    let tune = data_of(call(Read, &format!("{root}/{path}/tune"), Default::default()).await?);
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let kind = text(mount.get("type"));
    let version = text(mount.get("options").and_then(|o| o.get("version")));
    let max_versions = if kind == "kv" && version == "2" {
        let config = data_of(call(Read, &format!("{path}/config"), Default::default()).await?);
        Some(config.get("max_versions").and_then(Value::as_u64).unwrap_or_default())
    } else {
        None
    };
    Ok(MountSettings {
        class,
        path,
        kind,
        version,
        description: text(tune.get("description").or_else(|| mount.get("description"))),
        default_lease_ttl: tune.get("default_lease_ttl").and_then(Value::as_u64).unwrap_or_default(),
        max_lease_ttl: tune.get("max_lease_ttl").and_then(Value::as_u64).unwrap_or_default(),
        max_versions,
    })
}

/// Change a mount's description and lease TTLs (`30m`, `24h`, seconds; empty: the
/// system default) and, for KV v2, the versions kept (empty: unchanged).
#[server(prefix = "/ui/api", endpoint = "mounts/tune")]
pub async fn tune_mount(
    class: String,
    path: String,
    description: String,
    default_lease_ttl: String,
    max_lease_ttl: String,
    #[server(default)] max_versions: String,
) -> Result<(), ConsoleError> {
    use super::client::call;
    use super::console::ApiOperation::Update;
    use serde_json::json;

    let (root, path) = server::target(&class, &path)?;
    let ttl = |typed: &str| if typed.trim().is_empty() { "system".to_string() } else { typed.trim().to_string() };
    let mut body = serde_json::Map::new();
    body.insert("description".into(), json!(description.trim()));
    body.insert("default_lease_ttl".into(), json!(ttl(&default_lease_ttl)));
    body.insert("max_lease_ttl".into(), json!(ttl(&max_lease_ttl)));
    call(Update, &format!("{root}/{path}/tune"), body).await?;
    if !max_versions.trim().is_empty() {
        let versions: u64 = max_versions
            .trim()
            .parse()
            .map_err(|_| ConsoleError::invalid("Versions kept must be a whole number (0 for the default of 10)."))?;
        let mut config = serde_json::Map::new();
        config.insert("max_versions".into(), json!(versions));
        call(Update, &format!("{path}/config"), config).await?;
    }
    Ok(())
}

/// Disable a mount, deleting everything in it, once its path has been typed to confirm.
#[server(prefix = "/ui/api", endpoint = "mounts/disable")]
pub async fn disable_mount(class: String, path: String, confirm: String) -> Result<(), ConsoleError> {
    use super::client::call;
    use super::console::ApiOperation::Delete;

    let (root, path) = server::target(&class, &path)?;
    if confirm.trim().trim_end_matches('/') != path {
        return Err(ConsoleError::invalid(format!("Type {path} to confirm.")));
    }
    call(Delete, &format!("{root}/{path}"), Default::default()).await.map(drop)
}

/// Every secret engine and auth method (`sys/mounts`, `sys/auth`: needs read on both).
#[server(prefix = "/ui/api", endpoint = "mounts/list")]
pub async fn list_mounts() -> Result<MountTable, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;

    let secrets = call(Read, "sys/mounts", Default::default()).await?;
    let auth = call(Read, "sys/auth", Default::default()).await?;
    Ok(MountTable { secrets: server::mounts_of(&data_of(secrets)), auth: server::mounts_of(&data_of(auth)) })
}

/// The secret engines the user can reach: Vault's `sys/internal/ui/mounts`, which lists
/// only mounts some policy of the user's opens.
#[server(prefix = "/ui/api", endpoint = "secrets/mounts")]
pub async fn list_secret_mounts() -> Result<Vec<MountInfo>, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;

    let answer = data_of(call(Read, "sys/internal/ui/mounts", Default::default()).await?);
    let mounts = answer.get("secret").and_then(|s| s.as_object()).map(server::mounts_of).unwrap_or_default();
    // `sys/` and `identity/` hold no secrets to browse.
    Ok(mounts.into_iter().filter(|m| !matches!(m.kind.as_str(), "system" | "identity")).collect())
}

#[cfg(feature = "ssr")]
mod server {
    use serde_json::{Map, Value};

    use crate::api::dto::MountInfo;
    use crate::api::error::ConsoleError;

    /// `sys/mounts` or `sys/auth`, and the mount path as typed, without slashes at
    /// either end and with no empty, `.` or `..` segment.
    pub fn target(class: &str, path: &str) -> Result<(&'static str, String), ConsoleError> {
        let root = match class {
            "secret" => "sys/mounts",
            "auth" => "sys/auth",
            other => {
                return Err(ConsoleError::invalid(format!("\"{other}\" is not a mount class: use secret or auth.")));
            }
        };
        let path = path.trim().trim_matches('/');
        if path.is_empty() || path.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
            return Err(ConsoleError::invalid(format!("\"{path}\" is not a mount path.")));
        }
        Ok((root, path.to_string()))
    }

    /// A mount table answer (`path/` → mount), sorted by path.
    pub fn mounts_of(table: &Map<String, Value>) -> Vec<MountInfo> {
        let mut mounts: Vec<MountInfo> = table
            .iter()
            .filter_map(|(path, mount)| {
                let mount = mount.as_object()?;
                let text = |key: &str| mount.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
                Some(MountInfo {
                    path: path.clone(),
                    kind: text("type"),
                    version: mount
                        .get("options")
                        .and_then(|o| o.get("version"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    description: text("description"),
                    accessor: text("accessor"),
                })
            })
            .collect();
        mounts.sort_by(|a, b| a.path.cmp(&b.path));
        mounts
    }
}
