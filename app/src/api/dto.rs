//! Data the console and server exchange. Kept apart from the server's own types so the
//! wasm build needs none of the server's dependencies.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealStatus {
    pub initialized: bool,
    pub sealed: bool,
    /// Shares needed to unseal.
    pub threshold: u8,
    /// Shares the key was split into.
    pub shares: u8,
    /// Shares provided so far in the current unseal attempt.
    pub progress: u32,
    pub version: String,
    pub cluster_name: Option<String>,
    pub storage_type: String,
}

/// What initialisation hands out, once. No `Debug`: it is all secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitResult {
    pub keys_base64: Vec<String>,
    pub keys_hex: Vec<String>,
    pub root_token: String,
}

/// The signed-in user as pages see them (never their token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub display_name: String,
    pub policies: Vec<String>,
    pub nav: Navigation,
}

/// Which sections the user's policies let them use; the navigation shows only these.
/// Secrets are always there: the list of mounts is filtered to what the user may reach.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Navigation {
    /// May read `sys/mounts`.
    pub mounts: bool,
    /// May list `sys/policies/acl`.
    pub policies: bool,
}

/// A secret engine or auth method as the mounts pages list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountInfo {
    /// With its trailing slash: `secret/`.
    pub path: String,
    /// `kv`, `userpass`, …
    pub kind: String,
    /// `2` for KV v2, else empty.
    pub version: String,
    pub description: String,
    pub accessor: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountTable {
    pub secrets: Vec<MountInfo>,
    pub auth: Vec<MountInfo>,
}
