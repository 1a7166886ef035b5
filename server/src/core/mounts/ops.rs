//! Enabling, disabling, tuning and moving mounts. Every change is validated, persisted,
//! then made live by swapping in a rebuilt router, under one lock so changes never
//! interleave.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::table::{MountConfig, MountEntry, MountTable, Table};
use crate::core::Core;
use crate::core::router::Router;
use crate::logical::{Error, Storage};

/// Paths no secret engine may take (Vault's protected mounts).
const RESERVED: [&str; 5] = ["sys/", "auth/", "cubbyhole/", "identity/", "audit/"];
/// Types that exist once, mounted by the core.
const SINGLETONS: [&str; 4] = ["cubbyhole", "system", "identity", "token"];
/// Mounts that cannot be moved, tuned or disabled.
const PROTECTED: [&str; 4] = ["sys/", "cubbyhole/", "identity/", "audit/"];

pub struct MountRequest {
    pub table: Table,
    pub path: String,
    pub kind: String,
    pub description: String,
    pub config: MountConfig,
    pub options: Option<BTreeMap<String, String>>,
    pub local: bool,
    pub seal_wrap: bool,
    pub external_entropy_access: bool,
    pub plugin_version: String,
}

/// Fields of a tune; `None` leaves a setting as it is.
#[derive(Default)]
pub struct TuneRequest {
    pub default_lease_ttl: Option<u64>,
    pub max_lease_ttl: Option<u64>,
    pub description: Option<String>,
    pub options: Option<BTreeMap<String, String>>,
    pub listing_visibility: Option<String>,
    pub passthrough_request_headers: Option<Vec<String>>,
    pub allowed_response_headers: Option<Vec<String>>,
    pub audit_non_hmac_request_keys: Option<Vec<String>>,
    pub audit_non_hmac_response_keys: Option<Vec<String>>,
    pub token_type: Option<String>,
    pub plugin_version: Option<String>,
}

/// `a`, `a/` → `a/`.
pub fn as_mount_path(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.ends_with('/') { trimmed.to_string() } else { format!("{trimmed}/") }
}

fn check_ttls(default: u64, max: u64) -> Result<(), Error> {
    if default > 0 && max > 0 && default > max {
        return Err(Error::invalid("given default lease TTL greater than given max lease TTL"));
    }
    Ok(())
}

fn check_kv_version(options: &BTreeMap<String, String>) -> Result<(), Error> {
    match options.get("version").map(String::as_str) {
        None | Some("") | Some("1") | Some("2") => Ok(()),
        Some(other) => Err(Error::invalid(format!("invalid version provided: {other}"))),
    }
}

impl Core {
    /// Enable a secret engine or auth method.
    pub async fn mount(&self, req: MountRequest) -> Result<(), Error> {
        let state = self.unsealed()?;
        let _one_at_a_time = state.mounts_lock.lock().await;
        let path = as_mount_path(&req.path);
        if path == "/" {
            return Err(Error::invalid("a mount path is required"));
        }
        let (mut kind, mut options) = (req.kind.clone(), req.options.clone());
        if kind.is_empty() {
            return Err(Error::invalid("backend type must be specified as a string"));
        }
        if kind == "kv-v2" {
            kind = "kv".into();
            options.get_or_insert_with(BTreeMap::new).insert("version".into(), "2".into());
        }
        match req.table {
            Table::Secret => {
                if RESERVED.iter().any(|r| path == *r || path.starts_with(r)) {
                    return Err(Error::invalid(format!("cannot mount {path:?}")));
                }
                if SINGLETONS.contains(&kind.as_str()) {
                    return Err(Error::invalid(format!("mount type of {kind:?} is not mountable")));
                }
            }
            Table::Auth => {
                if kind == "token" {
                    return Err(Error::invalid("token credential backend cannot be instantiated"));
                }
            }
        }
        if kind == "kv" {
            check_kv_version(options.as_ref().unwrap_or(&BTreeMap::new()))?;
            options.get_or_insert_with(BTreeMap::new);
        }
        check_ttls(req.config.default_lease_ttl, req.config.max_lease_ttl)?;

        let router = state.router();
        let mut table = router.table(req.table);
        if let Some(clash) = table.entries.iter().find(|e| e.path.starts_with(&path) || path.starts_with(&e.path)) {
            return Err(Error::invalid(format!("path is already in use at {}", clash.path)));
        }
        let mut entry = MountEntry::new(req.table, &path, &kind, &req.description)?;
        entry.config = req.config;
        if req.table == Table::Auth && entry.config.token_type.is_none() {
            entry.config.token_type = Some("default-service".into());
        }
        entry.options = options;
        entry.local = req.local;
        entry.seal_wrap = req.seal_wrap;
        entry.external_entropy_access = req.external_entropy_access;
        entry.plugin_version = req.plugin_version;
        table.entries.push(entry);
        self.install_table(&state, req.table, table).await?;
        tracing::info!(path = %req.table.route_prefix(&path), kind = %kind, "mounted");
        Ok(())
    }

