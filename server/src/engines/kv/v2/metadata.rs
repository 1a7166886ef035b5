//! `metadata/<path>` and `detailed-metadata/<path>`: a key's settings and custom
//! metadata, its version history, and listing.
//!
//! A metadata write (or patch) changes only the fields it sends, and creates the key
//! (with no versions) when it does not exist. OpenBao's metadata check-and-set guards
//! it: `metadata_cas` must equal `current_metadata_version`, which every metadata write
//! bumps. A LIST is one storage list of the folder, paged with `after`/`limit`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::super::{check_writable, folder, is_entry_key, parse_signed_duration};
use super::config::opt_u32;
use super::custom_metadata;
use super::store::{Config, KeyMetadata};
use super::{KvV2, not_found, path_field};
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

pub(super) fn paths() -> Vec<Path<KvV2>> {
    let after = || Field::string("after", "LIST only: start after this entry (which need not exist).");
    let limit = || Field::int("limit", "LIST only: return at most this many entries; 0 means all.");
    vec![
        Path::new("metadata/{path?*}")
            .field(path_field())
            .field(Field::int("max_versions", "Versions to keep; 0 means the mount's setting."))
            .field(Field::bool("cas_required", "If true, writes to this key must carry options.cas."))
            .field(Field::bool("metadata_cas_required", "If true, metadata writes must carry metadata_cas."))
            .field(Field::raw(
                "delete_version_after",
                "Delete versions this long after creation (\"1h\" or seconds); 0 clears it. Not negative.",
            ))
            .field(Field::map("custom_metadata", "String map describing the secret; at most 64 entries."))
            .field(Field::int("metadata_cas", "Metadata check-and-set: the current_metadata_version expected."))
            .field(after())
            .field(limit())
            .on(Operation::Read, KvV2::read_metadata)
            .on(Operation::Update, KvV2::write_metadata)
            .on(Operation::Patch, KvV2::patch_metadata)
            .on(Operation::Delete, KvV2::delete_metadata)
            .on(Operation::List, KvV2::list_metadata)
            .exists(KvV2::key_exists)
            .help(SYNOPSIS, DESCRIPTION),
        Path::new("detailed-metadata/{path?*}")
            .field(path_field())
            .field(after())
            .field(limit())
            .on(Operation::List, KvV2::list_detailed_metadata)
            .help(DETAILED_SYNOPSIS, DETAILED_DESCRIPTION),
    ]
}

/// The settings a metadata write or patch sent (`None`: not sent).
struct Settings {
    max_versions: Option<u32>,
    cas_required: Option<bool>,
    metadata_cas_required: Option<bool>,
    delete_version_after: Option<i64>,
}

impl Settings {
    fn parse(req: &Request, d: &FieldData) -> Result<Settings> {
        let flag = |name: &str| d.is_set(name).then(|| d.bool(name)).transpose();
        let delete_version_after = match req.data.get("delete_version_after") {
            Some(raw) => match parse_signed_duration("delete_version_after", raw)? {
                Some(secs) if secs < 0 => {
                    let shown = raw.as_str().map_or_else(|| raw.to_string(), str::to_string);
                    return Err(Error::invalid(format!(
                        "error converting input for field \"delete_version_after\": cannot provide negative \
                         value '{shown}'"
                    )));
                }
                secs => secs,
            },
            None => None,
        };
        Ok(Settings {
            max_versions: opt_u32(d, "max_versions")?,
            cas_required: flag("cas_required")?,
            metadata_cas_required: flag("metadata_cas_required")?,
            delete_version_after,
        })
    }

    fn is_empty(&self) -> bool {
        self.max_versions.is_none()
            && self.cas_required.is_none()
            && self.metadata_cas_required.is_none()
            && self.delete_version_after.is_none()
    }

    /// Turning off what the mount requires is allowed but changes nothing: say so.
    fn warnings(&self, config: &Config) -> Vec<String> {
        let ignored = |name: &str| {
            format!("\"{name}\" set to false, but is mandated by backend config. This value will be ignored.")
        };
        let mut warnings = Vec::new();
        if config.cas_required && self.cas_required == Some(false) {
            warnings.push(ignored("cas_required"));
        }
        if config.metadata_cas_required && self.metadata_cas_required == Some(false) {
            warnings.push(ignored("metadata_cas_required"));
        }
        warnings
    }

    fn apply(&self, meta: &mut KeyMetadata) {
        if let Some(max) = self.max_versions {
            meta.max_versions = max;
        }
        if let Some(cas) = self.cas_required {
            meta.cas_required = cas;
        }
        if let Some(cas) = self.metadata_cas_required {
            meta.metadata_cas_required = cas;
        }
        if let Some(dva) = self.delete_version_after {
            meta.delete_version_after = dva;
        }
    }
}

/// The sent `custom_metadata` map, if any (`null` reads as an empty map).
fn sent_custom(d: &FieldData) -> Result<Option<Map<String, Value>>> {
    if !d.is_set("custom_metadata") {
        return Ok(None);
    }
    Ok(Some(match d.get("custom_metadata")? {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    }))
}

/// Metadata check-and-set for an existing key.
fn check_metadata_cas(config: &Config, meta: &KeyMetadata, cas: Option<i64>) -> Result<()> {
    match cas {
        None if config.metadata_cas_required || meta.metadata_cas_required => {
            Err(Error::invalid("metadata check-and-set parameter required for this call"))
        }
        Some(cas) if i128::from(cas) != i128::from(meta.current_metadata_version) => {
            Err(Error::invalid("metadata check-and-set parameter does not match the current version"))
        }
        _ => Ok(()),
    }
}

fn warnings_response(warnings: Vec<String>) -> Option<Response> {
    (!warnings.is_empty()).then(|| Response::warnings(warnings))
}

