//! What an engine is given when it is mounted: its storage view, its mount, and a narrow
//! view of the system (never the core itself).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::StorageView;

/// Settings of the system that engines may read, effective for their own mount.
pub trait SystemView: Send + Sync {
    /// Seconds; the mount's tuned value, or the system default (768h).
    fn default_lease_ttl(&self) -> u64;
    /// Seconds; the mount's tuned value, or the system maximum (768h).
    fn max_lease_ttl(&self) -> u64;
}

/// Fixed lease settings, for engines under test.
pub struct StaticSystemView {
    pub default_lease_ttl: u64,
    pub max_lease_ttl: u64,
}

impl SystemView for StaticSystemView {
    fn default_lease_ttl(&self) -> u64 {
        self.default_lease_ttl
    }
    fn max_lease_ttl(&self) -> u64 {
        self.max_lease_ttl
    }
}

/// Which mount an engine instance serves.
#[derive(Clone, Debug, Default)]
pub struct MountInfo {
    /// With a trailing `/`, as mounted (`secret/`; auth methods without `auth/`).
    pub path: String,
    pub kind: String,
    pub accessor: String,
    /// The mount's `options` (KV's `version`).
    pub options: BTreeMap<String, String>,
}

pub struct BackendConfig {
    pub storage: StorageView,
    pub mount: MountInfo,
    pub system: Arc<dyn SystemView>,
}

impl BackendConfig {
    /// An engine on in-memory storage with Vault's default lease settings, for tests.
    pub fn for_tests(options: &[(&str, &str)]) -> BackendConfig {
        BackendConfig {
            storage: StorageView::new(Arc::new(crate::storage::InmemLogical::default()), "logical/test/"),
            mount: MountInfo {
                path: "test/".into(),
                kind: "test".into(),
                accessor: "test_00000000".into(),
                options: options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            },
            system: Arc::new(StaticSystemView { default_lease_ttl: 2_764_800, max_lease_ttl: 2_764_800 }),
        }
    }
}
