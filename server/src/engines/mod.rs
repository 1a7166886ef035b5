//! Secret engines and the system backend, each a path table on the framework.
//! `registry` is the plain list of engine types `sys/mounts` can enable.

pub mod cubbyhole;
pub mod kv;
pub mod sys;

use std::sync::Arc;

use crate::framework::Backend;
use crate::logical::{BackendConfig, Error};

/// Builds one mounted instance of an engine.
pub type Factory = fn(BackendConfig) -> Result<Arc<dyn Backend>, Error>;

/// Secret engine types by name.
pub fn registry() -> Vec<(&'static str, Factory)> {
    vec![("kv", kv::factory), ("cubbyhole", cubbyhole::factory)]
}
