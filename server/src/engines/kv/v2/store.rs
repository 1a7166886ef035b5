//! KV v2's storage layout and metadata model (see the layout in `engines::kv`).
//!
//! Times are Unix nanoseconds (i64, good until 2262), durations whole seconds. A key's
//! metadata is the only record of which versions exist: a version is readable when it
//! is in `versions`, not destroyed, and its `deletion_time` (if any) is still ahead.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::super::{format_time, go_duration};
use crate::logical::{Error, Result, Storage, StorageView};
use crate::storage::TxnOp;

/// Versions kept per key when neither the key nor the mount says.
const DEFAULT_MAX_VERSIONS: u32 = 10;

/// Mount-wide settings (`config`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Config {
    pub max_versions: u32,
    pub cas_required: bool,
    /// Seconds; 0 unset, negative (-1) disables delete_version_after on every key.
    pub delete_version_after: i64,
    pub metadata_cas_required: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct VersionMeta {
    pub created_time: i64,
    pub deletion_time: Option<i64>,
    pub destroyed: bool,
}

impl VersionMeta {
    /// Soft-deleted: the deletion time has come (a pending one from
    /// delete_version_after still reads).
    pub fn is_deleted(&self, now: i64) -> bool {
        self.deletion_time.is_some_and(|t| t <= now)
    }

    /// Not readable: deleted or destroyed.
    pub fn is_gone(&self, now: i64) -> bool {
        self.destroyed || self.is_deleted(now)
    }

    /// What writes answer and reads put under `metadata`.
    pub fn to_json(&self, version: u64, custom: &BTreeMap<String, String>) -> Value {
        json!({
            "created_time": format_time(self.created_time),
            "custom_metadata": custom_json(custom),
            "deletion_time": self.deletion_time.map(format_time).unwrap_or_default(),
            "destroyed": self.destroyed,
            "version": version,
        })
    }
}

/// `null` when there is none, as OpenBao shows an empty map.
pub(super) fn custom_json(custom: &BTreeMap<String, String>) -> Value {
    if custom.is_empty() { Value::Null } else { json!(custom) }
}

/// Everything about one key except its data.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct KeyMetadata {
    pub versions: BTreeMap<u64, VersionMeta>,
    /// The last version written; counts even when deleted, destroyed or trimmed.
    pub current_version: u64,
    /// 0 until the first trim, then the lowest version max_versions keeps.
    pub oldest_version: u64,
    /// The key's own settings; 0/false means the mount's.
    pub max_versions: u32,
    pub cas_required: bool,
    /// Seconds, never negative; 0 means the mount's.
    pub delete_version_after: i64,
    pub metadata_cas_required: bool,
    pub custom_metadata: BTreeMap<String, String>,
    pub created_time: i64,
    pub updated_time: i64,
    /// Bumped by every metadata write or patch (OpenBao's metadata check-and-set).
    pub current_metadata_version: u64,
}

impl KeyMetadata {
    /// Record version `current_version + 1`, created at `now`, and trim what the
    /// effective max_versions no longer keeps. Returns the new version's number and the
    /// trimmed versions, whose data the caller deletes. Trimming follows OpenBao's
    /// sliding window: once `current - oldest >= max`, everything up to
    /// `current - max` goes and `oldest_version` becomes `current - max + 1`.
    pub fn add_version(&mut self, now: i64, deletion_time: Option<i64>, config_max: u32) -> Result<(u64, Vec<u64>)> {
        let version = self
            .current_version
            .checked_add(1)
            .ok_or_else(|| Error::invalid("this key has used up its version numbers"))?;
        self.current_version = version;
        self.versions.insert(version, VersionMeta { created_time: now, deletion_time, destroyed: false });
        self.updated_time = now;
        if self.created_time == 0 {
            self.created_time = now;
        }
        let max = match self.max_versions.max(config_max) {
            0 => DEFAULT_MAX_VERSIONS,
            max => max,
        };
        let mut trimmed = Vec::new();
        if version.saturating_sub(self.oldest_version) >= u64::from(max) {
            let last_dropped = version - u64::from(max);
            let kept = self.versions.split_off(&(last_dropped + 1));
            trimmed = std::mem::replace(&mut self.versions, kept).into_keys().collect();
            self.oldest_version = last_dropped + 1;
        }
        Ok((version, trimmed))
    }

