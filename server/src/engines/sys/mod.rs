//! The `sys/` backend: control endpoints that need a token. The unauthenticated ones
//! (`sys/init`, `sys/unseal`, `sys/seal-status`, `sys/health`, `sys/leader`, Vault's
//! legacy `sys/rekey/*` and `sys/generate-root/*`) answer while sealed and are served by
//! `http::sys_seal` directly; everything here runs through the request pipeline.

mod audit;
mod audit_log;
mod internal;
mod keys;
mod leases;
mod metrics;
mod mounts;
mod plugins;
mod policy;
mod seal;

use std::sync::{Arc, Weak};

use crate::core::Core;
use crate::framework::{Framework, SpecialPaths};
use crate::logical::Error;

pub struct SystemBackend {
    core: Weak<Core>,
}

impl SystemBackend {
    /// The core, which outlives every request routed to it.
    fn core(&self) -> Result<Arc<Core>, Error> {
        self.core.upgrade().ok_or(Error::Sealed)
    }
}

pub fn backend(core: Weak<Core>) -> Framework<SystemBackend> {
    let mut paths = Vec::new();
    paths.extend(seal::paths());
    paths.extend(audit::paths());
    paths.extend(audit_log::paths());
    paths.extend(keys::paths());
    paths.extend(leases::paths());
    paths.extend(metrics::paths());
    paths.extend(mounts::paths());
    paths.extend(plugins::paths());
    paths.extend(policy::paths());
    paths.extend(internal::paths());
    Framework::new(Arc::new(SystemBackend { core }), paths)
        .special_paths(SpecialPaths {
            // As in OpenBao: rotating the barrier key needs sudo; the key-share ceremonies
            // are authorised by the shares themselves and need only the path's capability.
            root: vec![
                "seal",
                "rotate",
                "rotate/keyring",
                "auth/*",
                "remount",
                "audit",
                "audit/*",
                "audit-log/*",
                "leases/lookup/*",
                "leases/revoke-prefix/*",
                "leases/revoke-force/*",
            ],
            // The UI mount paths check the token themselves: any valid token may ask
            // about the mounts its policies reach (the CLI does before every `kv` call).
            unauthenticated: vec!["decode-token", "internal/ui/mounts", "internal/ui/mounts/*"],
        })
        .help("The system backend controls the server: sealing, key rotation, rekeying and root token generation.")
}
