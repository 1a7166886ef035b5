//! Auth methods, each a path table on the framework. `registry` is the plain list of
//! method types `sys/auth` can enable. (The token store, always mounted at `auth/token/`,
//! lives in `token/`.)
//!
//! Shared by the methods: `token_fields` (the `token_*` settings every method stores and
//! turns into a login's `Auth`) and `cidr` (bound-CIDR parsing and checks).

pub mod cidr;
pub mod token_fields;
pub mod userpass;

use crate::engines::Factory;

/// Auth method types by name.
pub fn registry() -> Vec<(&'static str, Factory)> {
    vec![("userpass", userpass::factory)]
}
