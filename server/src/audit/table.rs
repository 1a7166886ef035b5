//! The audit table: which devices are enabled, with their options and salts. Stored
//! encrypted behind the barrier at `core/audit`, like the mount tables.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::logical::{Error, Storage};

const TABLE_KEY: &str = "core/audit";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeviceConfig {
    /// With a trailing `/`.
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    #[serde(default)]
    pub local: bool,
    pub uuid: String,
    /// The device's HMAC key, hex. Never shown by the API.
    pub salt: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AuditTable {
    pub entries: Vec<DeviceConfig>,
}

impl AuditTable {
    pub async fn load(storage: &dyn Storage) -> Result<AuditTable, Error> {
        match storage.get(TABLE_KEY).await? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::Internal(format!("the stored audit table is corrupt: {e}"))),
            None => Ok(AuditTable::default()),
        }
    }

    pub async fn save(&self, storage: &dyn Storage) -> Result<(), Error> {
        storage.put(TABLE_KEY, &serde_json::to_vec(self).map_err(Error::internal)?).await?;
        Ok(())
    }

    pub fn get(&self, path: &str) -> Option<&DeviceConfig> {
        self.entries.iter().find(|e| e.path == path)
    }
}

/// `file` and `file/` both name the device at `file/`. Paths are names: word
/// characters, `-`, `.` and inner `/`, as mount paths.
pub fn normalize_path(path: &str) -> Result<String, Error> {
    let trimmed = path.trim_end_matches('/');
    let valid = !trimmed.is_empty()
        && trimmed.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c))
        });
    if !valid {
        return Err(Error::invalid(format!("{path:?} is not a valid audit device path")));
    }
    Ok(format!("{trimmed}/"))
}
