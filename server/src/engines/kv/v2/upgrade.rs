//! Moving a KV v1 mount's entries into version 1 of each key, when the mount is tuned to
//! version 2. It runs before the first request the v2 engine answers (others wait for
//! it), one key at a time: write the version, then the metadata, then delete the v1
//! entry. Each step is idempotent, so an interrupted upgrade resumes on the next request.

use serde_json::{Map, Value};

use super::super::V1_PREFIX;
use super::KvV2;
use super::store::{KeyMetadata, deletion_time};
use crate::logical::{Error, Result, Storage};

impl KvV2 {
    /// Wait until no KV v1 entries are left (at once after the first check).
    pub(in crate::engines::kv) async fn ensure_upgraded(&self) -> Result<()> {
        self.upgraded.get_or_try_init(|| self.upgrade()).await.map(|_| ())
    }

    async fn upgrade(&self) -> Result<()> {
        let mut folders = vec![String::new()];
        let mut moved = 0usize;
        while let Some(folder) = folders.pop() {
            let children = self.store.view().list(&format!("{V1_PREFIX}{folder}")).await?;
            for child in children {
                let path = format!("{folder}{child}");
                if child.ends_with('/') {
                    folders.push(path);
                } else {
                    self.upgrade_key(&path).await?;
                    moved += 1;
                }
            }
        }
        if moved > 0 {
            tracing::info!(keys = moved, "KV mount upgraded from version 1 to version 2");
        }
        Ok(())
    }

    async fn upgrade_key(&self, key: &str) -> Result<()> {
        let v1_key = format!("{V1_PREFIX}{key}");
        let _guard = self.locks.lock(key).await;
        let Some(raw) = self.store.view().get(&v1_key).await? else { return Ok(()) };
        // Already moved by an upgrade that stopped before deleting the v1 entry.
        if self.store.metadata(key).await?.is_none() {
            // Checked before storing, so a damaged entry stops the upgrade visibly.
            serde_json::from_slice::<Map<String, Value>>(&raw)
                .map_err(|e| Error::internal(format!("the KV v1 entry {key:?} is damaged: {e}")))?;
            let config = self.store.config().await?;
            let mut meta = KeyMetadata::default();
            let now = self.now();
            let (number, _) = meta.add_version(now, deletion_time(now, &config, 0), config.max_versions)?;
            self.store.write_key(key, &meta, Some((number, raw)), &[]).await?;
        }
        self.store.view().delete(&v1_key).await?;
        Ok(())
    }
}