    /// Disable a mount and delete its data. Disabling what is not mounted is not an error.
    pub async fn unmount(&self, table_kind: Table, path: &str) -> Result<(), Error> {
        let state = self.unsealed()?;
        let _one_at_a_time = state.mounts_lock.lock().await;
        let path = as_mount_path(path);
        if table_kind == Table::Secret && PROTECTED.contains(&path.as_str()) {
            return Err(Error::invalid(format!("cannot unmount {path:?}")));
        }
        if table_kind == Table::Auth && path == "token/" {
            return Err(Error::invalid("token credential backend cannot be disabled"));
        }
        let mut table = state.router().table(table_kind);
        let Some(index) = table.entries.iter().position(|e| e.path == path) else { return Ok(()) };
        // The method's tokens die with it. Revoked before the mount goes, so a failure
        // leaves the mount in place to retry; and again after, for logins that raced.
        if table_kind == Table::Auth {
            self.revoke_tokens_of_auth_mount(&path).await?;
        }
        let entry = table.entries.remove(index);
        self.install_table(&state, table_kind, table).await?;
        if table_kind == Table::Auth {
            self.revoke_tokens_of_auth_mount(&path).await?;
        }
        self.barrier().delete_prefix(&table_kind.data_prefix(&entry.uuid)).await?;
        tracing::info!(path = %table_kind.route_prefix(&path), "unmounted");
        Ok(())
    }

    /// Change a mount's settings.
    pub async fn tune(&self, table_kind: Table, path: &str, tune: TuneRequest) -> Result<(), Error> {
        let state = self.unsealed()?;
        let _one_at_a_time = state.mounts_lock.lock().await;
        let path = as_mount_path(path);
        let mut table = state.router().table(table_kind);
        let shown = table_kind.route_prefix(&path);
        let Some(entry) = table.entries.iter_mut().find(|e| e.path == path) else {
            return Err(Error::invalid(format!("tune of path {shown:?} failed: no mount entry found")));
        };
        if table_kind == Table::Secret && PROTECTED.contains(&path.as_str()) {
            return Err(Error::invalid(format!("cannot tune parameters of {path}")));
        }
        let config = &mut entry.config;
        let default = tune.default_lease_ttl.unwrap_or(config.default_lease_ttl);
        let max = tune.max_lease_ttl.unwrap_or(config.max_lease_ttl);
        if default > 0 && max > 0 && default > max {
            return Err(Error::invalid(format!(
                "backend max lease TTL of {max} would be less than backend default lease TTL of {default}"
            )));
        }
        config.default_lease_ttl = default;
        config.max_lease_ttl = max;
        if let Some(v) = tune.listing_visibility {
            if !matches!(v.as_str(), "" | "hidden" | "unauth") {
                return Err(Error::invalid(format!("invalid listing_visibility {v}")));
            }
            config.listing_visibility = v;
        }
        let lists = [
            (tune.passthrough_request_headers, &mut config.passthrough_request_headers),
            (tune.allowed_response_headers, &mut config.allowed_response_headers),
            (tune.audit_non_hmac_request_keys, &mut config.audit_non_hmac_request_keys),
            (tune.audit_non_hmac_response_keys, &mut config.audit_non_hmac_response_keys),
        ];
        for (new, field) in lists {
            if let Some(new) = new {
                *field = new;
            }
        }
        if let Some(token_type) = tune.token_type {
            if table_kind != Table::Auth {
                return Err(Error::invalid("token_type can only be tuned on auth mounts"));
            }
            if !matches!(token_type.as_str(), "default-service" | "default-batch" | "service" | "batch") {
                return Err(Error::invalid(format!("invalid value for 'token_type': {token_type:?}")));
            }
            config.token_type = Some(token_type);
        }
        if let Some(description) = tune.description {
            entry.description = description;
        }
        if let Some(version) = tune.plugin_version {
            entry.plugin_version = version;
        }
        if let Some(changes) = tune.options {
            let options = entry.options.get_or_insert_with(BTreeMap::new);
            if let Some(version) = changes.get("version").filter(|v| !v.is_empty()) {
                let current = options.get("version").cloned().unwrap_or_default();
                if version != "1" && version != "2" {
                    return Err(Error::invalid(format!("invalid version provided: {version}")));
                }
                if current == "2" && version == "1" {
                    return Err(Error::invalid("cannot downgrade mount from version 2"));
                }
                // 1 → 2: the rebuilt KV engine moves each secret into version 1 of its key
                // before it answers.
            }
            for (key, value) in changes {
                if value.is_empty() && key != "version" {
                    options.remove(&key);
                } else if !value.is_empty() {
                    options.insert(key, value);
                }
            }
        }
        self.install_table(&state, table_kind, table).await
    }

