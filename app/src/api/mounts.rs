//! Secret engines and auth methods, as the user's policies let them see them.

use leptos::prelude::*;

use super::dto::{MountInfo, MountTable};
use super::error::ConsoleError;

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
