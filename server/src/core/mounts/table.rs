//! The stored form of the mount tables and how entries are shown by `sys/mounts`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::SYSTEM_MAX_TTL;
use crate::logical::{Error, Storage};

/// Which table: secret engines (routed at their path) or auth methods (at `auth/<path>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Secret,
    Auth,
}

impl Table {
    fn storage_key(self) -> &'static str {
        match self {
            Table::Secret => "core/mounts",
            Table::Auth => "core/auth",
        }
    }

    /// Where a mount's data lives: `logical/<uuid>/` or `auth/<uuid>/`.
    pub fn data_prefix(self, uuid: &str) -> String {
        match self {
            Table::Secret => format!("logical/{uuid}/"),
            Table::Auth => format!("auth/{uuid}/"),
        }
    }

    /// Where requests reach a mount: `secret/` or `auth/userpass/`.
    pub fn route_prefix(self, path: &str) -> String {
        match self {
            Table::Secret => path.to_string(),
            Table::Auth => format!("auth/{path}"),
        }
    }
}

/// Tunable settings. TTLs are stored as given: 0 means "the system's".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MountConfig {
    pub default_lease_ttl: u64,
    pub max_lease_ttl: u64,
    pub force_no_cache: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audit_non_hmac_request_keys: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audit_non_hmac_response_keys: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub listing_visibility: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passthrough_request_headers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_response_headers: Vec<String>,
    /// Auth mounts only: `default-service`, `default-batch`, `service`, `batch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

impl MountConfig {
    pub fn effective_default_ttl(&self) -> u64 {
        if self.default_lease_ttl > 0 { self.default_lease_ttl } else { SYSTEM_MAX_TTL }
    }

    pub fn effective_max_ttl(&self) -> u64 {
        if self.max_lease_ttl > 0 { self.max_lease_ttl } else { SYSTEM_MAX_TTL }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MountEntry {
    /// With a trailing `/` (auth methods without the `auth/` prefix).
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub uuid: String,
    pub accessor: String,
    pub config: MountConfig,
    /// `None` for core mounts; string values only (KV's `version`).
    pub options: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub local: bool,
    #[serde(default)]
    pub seal_wrap: bool,
    #[serde(default)]
    pub external_entropy_access: bool,
    #[serde(default)]
    pub plugin_version: String,
}

impl MountEntry {
    /// A new entry with a fresh uuid and accessor (`kv_0a1b2c3d`, `auth_userpass_…`).
    pub fn new(table: Table, path: &str, kind: &str, description: &str) -> Result<MountEntry, Error> {
        let random = crate::crypto::random_array::<4>().map_err(Error::Internal)?;
        let accessor = match table {
            Table::Secret => format!("{kind}_{}", hex::encode(random)),
            Table::Auth => format!("auth_{kind}_{}", hex::encode(random)),
        };
        Ok(MountEntry {
            path: path.to_string(),
            kind: kind.to_string(),
            description: description.to_string(),
            uuid: uuid::Uuid::new_v4().to_string(),
            accessor,
            config: MountConfig::default(),
            options: None,
            local: false,
            seal_wrap: false,
            external_entropy_access: false,
            plugin_version: String::new(),
        })
    }

    /// How `sys/mounts` and `sys/auth` show the entry.
    pub fn to_json(&self, table: Table) -> Value {
        let mut config = serde_json::to_value(&self.config).unwrap_or_else(|_| json!({}));
        if table == Table::Auth && self.config.token_type.is_none() {
            config["token_type"] = json!("default-service");
        }
        let mut out = json!({
            "accessor": self.accessor,
            "config": config,
            "description": self.description,
            "external_entropy_access": self.external_entropy_access,
            "local": self.local,
            "options": self.options,
            "plugin_version": self.plugin_version,
            "running_plugin_version": format!("v{}+builtin.arcanum", crate::core::API_VERSION),
            "running_sha256": "",
            "seal_wrap": self.seal_wrap,
            "type": self.kind,
            "uuid": self.uuid,
        });
        // Every builtin plugin reports its status; the core mounts are not plugins.
        if !matches!(self.kind.as_str(), "cubbyhole" | "system" | "identity" | "token") {
            out["deprecation_status"] = json!("supported");
        }
        out
    }

    /// `sys/mounts/<path>/tune`'s view: effective TTLs, and only the settings that are set.
    pub fn tune_json(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("default_lease_ttl".into(), json!(self.config.effective_default_ttl()));
        out.insert("max_lease_ttl".into(), json!(self.config.effective_max_ttl()));
        out.insert("description".into(), json!(self.description));
        out.insert("force_no_cache".into(), json!(self.config.force_no_cache));
        if let Some(options) = self.options.as_ref().filter(|o| !o.is_empty()) {
            out.insert("options".into(), json!(options));
        }
        let c = &self.config;
        let lists = [
            ("audit_non_hmac_request_keys", &c.audit_non_hmac_request_keys),
            ("audit_non_hmac_response_keys", &c.audit_non_hmac_response_keys),
            ("passthrough_request_headers", &c.passthrough_request_headers),
            ("allowed_response_headers", &c.allowed_response_headers),
        ];
        for (name, list) in lists {
            if !list.is_empty() {
                out.insert(name.into(), json!(list));
            }
        }
        if !c.listing_visibility.is_empty() {
            out.insert("listing_visibility".into(), json!(c.listing_visibility));
        }
        if let Some(token_type) = &c.token_type {
            out.insert("token_type".into(), json!(token_type));
        }
        out
    }
}

/// One table, as stored.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MountTable {
    pub entries: Vec<MountEntry>,
}

impl MountTable {
    pub async fn load(storage: &dyn Storage, table: Table) -> Result<Option<MountTable>, Error> {
        match storage.get(table.storage_key()).await? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| Error::Internal(format!("the stored mount table is corrupt: {e}"))),
            None => Ok(None),
        }
    }

    pub async fn save(&self, storage: &dyn Storage, table: Table) -> Result<(), Error> {
        storage.put(table.storage_key(), &serde_json::to_vec(self).map_err(Error::internal)?).await?;
        Ok(())
    }

    /// The tables a freshly initialised server has: `sys/` and `cubbyhole/`; `auth/token/`.
    pub fn defaults(table: Table) -> Result<MountTable, Error> {
        let entries = match table {
            Table::Secret => {
                let mut cubbyhole =
                    MountEntry::new(table, "cubbyhole/", "cubbyhole", "per-token private secret storage")?;
                cubbyhole.local = true;
                let mut sys = MountEntry::new(
                    table,
                    "sys/",
                    "system",
                    "system endpoints used for control, policy and debugging",
                )?;
                sys.seal_wrap = true;
                sys.config.passthrough_request_headers = vec!["Accept".into()];
                vec![cubbyhole, sys]
            }
            Table::Auth => {
                let mut token = MountEntry::new(table, "token/", "token", "token based credentials")?;
                token.config.token_type = Some("default-service".into());
                vec![token]
            }
        };
        Ok(MountTable { entries })
    }

    /// The entry whose path is the longest prefix of `path`.
    pub fn find_prefix(&self, path: &str) -> Option<&MountEntry> {
        self.entries.iter().filter(|e| path.starts_with(e.path.as_str())).max_by_key(|e| e.path.len())
    }

    pub fn find(&self, path: &str) -> Option<&MountEntry> {
        self.entries.iter().find(|e| e.path == path)
    }
}
