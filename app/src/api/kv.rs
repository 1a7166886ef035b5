//! The KV secrets browser (v1 and v2). Every call goes through the pipeline as the
//! signed-in user, so the ACL decides what they see and each reveal is in the audit
//! trail. Values leave the server only when the user asks for them: a secret is first
//! shown by its keys, and a value comes with `reveal_value`, `read_values` (editing)
//! or `diff_versions`.

use leptos::prelude::*;

use super::dto::{DiffRow, KvFolder, KvSecret, SearchResult};
use super::error::ConsoleError;

/// The sub-folders and secrets of `folder` (`""` or ending in `/`) in `mount`.
#[server(prefix = "/ui/api", endpoint = "kv/list")]
pub async fn list_folder(mount: String, folder: String) -> Result<KvFolder, ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    let folder = server::folder(&folder)?;
    let keys = kv.list(&folder).await?;
    Ok(KvFolder { mount: kv.mount, folder, keys })
}

/// A secret's keys and metadata, without values. `version` 0 is the current one.
#[server(prefix = "/ui/api", endpoint = "kv/read")]
pub async fn read_secret(mount: String, path: String, version: u64) -> Result<KvSecret, ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    kv.secret(&server::secret_path(&path)?, version).await
}

/// One value of a secret, when the user reveals or copies it. Text as stored; other
/// JSON as JSON.
#[server(prefix = "/ui/api", endpoint = "kv/reveal")]
pub async fn reveal_value(mount: String, path: String, version: u64, key: String) -> Result<String, ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    let values = kv.values(&server::secret_path(&path)?, version).await?;
    values
        .get(&key)
        .map(server::display)
        .ok_or_else(|| ConsoleError::new(404, format!("The secret has no key \"{key}\".")))
}

/// All values of a version as pretty JSON, for the editor.
#[server(prefix = "/ui/api", endpoint = "kv/values")]
pub async fn read_values(mount: String, path: String, version: u64) -> Result<String, ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    let values = kv.values(&server::secret_path(&path)?, version).await?;
    serde_json::to_string_pretty(&values).map_err(|e| ConsoleError::new(500, e.to_string()))
}

/// Write `json` (an object) as the secret's new version. On KV v2 `cas` is the version
/// the user edited (0 for a new secret), so a concurrent change is not overwritten.
/// Answers the version written (0 on KV v1).
#[server(prefix = "/ui/api", endpoint = "kv/write")]
pub async fn write_secret(mount: String, path: String, json: String, cas: Option<u64>) -> Result<u64, ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    let values = server::parse_object(&json)?;
    kv.write(&server::secret_path(&path)?, values, cas).await
}

/// Soft-delete, undelete or destroy versions (KV v2), or delete the secret (`versions`
/// empty: the latest version on v2, the secret on v1).
#[server(prefix = "/ui/api", endpoint = "kv/versions")]
pub async fn change_versions(
    mount: String,
    path: String,
    action: String,
    // An empty list is no field at all once form-encoded.
    #[server(default)] versions: Vec<u64>,
) -> Result<(), ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    kv.change_versions(&server::secret_path(&path)?, &action, versions).await
}

/// Change a KV v2 secret's metadata: `custom_metadata` as `key=value` lines (replacing
/// what was there), versions kept (empty: unchanged) and whether writes need
/// check-and-set (`cas_required` "on").
#[server(prefix = "/ui/api", endpoint = "kv/metadata")]
pub async fn write_metadata(
    mount: String,
    path: String,
    custom_metadata: String,
    max_versions: String,
    #[server(default)] cas_required: String,
) -> Result<(), ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    let custom = server::parse_pairs(&custom_metadata)?;
    let max_versions =
        match max_versions.trim() {
            "" => None,
            text => Some(text.parse::<u64>().map_err(|_| {
                ConsoleError::invalid("Versions kept must be a whole number (0 for the mount's setting).")
            })?),
        };
    kv.write_metadata(&server::secret_path(&path)?, custom, max_versions, cas_required == "on").await
}