    /// The full metadata object (`GET metadata/<key>`).
    pub fn to_json(&self) -> Value {
        let versions: serde_json::Map<String, Value> = self
            .versions
            .iter()
            .map(|(n, v)| {
                let entry = json!({
                    "created_time": format_time(v.created_time),
                    "deletion_time": v.deletion_time.map(format_time).unwrap_or_default(),
                    "destroyed": v.destroyed,
                });
                (n.to_string(), entry)
            })
            .collect();
        json!({
            "cas_required": self.cas_required,
            "created_time": format_time(self.created_time),
            "current_metadata_version": self.current_metadata_version,
            "current_version": self.current_version,
            "custom_metadata": custom_json(&self.custom_metadata),
            "delete_version_after": go_duration(self.delete_version_after),
            "max_versions": self.max_versions,
            "metadata_cas_required": self.metadata_cas_required,
            "oldest_version": self.oldest_version,
            "updated_time": format_time(self.updated_time),
            "versions": versions,
        })
    }
}

/// When a version created (or undeleted) at `now` is due for deletion: now plus the
/// smallest non-zero of the mount's and the key's delete_version_after, unless the
/// mount disables it.
pub(super) fn deletion_time(now: i64, config: &Config, key_dva: i64) -> Option<i64> {
    let dva = match (config.delete_version_after, key_dva) {
        (mount, _) if mount < 0 => return None,
        (0, 0) => return None,
        (0, key) => key,
        (mount, 0) => mount,
        (mount, key) => mount.min(key),
    };
    Some(now.saturating_add(dva.saturating_mul(1_000_000_000)))
}

/// Typed access to the mount's view in the layout above. Callers hold the key's lock
/// for any read-modify-write.
pub(super) struct Store {
    view: StorageView,
}

const CONFIG_KEY: &str = "config";
const METADATA_PREFIX: &str = "metadata/";
const VERSIONS_PREFIX: &str = "versions/";

fn metadata_key(key: &str) -> String {
    format!("{METADATA_PREFIX}{key}")
}

/// `versions/<sha256(key)>/`: every key's versions in a folder of their own.
fn versions_folder(key: &str) -> String {
    format!("{VERSIONS_PREFIX}{}/", hex::encode(Sha256::digest(key.as_bytes())))
}

fn decode<T: for<'de> Deserialize<'de>>(what: &str, raw: &[u8]) -> Result<T> {
    serde_json::from_slice(raw).map_err(|e| Error::internal(format!("the stored {what} is damaged: {e}")))
}

pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(Error::internal)
}

impl Store {
    pub fn new(view: StorageView) -> Self {
        Store { view }
    }

    pub fn view(&self) -> &StorageView {
        &self.view
    }

    pub async fn config(&self) -> Result<Config> {
        match self.view.get(CONFIG_KEY).await? {
            Some(raw) => decode("KV configuration", &raw),
            None => Ok(Config::default()),
        }
    }

    pub async fn put_config(&self, config: &Config) -> Result<()> {
        Ok(self.view.put(CONFIG_KEY, &encode(config)?).await?)
    }

    /// `key` must be an entry key (`engines::kv::is_entry_key`).
    pub async fn metadata(&self, key: &str) -> Result<Option<KeyMetadata>> {
        match self.view.get(&metadata_key(key)).await? {
            Some(raw) => decode("key metadata", &raw).map(Some),
            None => Ok(None),
        }
    }

    /// Children of a metadata folder (`""` or ending in `/`): keys, and sub-folders
    /// with a trailing `/`, sorted.
    pub async fn list_metadata(&self, folder: &str) -> Result<Vec<String>> {
        Ok(self.view.list(&metadata_key(folder)).await?)
    }

    pub async fn version(&self, key: &str, version: u64) -> Result<Option<Value>> {
        match self.view.get(&format!("{}{version}", versions_folder(key))).await? {
            Some(raw) => decode("version data", &raw).map(Some),
            None => Ok(None),
        }
    }