impl KvV2 {
    async fn read_metadata(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        if !is_entry_key(&key) {
            return Ok(None);
        }
        Ok(self.store.metadata(&key).await?.map(|meta| Response::data(meta.to_json())))
    }

    async fn write_metadata(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        check_writable(&key)?;
        let settings = Settings::parse(&req, &d)?;
        let custom = sent_custom(&d)?.map(|m| custom_metadata::parse_replacement(&m)).transpose()?;
        if settings.is_empty() && custom.is_none() {
            return Ok(None);
        }
        let metadata_cas = d.opt_int("metadata_cas")?;
        let config = self.store.config().await?;
        let _guard = self.locks.lock(&key).await;
        let now = self.now();
        let mut meta = match self.store.metadata(&key).await? {
            Some(mut meta) => {
                check_metadata_cas(&config, &meta, metadata_cas)?;
                meta.current_metadata_version = meta.current_metadata_version.saturating_add(1);
                meta.updated_time = now;
                meta
            }
            None => {
                if config.metadata_cas_required && metadata_cas.is_none() {
                    return Err(Error::invalid("metadata check-and-set parameter required for this call"));
                }
                if metadata_cas.is_some_and(|cas| cas != 0) {
                    return Err(Error::invalid("metadata_cas must be 0 when creating new metadata"));
                }
                KeyMetadata { created_time: now, updated_time: now, current_metadata_version: 1, ..Default::default() }
            }
        };
        settings.apply(&mut meta);
        if let Some(custom) = custom {
            meta.custom_metadata = custom;
        }
        self.store.write_key(&key, &meta, None, &[]).await?;
        Ok(warnings_response(settings.warnings(&config)))
    }

    async fn patch_metadata(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let settings = Settings::parse(&req, &d)?;
        // `"custom_metadata": null` removes the whole map, as a merge patch does.
        let clear_custom = req.data.get("custom_metadata") == Some(&Value::Null);
        let custom_patch = sent_custom(&d)?.map(|m| custom_metadata::parse_patch(&m)).transpose()?;
        if settings.is_empty() && custom_patch.is_none() {
            return Ok(None);
        }
        let key = d.string("path")?;
        check_writable(&key)?;
        let metadata_cas = d.opt_int("metadata_cas")?;
        let config = self.store.config().await?;
        let _guard = self.locks.lock(&key).await;
        let Some(mut meta) = self.store.metadata(&key).await? else { return Ok(Some(not_found())) };
        check_metadata_cas(&config, &meta, metadata_cas)?;
        settings.apply(&mut meta);
        if clear_custom {
            meta.custom_metadata = BTreeMap::new();
        }
        for (name, value) in custom_patch.unwrap_or_default() {
            match value {
                Some(value) => meta.custom_metadata.insert(name, value),
                None => meta.custom_metadata.remove(&name),
            };
        }
        // The patch alone was valid; the merged map must be too (at most 64 entries).
        custom_metadata::validate(&meta.custom_metadata)?;
        meta.current_metadata_version = meta.current_metadata_version.saturating_add(1);
        meta.updated_time = self.now();
        self.store.write_key(&key, &meta, None, &[]).await?;
        Ok(warnings_response(settings.warnings(&config)))
    }

    async fn delete_metadata(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        if !is_entry_key(&key) {
            return Ok(None);
        }
        let _guard = self.locks.lock(&key).await;
        if self.store.metadata(&key).await?.is_none() {
            return Ok(None);
        }
        self.store.delete_key(&key).await?;
        Ok(None)
    }

    /// The children of the listed folder, after `after`, at most `limit`.
    async fn list_keys(&self, d: &FieldData) -> Result<(String, Vec<String>)> {
        let folder = folder(&d.string("path")?);
        if folder.contains('\0') {
            return Ok((folder, Vec::new()));
        }
        let after = d.string("after")?;
        let limit = usize::try_from(d.int("limit")?).ok().filter(|l| *l > 0).unwrap_or(usize::MAX);
        let keys = self.store.list_metadata(&folder).await?;
        let keys = keys.into_iter().filter(|k| after.is_empty() || k.as_str() > after.as_str()).take(limit).collect();
        Ok((folder, keys))
    }

    async fn list_metadata(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let (_, keys) = self.list_keys(&d).await?;
        Ok((!keys.is_empty()).then(|| Response::list(keys)))
    }

    async fn list_detailed_metadata(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let (folder, keys) = self.list_keys(&d).await?;
        if keys.is_empty() {
            return Ok(None);
        }
        let mut info = Map::new();
        for name in &keys {
            let meta = match name.ends_with('/') {
                true => None,
                false => self.store.metadata(&format!("{folder}{name}")).await?,
            };
            info.insert(name.clone(), meta.map_or_else(|| json!({}), |m| m.to_json()));
        }
        Ok(Some(Response::data(json!({"keys": keys, "key_info": info}))))
    }
}

const SYNOPSIS: &str = "Read, write, patch, delete and list key metadata and settings in the KV store.";

const DESCRIPTION: &str = r#"
A read (read capability) returns the key's settings, custom metadata and version
history. A write (create or update capability) changes the fields sent, creating the key
with no versions if needed; custom_metadata replaces the whole map. A patch (patch
capability) changes the fields sent and merges custom_metadata (null removes an entry).
A delete (delete capability) removes the key and every version for good. A LIST (list
capability) returns the keys and folders under a folder, paged with after and limit.
"#;

const DETAILED_SYNOPSIS: &str = "List keys with their full metadata.";

const DETAILED_DESCRIPTION: &str = r#"
LIST (list capability) returns "keys" as metadata/ does, plus "key_info" mapping each key
to its full metadata (folders map to {}). Pages with after and limit.
"#;