    /// Move a mount (its data stays under its uuid). Returns a migration id, as OpenBao's
    /// asynchronous move does; here the move is complete when this returns.
    pub async fn remount(&self, from: &str, to: &str) -> Result<String, Error> {
        let state = self.unsealed()?;
        let _one_at_a_time = state.mounts_lock.lock().await;
        let (from, to) = (as_mount_path(from), as_mount_path(to));
        let (from_table, from_path) = split_table(&from);
        let (to_table, to_path) = split_table(&to);
        if from_table == Table::Secret && PROTECTED.contains(&from_path.as_str()) {
            return Err(Error::invalid(format!("cannot remount {from:?}")));
        }
        if from_table == Table::Auth && from_path == "token/" {
            return Err(Error::invalid("cannot remount \"auth/token/\""));
        }
        if from_table == Table::Auth && to_table != Table::Auth {
            return Err(Error::invalid(format!("cannot remount auth mount to non-auth mount {to:?}")));
        }
        if from_table == Table::Secret && to_table == Table::Auth
            || RESERVED.iter().any(|r| to_table == Table::Secret && (to_path == *r || to_path.starts_with(r)))
        {
            return Err(Error::invalid(format!("cannot remount to destination {to}")));
        }
        let router = state.router();
        let mut table = router.table(from_table);
        // The source counts too, as in OpenBao: no move onto itself or below itself.
        if let Some(clash) = table.entries.iter().find(|e| e.path.starts_with(&to_path) || to_path.starts_with(&e.path))
        {
            return Err(Error::invalid(format!("path already in use at {:?}", from_table.route_prefix(&clash.path))));
        }
        let Some(entry) = table.entries.iter_mut().find(|e| e.path == from_path) else {
            return Err(Error::invalid(format!("no matching mount at {from:?}")));
        };
        entry.path = to_path;
        // As in OpenBao, moving an auth method revokes the tokens it issued (their login
        // path is gone); before the move and again after, as for a disable.
        if from_table == Table::Auth {
            self.revoke_tokens_of_auth_mount(&from_path).await?;
        }
        self.install_table(&state, from_table, table).await?;
        if from_table == Table::Auth {
            self.revoke_tokens_of_auth_mount(&from_path).await?;
        }
        let id = uuid::Uuid::new_v4().to_string();
        state.remounts.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), (from.clone(), to.clone()));
        tracing::info!(%from, %to, migration_id = %id, "mount moved");
        Ok(id)
    }

    /// Persist `table` and make it live.
    async fn install_table(&self, state: &crate::core::Unsealed, which: Table, table: MountTable) -> Result<(), Error> {
        let current = state.router();
        let (secret, auth) = match which {
            Table::Secret => (table, current.table(Table::Auth)),
            Table::Auth => (current.table(Table::Secret), table),
        };
        let next = Router::build(&self.handle(), &secret, &auth, Some(&current))?;
        let storage: &dyn Storage = self.barrier().as_ref();
        match which {
            Table::Secret => secret.save(storage, Table::Secret).await?,
            Table::Auth => auth.save(storage, Table::Auth).await?,
        }
        state.set_router(Arc::new(next));
        Ok(())
    }
}

/// `auth/x/` → (Auth, `x/`); `x/` → (Secret, `x/`).
fn split_table(path: &str) -> (Table, String) {
    match path.strip_prefix("auth/") {
        Some(rest) if !rest.is_empty() => (Table::Auth, rest.to_string()),
        _ => (Table::Secret, path.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_folders() {
        assert_eq!(as_mount_path("kv"), "kv/");
        assert_eq!(as_mount_path("/kv/"), "kv/");
        assert_eq!(split_table("auth/up/"), (Table::Auth, "up/".to_string()));
        assert_eq!(split_table("up/"), (Table::Secret, "up/".to_string()));
    }
}
