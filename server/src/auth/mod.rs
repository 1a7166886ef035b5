//! Auth methods, each a path table on the framework. `registry` is the plain list of
//! method types `sys/auth` can enable. (The token store, always mounted at `auth/token/`,
//! lives in `token/`.)

use crate::engines::Factory;

/// Auth method types by name.
pub fn registry() -> Vec<(&'static str, Factory)> {
    vec![]
}
