//! The `sys/` backend: control endpoints that need a token. The unauthenticated ones
//! (`sys/init`, `sys/unseal`, `sys/seal-status`, `sys/health`, `sys/leader`, Vault's
//! legacy `sys/rekey/*` and `sys/generate-root/*`) answer while sealed and are served by
//! `http::sys_seal` directly; everything here runs through the request pipeline.

mod keys;
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
    paths.extend(keys::paths());
    Framework::new(Arc::new(SystemBackend { core }), paths)
        .special_paths(SpecialPaths {
            // As in OpenBao: rotating the barrier key needs sudo; the key-share ceremonies
            // are authorised by the shares themselves and need only the path's capability.
            root: vec!["seal", "rotate", "rotate/keyring"],
            unauthenticated: vec!["decode-token"],
        })
        .help("The system backend controls the server: sealing, key rotation, rekeying and root token generation.")
}