/// A side-by-side diff of two versions' values (the user asked to compare them).
#[server(prefix = "/ui/api", endpoint = "kv/diff")]
pub async fn diff_versions(mount: String, path: String, from: u64, to: u64) -> Result<Vec<DiffRow>, ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    let path = server::secret_path(&path)?;
    let left = kv.values(&path, from).await?;
    let right = kv.values(&path, to).await?;
    server::diff(&left, &right)
}

/// Secrets whose path contains `query`, found by listing the mount folder by folder as
/// the user (so only what they may list), within a bounded number of folders.
#[server(prefix = "/ui/api", endpoint = "kv/search")]
pub async fn search_secrets(mount: String, query: String) -> Result<SearchResult, ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    kv.search(query.trim()).await
}

/// Move a secret to `to` with its history: its metadata first, then every version in
/// order (soft-deleted ones deleted again, destroyed ones kept as destroyed
/// placeholders), then the old secret removed, unless it changed meanwhile. Needs the
/// rights to do each step by hand; if a step fails, the copy is removed and the secret
/// stays where it was. Runs to the end even if the browser goes away.
#[server(prefix = "/ui/api", endpoint = "kv/move")]
pub async fn move_secret(mount: String, from: String, to: String) -> Result<(), ConsoleError> {
    let kv = server::Kv::open(&mount).await?;
    let (from, to) = (server::secret_path(&from)?, server::secret_path(&to)?);
    tokio::spawn(async move { kv.move_secret(&from, &to).await })
        .await
        .map_err(|_| ConsoleError::new(500, "the move stopped unexpectedly; check both paths"))?
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use serde_json::{Map, Value, json};

    use crate::api::client::{Caller, data_of};
    use crate::api::console::ApiOperation::{self, Delete, List, Read, Update};
    use crate::api::dto::{DiffRow, KvMetadata, KvMount, KvSecret, KvVersion, SearchResult};
    use crate::api::error::ConsoleError;

    /// Folders a search lists at most: each is a request through the pipeline (ACL,
    /// audit), so a search stays a few hundred of them.
    const SEARCH_FOLDERS: usize = 500;
    /// Matches a search returns at most.
    const SEARCH_RESULTS: usize = 200;

    #[derive(Clone)]
    pub struct Kv {
        pub mount: KvMount,
        caller: Caller,
    }

    /// A folder as typed: `""`, or ending in `/`.
    pub fn folder(folder: &str) -> Result<String, ConsoleError> {
        let folder = folder.trim_start_matches('/');
        if folder.is_empty() {
            return Ok(String::new());
        }
        check_segments(folder.trim_end_matches('/'))?;
        Ok(format!("{}/", folder.trim_end_matches('/')))
    }

    /// A secret's path: not empty, not a folder.
    pub fn secret_path(path: &str) -> Result<String, ConsoleError> {
        let path = path.trim_start_matches('/');
        if path.is_empty() || path.ends_with('/') {
            return Err(ConsoleError::invalid("A secret path cannot be empty or end in \"/\"."));
        }
        check_segments(path)?;
        Ok(path.to_string())
    }

    fn check_segments(path: &str) -> Result<(), ConsoleError> {
        if path.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
            return Err(ConsoleError::invalid(format!(
                "\"{path}\" is not a valid path: no empty, \".\" or \"..\" parts."
            )));
        }
        Ok(())
    }

    /// `key=value` lines (blank lines skipped) as a map; a line without `=` is named.
    pub fn parse_pairs(text: &str) -> Result<Map<String, Value>, ConsoleError> {
        let mut pairs = Map::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .filter(|(key, _)| !key.trim().is_empty())
                .ok_or_else(|| ConsoleError::invalid(format!("Line {}: write key=value.", number + 1)))?;
            pairs.insert(key.trim().to_string(), Value::String(value.trim().to_string()));
        }
        Ok(pairs)
    }

    pub fn parse_object(json: &str) -> Result<Map<String, Value>, ConsoleError> {
        match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(map)) if !map.is_empty() => Ok(map),
            Ok(Value::Object(_)) => Err(ConsoleError::invalid("A secret needs at least one key.")),
            Ok(_) => Err(ConsoleError::invalid("The secret must be a JSON object: {\"key\": \"value\"}.")),
            Err(e) => Err(ConsoleError::invalid(format!("The JSON is not valid: {e}."))),
        }
    }

    /// A value as the user sees it: text as is, anything else as JSON.
    pub fn display(value: &Value) -> String {
        match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn text(map: &Map<String, Value>, key: &str) -> String {
        map.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
    }

    impl Kv {
        /// The KV mount at `mount`, as the user's policies let them see it.
        pub async fn open(mount: &str) -> Result<Kv, ConsoleError> {
            let mount = mount.trim().trim_matches('/').to_string();
            check_segments(&mount)?;
            let caller = Caller::signed_in().await?;
            let info = data_of(caller.call(Read, &format!("sys/internal/ui/mounts/{mount}"), Map::new()).await?);
            if text(&info, "type") != "kv" {
                return Err(ConsoleError::invalid(format!("{mount}/ is not a KV secret engine.")));
            }
            let version = match info.get("options").and_then(|o| o.get("version")).and_then(Value::as_str) {
                Some("2") => 2,
                _ => 1,
            };
            // The mount as the server names it (`secret`, whatever the user typed).
            let mount = text(&info, "path").trim_end_matches('/').to_string();
            Ok(Kv { mount: KvMount { mount, version }, caller })
        }

        fn v2(&self) -> bool {
            self.mount.version == 2
        }

        fn at(&self, area: &str, path: &str) -> String {
            if self.v2() {
                format!("{}/{area}/{path}", self.mount.mount)
            } else {
                format!("{}/{path}", self.mount.mount)
            }
        }

        async fn call(
            &self,
            operation: ApiOperation,
            path: String,
            data: Map<String, Value>,
        ) -> Result<Map<String, Value>, ConsoleError> {
            Ok(data_of(self.caller.call(operation, &path, data).await?))
        }

        pub async fn list(&self, folder: &str) -> Result<Vec<String>, ConsoleError> {
            match self.call(List, self.at("metadata", folder), Map::new()).await {
                Ok(data) => Ok(data
                    .get("keys")
                    .and_then(Value::as_array)
                    .map(|keys| keys.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
                    .unwrap_or_default()),
                // An empty folder (or one that was never written) is a 404, as in Vault.
                Err(e) if e.status == 404 => Ok(Vec::new()),
                Err(e) => Err(e),
            }
        }

        /// A version's values (`version` 0: the current one).
        pub async fn values(&self, path: &str, version: u64) -> Result<Map<String, Value>, ConsoleError> {
            let (values, _) = self.read(path, version).await?;
            values
                .ok_or_else(|| ConsoleError::new(404, format!("Version {version} of {path} is deleted or destroyed.")))
        }

        /// Values (none if deleted) and the version's own metadata (v2).
        async fn read(
            &self,
            path: &str,
            version: u64,
        ) -> Result<(Option<Map<String, Value>>, Map<String, Value>), ConsoleError> {
            let mut query = Map::new();
            if self.v2() && version > 0 {
                query.insert("version".into(), json!(version.to_string()));
            }
            let data = self.call(Read, self.at("data", path), query).await?;
            if !self.v2() {
                return Ok((Some(data), Map::new()));
            }
            let values = match data.get("data") {
                Some(Value::Object(values)) => Some(values.clone()),
                _ => None,
            };
            Ok((values, data.get("metadata").cloned().map(object).unwrap_or_default()))
        }

        pub async fn secret(&self, path: &str, version: u64) -> Result<KvSecret, ConsoleError> {
            let (values, meta) = self.read(path, version).await?;
            let mut keys: Vec<String> = values.map(|v| v.keys().cloned().collect()).unwrap_or_default();
            keys.sort();
            let metadata = if self.v2() { self.metadata(path).await? } else { None };
            Ok(KvSecret {
                mount: self.mount.clone(),
                path: path.to_string(),
                keys,
                version: meta.get("version").and_then(Value::as_u64).unwrap_or_default(),
                created_time: text(&meta, "created_time"),
                deleted: !text(&meta, "deletion_time").is_empty(),
                destroyed: meta.get("destroyed").and_then(Value::as_bool).unwrap_or_default(),
                metadata,
            })
        }

        /// The secret's metadata, or `None` when the user's policies do not show it.
        pub async fn metadata(&self, path: &str) -> Result<Option<KvMetadata>, ConsoleError> {
            let data = match self.call(Read, self.at("metadata", path), Map::new()).await {
                Ok(data) => data,
                Err(e) if e.is_forbidden() => return Ok(None),
                Err(e) => return Err(e),
            };
            let mut versions: Vec<KvVersion> = data
                .get("versions")
                .and_then(Value::as_object)
                .map(|all| {
                    all.iter()
                        .filter_map(|(number, v)| {
                            Some(KvVersion {
                                version: number.parse().ok()?,
                                created_time: v.get("created_time")?.as_str()?.to_string(),
                                deletion_time: v
                                    .get("deletion_time")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_string(),
                                destroyed: v.get("destroyed").and_then(Value::as_bool).unwrap_or_default(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            versions.sort_by_key(|v| std::cmp::Reverse(v.version));
            let mut custom_metadata: Vec<(String, String)> = data
                .get("custom_metadata")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), display(v))).collect())
                .unwrap_or_default();
            custom_metadata.sort();
            Ok(Some(KvMetadata {
                current_version: data.get("current_version").and_then(Value::as_u64).unwrap_or_default(),
                max_versions: data.get("max_versions").and_then(Value::as_u64).unwrap_or_default(),
                cas_required: data.get("cas_required").and_then(Value::as_bool).unwrap_or_default(),
                custom_metadata,
                versions,
            }))
        }

        pub async fn write(
            &self,
            path: &str,
            values: Map<String, Value>,
            cas: Option<u64>,
        ) -> Result<u64, ConsoleError> {
            let body = if self.v2() {
                let mut body = Map::new();
                body.insert("data".into(), Value::Object(values));
                if let Some(cas) = cas {
                    body.insert("options".into(), json!({ "cas": cas }));
                }
                body
            } else {
                values
            };
            let answer = self.call(Update, self.at("data", path), body).await.map_err(|e| {
                if e.message.contains("check-and-set") {
                    ConsoleError::new(
                        409,
                        "Someone else saved a newer version while you were editing. Reload to see it, then edit again.",
                    )
                } else {
                    e
                }
            })?;
            Ok(answer.get("version").and_then(Value::as_u64).unwrap_or_default())
        }

        pub async fn write_metadata(
            &self,
            path: &str,
            custom_metadata: Map<String, Value>,
            max_versions: Option<u64>,
            cas_required: bool,
        ) -> Result<(), ConsoleError> {
            if !self.v2() {
                return Err(ConsoleError::invalid("KV version 1 keeps no metadata."));
            }
            let mut body = Map::new();
            body.insert("custom_metadata".into(), Value::Object(custom_metadata));
            body.insert("cas_required".into(), json!(cas_required));
            if let Some(versions) = max_versions {
                body.insert("max_versions".into(), json!(versions));
            }
            self.call(Update, self.at("metadata", path), body).await.map(drop)
        }

        pub async fn change_versions(&self, path: &str, action: &str, versions: Vec<u64>) -> Result<(), ConsoleError> {
            let area = match action {
                "delete" | "undelete" | "destroy" => action,
                "delete-all" => {
                    let target = if self.v2() { self.at("metadata", path) } else { self.at("data", path) };
                    return self.call(Delete, target, Map::new()).await.map(drop);
                }
                other => return Err(ConsoleError::invalid(format!("\"{other}\" is not a version action."))),
            };
            if !self.v2() {
                return match action {
                    "delete" => self.call(Delete, self.at("data", path), Map::new()).await.map(drop),
                    _ => Err(ConsoleError::invalid("KV version 1 keeps no versions to undelete or destroy.")),
                };
            }
            if versions.is_empty() {
                return Err(ConsoleError::invalid("Choose at least one version."));
            }
            let mut body = Map::new();
            body.insert("versions".into(), json!(versions));
            self.call(Update, self.at(area, path), body).await.map(drop)
        }

        pub async fn search(&self, query: &str) -> Result<SearchResult, ConsoleError> {
            if query.is_empty() {
                return Err(ConsoleError::invalid("Enter part of a path to search for."));
            }
            let needle = query.to_lowercase();
            let (mut found, truncated) =
                self.secrets(SEARCH_RESULTS, |path| path.to_lowercase().contains(&needle)).await?;
            found.sort();
            Ok(SearchResult { paths: found, truncated })
        }

        /// Paths of the secrets `keep` accepts, found by listing the mount folder by
        /// folder as the user (folders they may not list are skipped): at most `max`,
        /// from at most `SEARCH_FOLDERS` folders. `true` when it stopped early.
        pub async fn secrets(
            &self,
            max: usize,
            keep: impl Fn(&str) -> bool,
        ) -> Result<(Vec<String>, bool), ConsoleError> {
            let mut found = Vec::new();
            let mut folders = vec![String::new()];
            let mut listed = 0;
            let mut truncated = false;
            while let Some(folder) = folders.pop() {
                if listed == SEARCH_FOLDERS || found.len() == max {
                    truncated = true;
                    break;
                }
                listed += 1;
                let keys = match self.list(&folder).await {
                    Ok(keys) => keys,
                    Err(e) if e.is_forbidden() => continue,
                    Err(e) => return Err(e),
                };
                for key in keys {
                    let path = format!("{folder}{key}");
                    if key.ends_with('/') {
                        // Never more queued than could still be listed.
                        if folders.len() < SEARCH_FOLDERS {
                            folders.push(path);
                        } else {
                            truncated = true;
                        }
                    } else if keep(&path) {
                        if found.len() < max {
                            found.push(path);
                        } else {
                            truncated = true;
                        }
                    }
                }
            }
            Ok((found, truncated))
        }

        pub async fn move_secret(&self, from: &str, to: &str) -> Result<(), ConsoleError> {
            if from == to {
                return Err(ConsoleError::invalid("The new path is the same as the old one."));
            }
            if self.exists(to).await? {
                return Err(ConsoleError::new(409, format!("{to} already exists; choose another path.")));
            }
            let mut wrote = false;
            let copied = self.copy_history(from, to, &mut wrote).await;
            // The source must still be what was copied: a version written to it meanwhile
            // would otherwise be deleted with it.
            let result = match copied {
                Ok(copied_version) => match self.current_version(from).await {
                    Ok(now) if now == copied_version => {
                        return self.change_versions(from, "delete-all", Vec::new()).await;
                    }
                    Ok(_) => Err(ConsoleError::new(
                        409,
                        format!("{from} changed while it was being moved; nothing was moved."),
                    )),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            // Leave no half copy behind, but only a copy this move wrote: a secret someone
            // else created at `to` meanwhile is theirs.
            if wrote && let Err(cleanup) = self.change_versions(to, "delete-all", Vec::new()).await {
                return Err(ConsoleError::new(
                    500,
                    format!(
                        "The move failed and its partial copy at {to} could not be removed ({}); remove it by hand.",
                        cleanup.message
                    ),
                ));
            }
            result
        }

        /// The current version (v2), or 0 (v1: no versions).
        async fn current_version(&self, path: &str) -> Result<u64, ConsoleError> {
            if !self.v2() {
                return Ok(0);
            }
            Ok(self.metadata(path).await?.map(|m| m.current_version).unwrap_or_default())
        }

        async fn exists(&self, path: &str) -> Result<bool, ConsoleError> {
            let target = if self.v2() { self.at("metadata", path) } else { self.at("data", path) };
            match self.call(Read, target, Map::new()).await {
                Ok(_) => Ok(true),
                Err(e) if e.status == 404 => Ok(false),
                Err(e) => Err(e),
            }
        }

        /// Copy `from` to `to`, setting `wrote` once anything exists at `to`; answers the
        /// source's version that was copied last.
        async fn copy_history(&self, from: &str, to: &str, wrote: &mut bool) -> Result<u64, ConsoleError> {
            if !self.v2() {
                let values = self.values(from, 0).await?;
                self.write(to, values, None).await?;
                *wrote = true;
                return Ok(0);
            }
            let metadata = self
                .metadata(from)
                .await?
                .ok_or_else(|| ConsoleError::new(403, "Moving a secret needs read on its metadata."))?;
            // Metadata first, so the copy keeps as many versions as the source does;
            // check-and-set last, or it would refuse the copy's own writes.
            let mut settings = Map::new();
            settings.insert("max_versions".into(), json!(metadata.max_versions));
            settings.insert(
                "custom_metadata".into(),
                Value::Object(
                    metadata.custom_metadata.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect(),
                ),
            );
            self.call(Update, self.at("metadata", to), settings).await?;
            *wrote = true;
            let mut versions = metadata.versions.clone();
            versions.reverse();
            for (written, version) in versions.iter().enumerate() {
                let values = if version.destroyed {
                    // Its data is gone: the copy keeps its place in the history, destroyed.
                    Map::from_iter([("destroyed".to_string(), json!(true))])
                } else if !version.deletion_time.is_empty() {
                    // Soft-deleted data can still be recovered, so it moves too: undelete
                    // it for the moment it takes to read it.
                    self.change_versions(from, "undelete", vec![version.version]).await?;
                    let values = self.values(from, version.version).await;
                    self.change_versions(from, "delete", vec![version.version]).await?;
                    values?
                } else {
                    self.values(from, version.version).await?
                };
                let number = self.write(to, values, Some(written as u64)).await?;
                *wrote = true;
                if version.destroyed {
                    self.change_versions(to, "destroy", vec![number]).await?;
                } else if !version.deletion_time.is_empty() {
                    self.change_versions(to, "delete", vec![number]).await?;
                }
            }
            if metadata.cas_required {
                let mut body = Map::new();
                body.insert("cas_required".into(), json!(true));
                self.call(Update, self.at("metadata", to), body).await?;
            }
            Ok(metadata.current_version)
        }
    }

    /// Two versions side by side, line by line, as pretty JSON.
    pub fn diff(left: &Map<String, Value>, right: &Map<String, Value>) -> Result<Vec<DiffRow>, ConsoleError> {
        let pretty = |m: &Map<String, Value>| serde_json::to_string_pretty(m).unwrap_or_default();
        crate::api::diff::side_by_side(&pretty(left), &pretty(right))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_diff_pairs_changed_lines_and_keeps_the_rest() {
            let left = object(json!({"user": "app", "password": "old"}));
            let right = object(json!({"user": "app", "password": "new", "port": 5432}));
            let rows = diff(&left, &right).unwrap();
            let changed: Vec<_> = rows.iter().filter(|r| r.changed).collect();
            assert!(
                changed.iter().any(|r| r.left.as_deref() == Some("  \"password\": \"old\",")
                    && r.right.as_deref() == Some("  \"password\": \"new\",")),
                "{rows:?}"
            );
            assert!(
                changed.iter().any(|r| r.left.is_none() && r.right.as_deref() == Some("  \"port\": 5432,")),
                "{rows:?}"
            );
            assert!(rows.iter().any(|r| !r.changed && r.left.as_deref() == Some("  \"user\": \"app\"")), "{rows:?}");
        }

        #[test]
        fn paths_are_checked() {
            assert_eq!(folder("").unwrap(), "");
            assert_eq!(folder("team").unwrap(), "team/");
            assert_eq!(folder("/team/db/").unwrap(), "team/db/");
            assert!(folder("team//db").is_err());
            assert!(secret_path("team/../x").is_err());
            assert!(secret_path("team/").is_err());
            assert_eq!(secret_path("team/db").unwrap(), "team/db");
            assert!(parse_object("[1]").unwrap_err().message.contains("JSON object"));
            assert!(parse_object("{").unwrap_err().message.contains("not valid"));
            assert!(parse_object("{}").unwrap_err().message.contains("at least one key"));
            let pairs = parse_pairs("owner = team-a\n\nticket=OPS-1=2\n").unwrap();
            assert_eq!(Value::Object(pairs), json!({"owner": "team-a", "ticket": "OPS-1=2"}));
            assert!(parse_pairs("owner\n").unwrap_err().message.contains("Line 1"));
        }
    }
}
