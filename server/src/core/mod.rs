//! The core: the seal state, what exists only while unsealed (mount router, token store,
//! cluster identity), and the request pipeline. It knows nothing about HTTP or the
//! console; `http/` and `console` adapt to it.

mod ceremonies;
mod cluster;
mod leases;
mod lifecycle;
mod lockout;
pub mod mounts;
mod pipeline;
pub mod policies;
mod router;
mod status;
mod tokens;

use std::sync::{Arc, RwLock, Weak};

pub use ceremonies::{GenerateRootStatus, RekeyStatus, RekeyVerifyStatus};
pub use cluster::ClusterInfo;
pub use leases::LeaseInfo;
pub use lifecycle::{InitRequest, InitResult};
pub use router::{RouteEntry, Router};
pub use status::{HealthStatus, LeaderStatus, SealStatus};

use crate::barrier::Barrier;
use crate::logical::Error;
use crate::seal::generate_root::GenerateRootAttempt;
use crate::seal::rekey::RekeyAttempt;
use crate::seal::{SealStore, ShareCollector};
use crate::storage::Physical;
use crate::token::TokenStore;

/// The OpenBao API level Arcanum implements.
pub const API_VERSION: &str = "2.7.2";

/// The version reported to clients: the API level, with Arcanum's own version as build
/// metadata. Tools such as Terraform's Vault provider switch features on by this number.
pub const VERSION: &str = concat!("2.7.2+arcanum.", env!("CARGO_PKG_VERSION"));

pub struct Core {
    barrier: Arc<Barrier>,
    seal: SealStore,
    /// Serialises init, unseal, seal and the key-share ceremonies.
    ceremonies: tokio::sync::Mutex<Ceremonies>,
    /// Present exactly while unsealed.
    unsealed: RwLock<Option<Arc<Unsealed>>>,
    /// The unseal attempt's progress and nonce, published for status calls so that they
    /// never wait behind a ceremony holding the lock.
    unseal_progress: RwLock<(usize, String)>,
    /// For backends (the `sys` backend) that call back into the core.
    weak: Weak<Core>,
    /// Audit devices the config declares, enabled at each unseal when missing.
    declared_audit: RwLock<Vec<crate::audit::EnableRequest>>,
}

#[derive(Default)]
struct Ceremonies {
    unseal: Option<ShareCollector>,
    rekey: Option<RekeyAttempt>,
    generate_root: Option<GenerateRootAttempt>,
}

/// Everything that needs the barrier's keys.
pub(crate) struct Unsealed {
    router: RwLock<Arc<Router>>,
    /// Serialises mount table changes.
    pub mounts_lock: tokio::sync::Mutex<()>,
    /// Finished mount moves, for `sys/remount/status/<id>`: id → (from, to).
    pub remounts: std::sync::Mutex<std::collections::HashMap<String, (String, String)>>,
    pub tokens: TokenStore,
    pub cluster: ClusterInfo,
    pub(crate) lockout: lockout::Lockout,
    pub(crate) policies: policies::PolicyCache,
    pub audit: Arc<crate::audit::Broker>,
}

impl Unsealed {
    /// The router as it is now (a snapshot: mount changes swap in a new one).
    pub fn router(&self) -> Arc<Router> {
        self.router.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_router(&self, router: Arc<Router>) {
        *self.router.write().unwrap_or_else(|p| p.into_inner()) = router;
    }
}

impl Core {
    pub fn new(physical: Arc<dyn Physical>) -> Arc<Core> {
        let barrier = Arc::new(Barrier::new(physical.clone()));
        Arc::new_cyclic(|weak| Core {
            barrier,
            seal: SealStore::new(physical),
            ceremonies: tokio::sync::Mutex::new(Ceremonies::default()),
            unsealed: RwLock::new(None),
            unseal_progress: RwLock::new((0, String::new())),
            weak: weak.clone(),
            declared_audit: RwLock::new(Vec::new()),
        })
    }

    /// The config's `audit` blocks, applied from the next unseal on.
    pub fn declare_audit_devices(&self, declared: Vec<crate::audit::EnableRequest>) {
        *self.declared_audit.write().unwrap_or_else(|p| p.into_inner()) = declared;
    }

    pub fn is_sealed(&self) -> bool {
        self.unsealed.read().unwrap_or_else(|p| p.into_inner()).is_none()
    }

    pub fn storage_type(&self) -> &'static str {
        self.barrier.physical().kind()
    }

    pub fn barrier(&self) -> &Arc<Barrier> {
        &self.barrier
    }

    /// The unsealed state, or `Sealed` (503).
    pub(crate) fn unsealed(&self) -> Result<Arc<Unsealed>, Error> {
        self.unsealed.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or(Error::Sealed)
    }

    fn set_unsealed(&self, state: Option<Arc<Unsealed>>) {
        *self.unsealed.write().unwrap_or_else(|p| p.into_inner()) = state;
    }

    /// A handle to this core, for backends built while unsealing.
    fn handle(&self) -> Weak<Core> {
        self.weak.clone()
    }

    /// Run `work` on its own task and wait for it. If the caller is dropped midway (the
    /// client disconnects, the request times out) the work still completes, so a change
    /// of several steps is never left half done.
    async fn detached<T, F, Fut>(&self, work: F) -> Result<T, Error>
    where
        F: FnOnce(Arc<Core>) -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let core = self.weak.upgrade().ok_or_else(|| Error::internal("the server is shutting down"))?;
        tokio::spawn(work(core)).await.map_err(|e| Error::Internal(format!("the operation did not finish: {e}")))?
    }

    /// Record the unseal attempt's state for status calls.
    fn publish_progress(&self, ceremonies: &Ceremonies) {
        let progress = ceremonies.unseal.as_ref().map(|c| (c.progress(), c.nonce.clone())).unwrap_or_default();
        *self.unseal_progress.write().unwrap_or_else(|p| p.into_inner()) = progress;
    }
}
