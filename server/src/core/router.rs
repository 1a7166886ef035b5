//! The router: mount tables turned into live backends. A request goes to the mount with
//! the longest matching prefix, and the backend sees the rest of the path. A router is
//! immutable; mount changes build a new one (reusing unchanged backends) and swap it in.

use crate::audit::MountRef;
use std::collections::HashMap;
use std::sync::{Arc, Weak};

use super::Core;
use super::mounts::{MountEntry, MountTable, Table};
use crate::framework::Backend;
use crate::logical::{BackendConfig, Error, MountInfo, StorageView, SystemView};

pub struct RouteEntry {
    pub table: Table,
    /// Where requests reach it: `secret/`, `auth/userpass/`.
    pub prefix: String,
    pub entry: MountEntry,
    pub backend: Arc<dyn Backend>,
    /// The mount as audit entries name it, built once here rather than per request.
    pub audit: Arc<MountRef>,
}

pub struct Router {
    /// Longest prefix first, so the first match is the longest.
    routes: Vec<RouteEntry>,
}

impl Router {
    /// Build the routes for `secret` and `auth`, reusing the backends of `previous` for
    /// mounts that still exist (same uuid and type).
    pub fn build(
        core: &Weak<Core>,
        secret: &MountTable,
        auth: &MountTable,
        previous: Option<&Router>,
    ) -> Result<Router, Error> {
        let reuse: HashMap<&str, &RouteEntry> =
            previous.map(|r| r.routes.iter().map(|e| (e.entry.uuid.as_str(), e)).collect()).unwrap_or_default();
        let mut routes = Vec::new();
        for (table, mounts) in [(Table::Secret, secret), (Table::Auth, auth)] {
            for entry in &mounts.entries {
                let backend = match reuse.get(entry.uuid.as_str()) {
                    Some(old) if old.entry.kind == entry.kind && old.entry.options == entry.options => {
                        old.backend.clone()
                    }
                    _ => instantiate(core, table, entry)?,
                };
                let prefix = table.route_prefix(&entry.path);
                let audit = Arc::new(MountRef {
                    point: prefix.clone(),
                    kind: entry.kind.clone(),
                    accessor: entry.accessor.clone(),
                    class: match table {
                        Table::Secret => "secret",
                        Table::Auth => "auth",
                    },
                    non_hmac_request_keys: entry.config.audit_non_hmac_request_keys.clone(),
                    non_hmac_response_keys: entry.config.audit_non_hmac_response_keys.clone(),
                });
                routes.push(RouteEntry { table, prefix, entry: entry.clone(), backend, audit });
            }
        }
        routes.sort_by(|a, b| b.prefix.len().cmp(&a.prefix.len()).then_with(|| a.prefix.cmp(&b.prefix)));
        Ok(Router { routes })
    }

    /// The mount serving `path`, and the path relative to it.
    pub fn route<'p>(&self, path: &'p str) -> Option<(&RouteEntry, &'p str)> {
        self.routes.iter().find_map(|r| path.strip_prefix(r.prefix.as_str()).map(|rest| (r, rest)))
    }

    /// One table's entries, sorted by path.
    pub fn table(&self, table: Table) -> MountTable {
        let mut entries: Vec<MountEntry> =
            self.routes.iter().filter(|r| r.table == table).map(|r| r.entry.clone()).collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        MountTable { entries }
    }

    pub fn routes(&self) -> impl Iterator<Item = &RouteEntry> {
        self.routes.iter()
    }

    pub fn by_uuid(&self, uuid: &str) -> Option<&RouteEntry> {
        self.routes.iter().find(|r| r.entry.uuid == uuid)
    }

    pub fn by_accessor(&self, accessor: &str) -> Option<&RouteEntry> {
        self.routes.iter().find(|r| r.entry.accessor == accessor)
    }
}

/// A new backend instance for `entry`.
fn instantiate(core: &Weak<Core>, table: Table, entry: &MountEntry) -> Result<Arc<dyn Backend>, Error> {
    match (table, entry.kind.as_str()) {
        (Table::Secret, "system") => return Ok(Arc::new(crate::engines::sys::backend(core.clone()))),
        (Table::Auth, "token") => return Ok(Arc::new(crate::token::backend(core.clone()))),
        _ => {}
    }
    let factory = match table {
        Table::Secret => crate::engines::registry(),
        Table::Auth => crate::auth::registry(),
    }
    .into_iter()
    .find(|(kind, _)| *kind == entry.kind)
    .map(|(_, factory)| factory)
    .ok_or_else(|| Error::invalid(format!("plugin not found in the catalog: {}", entry.kind)))?;
    let barrier = core.upgrade().ok_or(Error::Sealed)?.barrier().clone();
    factory(BackendConfig {
        storage: StorageView::new(barrier, table.data_prefix(&entry.uuid)),
        mount: MountInfo {
            path: entry.path.clone(),
            kind: entry.kind.clone(),
            accessor: entry.accessor.clone(),
            options: entry.options.clone().unwrap_or_default(),
        },
        system: Arc::new(LiveMountView { core: core.clone(), uuid: entry.uuid.clone() }),
    })
}

/// Lease settings read from the mount's current entry, so tuning applies at once.
struct LiveMountView {
    core: Weak<Core>,
    uuid: String,
}

impl LiveMountView {
    fn config<T>(&self, pick: impl Fn(&super::mounts::MountConfig) -> T, fallback: T) -> T {
        let Some(core) = self.core.upgrade() else { return fallback };
        let Ok(state) = core.unsealed() else { return fallback };
        let router = state.router();
        router.by_uuid(&self.uuid).map(|r| pick(&r.entry.config)).unwrap_or(fallback)
    }
}

impl SystemView for LiveMountView {
    fn default_lease_ttl(&self) -> u64 {
        self.config(|c| c.effective_default_ttl(), super::mounts::SYSTEM_MAX_TTL)
    }
    fn max_lease_ttl(&self) -> u64 {
        self.config(|c| c.effective_max_ttl(), super::mounts::SYSTEM_MAX_TTL)
    }
}
