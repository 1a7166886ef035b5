//! `sys/internal/*`: what the CLI and consoles ask to learn about the server — the mounts
//! a token can see (the CLI learns KV versions here), the caller's resultant ACL, and the
//! OpenAPI document generated from every mounted backend's path table.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::SystemBackend;
use crate::core::mounts::Table;
use crate::framework::{FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};
use crate::policy::Acl;

/// Whether any rule of `acl` grants something at or under the mount at `prefix` (a
/// rule naming a path above the mount, like `*`, counts too).
fn reaches(acl: &Acl, prefix: &str) -> bool {
    let resultant = acl.resultant();
    let grants = |rule: &Value| rule["capabilities"].as_array().is_some_and(|c| c.iter().any(|c| c != "deny"));
    let matches = |pattern: &str, glob: bool| {
        let pattern = pattern.trim_start_matches('/');
        let overlap = pattern.len().min(prefix.len());
        let (a, b) = (&pattern[..overlap.min(pattern.len())], &prefix[..overlap]);
        let same = a.split('/').zip(b.split('/')).all(|(x, y)| x == "+" || x == y || (glob && y.starts_with(x)));
        same && (pattern.len() >= prefix.len() || glob)
    };
    let section = |name: &str, glob: bool| {
        resultant[name].as_object().is_some_and(|rules| rules.iter().any(|(p, rule)| grants(rule) && matches(p, glob)))
    };
    section("exact_paths", false) || section("glob_paths", true)
}

impl SystemBackend {
    /// Mounts for a UI: with a token, those its ACL reaches (any capability at or under the
    /// mount); without, only those listed as `unauth`, with three fields each.
    async fn ui_mounts(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let core = self.core()?;
        let state = core.unsealed()?;
        let token = match req.client_token.as_deref() {
            Some(t) if !t.is_empty() => state.tokens.lookup(t).await?,
            _ => None,
        };
        let acl = match &token {
            Some(entry) => Some(core.acl_for(&entry.policies).await?),
            None => None,
        };
        let router = state.router();
        let mut out = json!({ "auth": {}, "secret": {} });
        for route in router.routes() {
            let section = if route.table == Table::Auth { "auth" } else { "secret" };
            let unauth = route.entry.config.listing_visibility == "unauth";
            let value = match &acl {
                Some(acl) if unauth || acl.is_root() || reaches(acl, &route.prefix) => route.entry.to_json(route.table),
                None if unauth => json!({
                    "description": route.entry.description,
                    "options": route.entry.options,
                    "type": route.entry.kind,
                }),
                _ => continue,
            };
            out[section][route.entry.path.as_str()] = value;
        }
        Ok(Some(Response::data(out)))
    }

    /// One mount, found by longest prefix, with `path`. A mount the token cannot reach
    /// gets the same 403 as none at all, so mounts cannot be enumerated.
    async fn ui_mount(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let core = self.core()?;
        let state = core.unsealed()?;
        let token = match req.client_token.as_deref() {
            Some(t) if !t.is_empty() => state.tokens.lookup(t).await?.ok_or(Error::PermissionDenied)?,
            _ => return Err(Error::PermissionDenied),
        };
        let path = d.string("path")?;
        let folder = if path.ends_with('/') { path.clone() } else { format!("{path}/") };
        let denied = || {
            Error::Forbidden(format!(
                "preflight capability check returned 403, please ensure client's policies grant access to path {folder:?}"
            ))
        };
        let router = state.router();
        let (route, _) = router.route(&folder).ok_or_else(denied)?;
        let acl = core.acl_for(&token.policies).await?;
        if !acl.is_root() && !reaches(&acl, &route.prefix) {
            return Err(denied());
        }
        let mut entry = route.entry.to_json(route.table);
        entry["path"] = json!(route.entry.path);
        Ok(Some(Response::data(entry)))
    }

    async fn resultant_acl(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let token = req.token.clone().ok_or(Error::PermissionDenied)?;
        let acl = self.core()?.acl_for(&token.policies).await?;
        Ok(Some(Response::data(acl.resultant())))
    }

    async fn openapi(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let state = self.core()?.unsealed()?;
        let router = state.router();
        let mut paths = Map::new();
        for route in router.routes() {
            crate::framework::openapi::add_paths(&mut paths, &route.prefix, &route.backend.path_docs());
        }
        let doc = crate::framework::openapi::document(paths);
        Ok(Some(Response::data(doc).raw()))
    }

    async fn locked_users(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let only = d.opt_string("mount_accessor")?.filter(|a| !a.is_empty());
        Ok(Some(Response::data(self.core()?.locked_users(only.as_deref()).await?)))
    }

    async fn unlock_user(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        self.core()?.unlock_user(&d.string("mount_accessor")?, &d.string("alias_identifier")?).await?;
        Ok(None)
    }
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    use crate::framework::Field;
    use Operation::*;
    vec![
        Path::new("internal/ui/mounts")
            .on(Read, SystemBackend::ui_mounts)
            .help("Mounts a UI may show to this caller.", "Needs no token; lists more with one."),
        Path::new("internal/ui/mounts/{path*}")
            .on(Read, SystemBackend::ui_mount)
            .help("The mount serving a path (the CLI learns KV versions here).", ""),
        Path::new("internal/ui/resultant-acl")
            .on(Read, SystemBackend::resultant_acl)
            .help("The caller's combined policy rules.", ""),
        Path::new("internal/specs/openapi")
            .on(Read, SystemBackend::openapi)
            .help("The OpenAPI document of every mounted path.", ""),
        Path::new("locked-users")
            .field(Field::string("mount_accessor", "Only this auth mount."))
            .on(Read, SystemBackend::locked_users)
            .help("Users locked out after repeated failed logins.", ""),
        Path::new("locked-users/{mount_accessor}/unlock/{alias_identifier*}")
            .on(Update, SystemBackend::unlock_user)
            .help("Unlock a user.", ""),
    ]
}
