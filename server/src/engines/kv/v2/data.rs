//! `data/<path>`: read a version, write a new one, patch the current one (RFC 7396 merge
//! patch), soft-delete the current one.
//!
//! A write or patch is one read-modify-write under the key's lock: check-and-set against
//! `current_version`, store the new version's data, then the metadata naming it, then
//! drop the data of versions max_versions trimmed.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::super::{check_writable, is_entry_key};
use super::store::{Config, KeyMetadata, deletion_time, encode};
use super::{KvV2, not_found, parse_cas, path_field};
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

pub(super) fn paths() -> Vec<Path<KvV2>> {
    vec![
        Path::new("data/{path?*}")
            .field(path_field())
            .field(Field::int("version", "On reads: the version to return; absent or 0 means the current one."))
            .field(Field::map(
                "options",
                "Write options. \"cas\": check-and-set; the write happens only if the key's current version \
                 equals it (0: only if the key has no versions yet).",
            ))
            .field(Field::map("data", "The secret: a map stored as the new version and returned on read."))
            .on(Operation::Read, KvV2::read_data)
            .on(Operation::Update, KvV2::write_data)
            .on(Operation::Patch, KvV2::patch_data)
            .on(Operation::Delete, KvV2::delete_data)
            .exists(KvV2::key_exists)
            .help(SYNOPSIS, DESCRIPTION),
    ]
}

/// What a read of one version of a key finds.
pub(super) enum VersionRead {
    /// No such key or version (trimmed, never written).
    Missing,
    /// Deleted or destroyed: its metadata, for the 404 body.
    Gone(Value),
    /// Its metadata and data.
    Live(Value, Value),
}

impl KvV2 {
    /// Read version `requested` of `key` (the current one when not positive).
    pub(super) async fn read_version(&self, key: &str, requested: i64) -> Result<VersionRead> {
        if !is_entry_key(key) {
            return Ok(VersionRead::Missing);
        }
        // Reads take no lock, so a writer may trim or destroy the version between the
        // metadata and the data: then the second look at the metadata says so.
        for _ in 0..2 {
            let Some(meta) = self.store.metadata(key).await? else { return Ok(VersionRead::Missing) };
            let number = u64::try_from(requested).ok().filter(|n| *n > 0).unwrap_or(meta.current_version);
            let Some(version) = meta.versions.get(&number) else { return Ok(VersionRead::Missing) };
            let shown = version.to_json(number, &meta.custom_metadata);
            if version.is_gone(self.now()) {
                return Ok(VersionRead::Gone(shown));
            }
            if let Some(data) = self.store.version(key, number).await? {
                return Ok(VersionRead::Live(shown, data));
            }
        }
        Err(Error::internal(format!("could not find the data of a live version of {key:?}")))
    }

    async fn read_data(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        Ok(match self.read_version(&key, d.int("version")?).await? {
            VersionRead::Missing => None,
            VersionRead::Gone(metadata) => {
                Some(Response::data(json!({"data": null, "metadata": metadata})).with_status(404))
            }
            VersionRead::Live(metadata, data) => Some(Response::data(json!({"data": data, "metadata": metadata}))),
        })
    }

    async fn write_data(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        check_writable(&key)?;
        let data = sent_data(&req, &d)?;
        let config = self.store.config().await?;
        let _guard = self.locks.lock(&key).await;
        let meta = self.store.metadata(&key).await?.unwrap_or_default();
        check_cas(&d, &config, &meta)?;
        self.add_version(&key, meta, &config, &data).await.map(Some)
    }

    async fn patch_data(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        check_writable(&key)?;
        let patch = sent_data(&req, &d)?;
        if !patch.is_object() {
            return Err(Error::invalid("no data provided"));
        }
        let _guard = self.locks.lock(&key).await;
        let Some(meta) = self.store.metadata(&key).await? else { return Ok(Some(not_found())) };
        let config = self.store.config().await?;
        check_cas(&d, &config, &meta)?;
        let current = meta.current_version;
        let Some(version) = meta.versions.get(&current) else { return Ok(Some(not_found())) };
        if version.is_gone(self.now()) {
            let shown = version.to_json(current, &meta.custom_metadata);
            return Ok(Some(Response::data(shown).with_status(404)));
        }
        let mut data = self
            .store
            .version(&key, current)
            .await?
            .ok_or_else(|| Error::internal(format!("could not find the data of version {current} of {key:?}")))?;
        merge_patch(&mut data, &patch);
        self.add_version(&key, meta, &config, &data).await.map(Some)
    }

