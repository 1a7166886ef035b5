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
