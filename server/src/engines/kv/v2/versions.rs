//! `delete/<path>`, `undelete/<path>`, `destroy/<path>`: act on chosen versions.
//!
//! Versions that do not exist, are trimmed, or (for delete and undelete) are destroyed
//! are skipped silently, as are missing keys: the answer is 204 either way. Destroy is
//! final: the data goes and the version stays in the history as `destroyed`.

use std::sync::Arc;

use super::super::is_entry_key;
use super::store::{KeyMetadata, deletion_time};
use super::{KvV2, path_field};
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

pub(super) fn paths() -> Vec<Path<KvV2>> {
    let versions = |what: &'static str| Field::strings("versions", what);
    vec![
        Path::new("delete/{path?*}")
            .field(path_field())
            .field(versions("The versions to soft-delete: [1,2] or \"1,2\"."))
            .on(Operation::Update, KvV2::delete_versions)
            .help(DELETE_SYNOPSIS, DELETE_DESCRIPTION),
        Path::new("undelete/{path?*}")
            .field(path_field())
            .field(versions("The versions to restore: [1,2] or \"1,2\"."))
            .on(Operation::Update, KvV2::undelete_versions)
            .help(UNDELETE_SYNOPSIS, UNDELETE_DESCRIPTION),
        Path::new("destroy/{path?*}")
            .field(path_field())
            .field(versions("The versions to destroy for good: [1,2] or \"1,2\"."))
            .on(Operation::Update, KvV2::destroy_versions)
            .help(DESTROY_SYNOPSIS, DESTROY_DESCRIPTION),
    ]
}

/// The `versions` field as numbers. An empty list is `empty_error` (OpenBao words it
/// differently for destroy); non-positive numbers name no version and are dropped.
fn requested_versions(d: &FieldData, empty_error: &str) -> Result<Vec<u64>> {
    let raw = d.strings("versions")?;
    if raw.is_empty() {
        return Err(Error::invalid(empty_error));
    }
    let mut versions = Vec::with_capacity(raw.len());
    for (i, text) in raw.iter().enumerate() {
        let number = text
            .parse::<i64>()
            .ok()
            .or_else(|| text.parse::<f64>().ok().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64));
        match number {
            Some(n) => versions.extend(u64::try_from(n).ok().filter(|n| *n > 0)),
            None => {
                return Err(Error::invalid(format!(
                    "error converting input for field \"versions\": '[{i}]' cannot parse value {text:?} as 'int'"
                )));
            }
        }
    }
    Ok(versions)
}

impl KvV2 {
    /// Under the key's lock: run `change` on its metadata and store the result, dropping
    /// the data of the versions `change` returns in the same commit. Missing keys, and
    /// keys that cannot exist, are a silent no-op.
    async fn change_versions(&self, key: &str, change: impl FnOnce(&mut KeyMetadata) -> Vec<u64>) -> Result<()> {
        if !is_entry_key(key) {
            return Ok(());
        }
        let _guard = self.locks.lock(key).await;
        let Some(mut meta) = self.store.metadata(key).await? else { return Ok(()) };
        let drop_data = change(&mut meta);
        self.store.write_key(key, &meta, None, &drop_data).await
    }

    async fn delete_versions(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let versions = requested_versions(&d, "No version number provided")?;
        let now = self.now();
        self.change_versions(&d.string("path")?, |meta| {
            for number in &versions {
                if let Some(version) = meta.versions.get_mut(number).filter(|v| !v.is_gone(now)) {
                    version.deletion_time = Some(now);
                }
            }
            Vec::new()
        })
        .await?;
        Ok(None)
    }

    async fn undelete_versions(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let versions = requested_versions(&d, "No version number provided")?;
        let config = self.store.config().await?;
        let now = self.now();
        self.change_versions(&d.string("path")?, |meta| {
            // A restored version is due again after delete_version_after, from now.
            let due = deletion_time(now, &config, meta.delete_version_after);
            for number in &versions {
                if let Some(version) = meta.versions.get_mut(number).filter(|v| !v.destroyed) {
                    version.deletion_time = due;
                }
            }
            Vec::new()
        })
        .await?;
        Ok(None)
    }

    async fn destroy_versions(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let versions = requested_versions(&d, "no version number provided")?;
        self.change_versions(&d.string("path")?, |meta| {
            let mut destroyed = Vec::new();
            for number in &versions {
                if let Some(version) = meta.versions.get_mut(number).filter(|v| !v.destroyed) {
                    version.destroyed = true;
                    destroyed.push(*number);
                }
            }
            destroyed
        })
        .await?;
        Ok(None)
    }
}

const DELETE_SYNOPSIS: &str = "Marks one or more versions as deleted in the KV store.";
const DELETE_DESCRIPTION: &str = r#"
Soft-deletes the given versions (update capability): their data stays stored but reads
answer 404 with the version's metadata. undelete/ reverses it.
"#;

const UNDELETE_SYNOPSIS: &str = "Undeletes one or more versions from the KV store.";
const UNDELETE_DESCRIPTION: &str = r#"
Restores soft-deleted versions (update capability) so reads return their data again.
Destroyed versions cannot be restored. If delete_version_after applies, the restored
version is due for deletion again that long from now.
"#;

const DESTROY_SYNOPSIS: &str = "Permanently removes one or more versions in the KV store.";
const DESTROY_DESCRIPTION: &str = r#"
Permanently deletes the data of the given versions (update capability). The versions
stay in the key's history, marked destroyed. This cannot be undone.
"#;