    /// Store `meta` for `key` with, in the same commit, a new version's encoded JSON
    /// and the removal of versions whose data is no longer kept: a write lands whole
    /// or not at all, and costs one commit.
    pub async fn write_key(
        &self,
        key: &str,
        meta: &KeyMetadata,
        added: Option<(u64, Vec<u8>)>,
        dropped: &[u64],
    ) -> Result<()> {
        let folder = versions_folder(key);
        let mut ops = Vec::with_capacity(2 + dropped.len());
        if let Some((number, value)) = added {
            ops.push(TxnOp::Put { key: format!("{folder}{number}"), value });
        }
        ops.push(TxnOp::Put { key: metadata_key(key), value: encode(meta)? });
        ops.extend(dropped.iter().map(|number| TxnOp::Delete { key: format!("{folder}{number}") }));
        Ok(self.view.transaction(ops).await?)
    }

    /// Delete `key`'s metadata and every stored version, including any a crash left
    /// unreferenced, in one commit.
    pub async fn delete_key(&self, key: &str) -> Result<()> {
        let folder = versions_folder(key);
        let mut ops = vec![TxnOp::Delete { key: metadata_key(key) }];
        for version in self.view.list(&folder).await? {
            ops.push(TxnOp::Delete { key: format!("{folder}{version}") });
        }
        Ok(self.view.transaction(ops).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_after(writes: u64, key_max: u32, config_max: u32) -> KeyMetadata {
        let mut meta = KeyMetadata { max_versions: key_max, ..Default::default() };
        for i in 1..=writes {
            meta.add_version(i as i64, None, config_max).unwrap();
        }
        meta
    }

    #[test]
    fn trimming_follows_the_effective_max() {
        let meta = meta_after(5, 2, 0);
        assert_eq!((meta.oldest_version, meta.versions.keys().copied().collect::<Vec<_>>()), (4, vec![4, 5]));
        let meta = meta_after(12, 0, 0);
        assert_eq!((meta.oldest_version, meta.versions.len()), (3, 10), "default 10");
        let meta = meta_after(9, 0, 0);
        assert_eq!((meta.oldest_version, meta.versions.len()), (0, 9), "no trim yet");
        assert_eq!(meta_after(8, 5, 3).versions.len(), 5, "key 5 beats config 3");
        assert_eq!(meta_after(8, 1, 3).versions.len(), 3, "config 3 beats key 1");
    }

    #[test]
    fn lowering_max_trims_on_the_next_write_only() {
        let mut meta = meta_after(6, 0, 0);
        meta.max_versions = 2;
        assert_eq!(meta.versions.len(), 6);
        let (version, trimmed) = meta.add_version(7, None, 0).unwrap();
        assert_eq!((version, trimmed), (7, vec![1, 2, 3, 4, 5]));
        assert_eq!((meta.oldest_version, meta.versions.len()), (6, 2));
    }

    #[test]
    fn times_are_kept() {
        let meta = meta_after(3, 0, 0);
        assert_eq!((meta.created_time, meta.updated_time, meta.current_version), (1, 3, 3));
    }

    #[test]
    fn the_last_version_number_is_refused_not_wrapped() {
        let mut meta = KeyMetadata { current_version: u64::MAX, ..Default::default() };
        assert!(meta.add_version(1, None, 0).is_err());
    }

    #[test]
    fn deletion_time_takes_the_smallest_nonzero() {
        let s = 1_000_000_000;
        let cfg = |dva| Config { delete_version_after: dva, ..Default::default() };
        assert_eq!(deletion_time(0, &cfg(0), 0), None);
        assert_eq!(deletion_time(0, &cfg(2), 3600), Some(2 * s));
        assert_eq!(deletion_time(0, &cfg(0), 1), Some(s));
        assert_eq!(deletion_time(0, &cfg(60), 0), Some(60 * s));
        assert_eq!(deletion_time(0, &cfg(-1), 60), None, "disabled by the mount");
        assert_eq!(deletion_time(i64::MAX - 1, &cfg(60), 0), Some(i64::MAX), "saturates");
    }
}