    /// Store `data` as the next version of `key` and answer as a write does. The caller
    /// holds the key's lock and has checked check-and-set.
    async fn add_version(&self, key: &str, mut meta: KeyMetadata, config: &Config, data: &Value) -> Result<Response> {
        let now = self.now();
        let next = meta
            .current_version
            .checked_add(1)
            .ok_or_else(|| Error::invalid("this key has used up its version numbers"))?;
        let due = deletion_time(now, config, meta.delete_version_after);
        let (number, trimmed) = meta.add_version(now, due, config.max_versions)?;
        debug_assert_eq!(number, next);
        self.store.write_key(key, &meta, Some((number, encode(data)?)), &trimmed).await?;
        let shown = meta.versions.get(&number).map(|v| v.to_json(number, &meta.custom_metadata));
        Ok(Response::data(shown.unwrap_or(Value::Null)))
    }

    async fn delete_data(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        if !is_entry_key(&key) {
            return Ok(None);
        }
        let _guard = self.locks.lock(&key).await;
        let Some(mut meta) = self.store.metadata(&key).await? else { return Ok(None) };
        let now = self.now();
        let current = meta.current_version;
        match meta.versions.get_mut(&current) {
            Some(version) if !version.is_gone(now) => version.deletion_time = Some(now),
            _ => return Ok(None),
        }
        self.store.write_key(&key, &meta, None, &[]).await?;
        Ok(None)
    }

    /// Whether the key has metadata (decides `create` or `update` for writes).
    pub(super) async fn key_exists(self: Arc<Self>, _req: Request, d: FieldData) -> Result<bool> {
        let key = d.string("path")?;
        Ok(is_entry_key(&key) && self.store.metadata(&key).await?.is_some())
    }
}

/// The `data` field of a write or patch. `null` is kept (OpenBao stores it and reads it
/// back as `null`); a missing field is a 400.
fn sent_data(req: &Request, d: &FieldData) -> Result<Value> {
    match req.data.get("data") {
        None => Err(Error::invalid("no data provided")),
        Some(Value::Null) => Ok(Value::Null),
        Some(_) => Ok(d.get("data")?.unwrap_or_else(|| Value::Object(Map::new()))),
    }
}

/// Check-and-set: `options.cas` must equal the current version (deleted, destroyed and
/// trimmed versions count); without it, the write is refused if the mount or the key
/// requires it.
fn check_cas(d: &FieldData, config: &Config, meta: &KeyMetadata) -> Result<()> {
    let options = d.get("options")?;
    match options.as_ref().and_then(|o| o.get("cas")) {
        Some(raw) if parse_cas(raw)? != i128::from(meta.current_version) => {
            Err(Error::invalid("check-and-set parameter did not match the current version"))
        }
        Some(_) => Ok(()),
        None if config.cas_required || meta.cas_required => {
            Err(Error::invalid("check-and-set parameter required for this call"))
        }
        None => Ok(()),
    }
}

/// RFC 7396: objects merge recursively, `null` removes a key, anything else replaces.
pub(super) fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

const SYNOPSIS: &str = "Write, patch, read and delete versioned data in the key-value store.";

const DESCRIPTION: &str = r#"
Each write (create or update capability) stores the "data" map as a new version; with
options.cas it happens only if the key's current version equals cas (0: only a new key).
A patch (patch capability) merges "data" into the current version (RFC 7396: null removes
a key) and stores the result as a new version; the key must exist and its current
version must be readable. A read (read capability) returns the current version, or the
one named by "version"; a deleted or destroyed version answers 404 with its metadata.
A delete (delete capability) soft-deletes the current version; undelete/ restores it.
"#;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::merge_patch;

    #[test]
    fn merge_patch_follows_rfc7396() {
        let mut doc = json!({"a": "1", "b": {"c": "2", "d": "3"}});
        merge_patch(&mut doc, &json!({"a": null, "b": {"c": "9"}, "e": [1]}));
        assert_eq!(doc, json!({"b": {"c": "9", "d": "3"}, "e": [1]}));

        let mut doc = json!({"a": [1, 2], "b": {"x": 1}});
        merge_patch(&mut doc, &json!({"a": [3], "b": "flat", "c": {"d": null, "e": 1}}));
        assert_eq!(doc, json!({"a": [3], "b": "flat", "c": {"e": 1}}), "arrays replace, nulls in new objects go");

        let mut doc = json!(null);
        merge_patch(&mut doc, &json!({"a": 1}));
        assert_eq!(doc, json!({"a": 1}));
        let mut doc = json!({"a": 1});
        merge_patch(&mut doc, &json!({}));
        assert_eq!(doc, json!({"a": 1}), "an empty patch changes nothing");
    }
}
