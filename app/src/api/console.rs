//! The seam between the console and the server: one narrow trait, implemented by the
//! server and handed to Leptos as context. The console can reach only what it offers.
//! Everything a signed-in user does goes through [`Console::call`], the same request
//! pipeline as `/v1`: the same ACL, the same audit trail, the same errors.

use std::sync::Arc;

use async_trait::async_trait;
use leptos::prelude::use_context;
use serde_json::{Map, Value};

use super::dto::{InitResult, PolicyProblem, SealStatus};
use super::error::ConsoleError;

#[async_trait]
pub trait Console: Send + Sync + 'static {
    async fn seal_status(&self) -> Result<SealStatus, ConsoleError>;
    async fn init(&self, secret_shares: u64, secret_threshold: u64) -> Result<InitResult, ConsoleError>;
    /// Provide one key share, or reset the attempt.
    async fn unseal(&self, key: Option<String>, reset: bool) -> Result<SealStatus, ConsoleError>;
    /// One API request, as `token`, through the server's request pipeline.
    async fn call(&self, request: ApiRequest) -> Result<ApiResponse, ConsoleError>;
    /// Parse an ACL policy with the server's own parser, storing nothing: where it fails.
    fn check_policy(&self, text: &str) -> Result<(), PolicyProblem>;
}

/// The operations of Vault's API, as the pipeline knows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiOperation {
    Read,
    List,
    Create,
    Update,
    Patch,
    Delete,
}

/// A request to `/v1/<path>`, made on the console user's behalf.
#[derive(Clone)]
pub struct ApiRequest {
    pub operation: ApiOperation,
    pub path: String,
    pub data: Map<String, Value>,
    /// The user's token, from the server-side session; none for login paths.
    pub token: Option<String>,
    /// The browser's address, for the audit trail.
    pub remote_addr: Option<std::net::SocketAddr>,
}

/// What the pipeline answered: the envelope's `data`, `auth` and `warnings`.
#[derive(Clone, Debug, Default)]
pub struct ApiResponse {
    /// `None` when the path answered with no body (a 204, or a read of nothing: 404).
    pub data: Option<Map<String, Value>>,
    pub auth: Option<ApiAuth>,
    pub warnings: Vec<String>,
}

/// A login's result. Stays on the server: the token goes into the session.
#[derive(Clone)]
pub struct ApiAuth {
    pub client_token: String,
    pub accessor: String,
    pub policies: Vec<String>,
}

impl std::fmt::Debug for ApiAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiAuth").field("accessor", &self.accessor).field("policies", &self.policies).finish()
    }
}

/// The server's [`Console`], provided to every render and server function.
#[derive(Clone)]
pub struct ConsoleHandle(pub Arc<dyn Console>);

/// The console from context; missing context is a wiring bug on the server.
pub fn console() -> Result<Arc<dyn Console>, ConsoleError> {
    use_context::<ConsoleHandle>()
        .map(|h| h.0)
        .ok_or_else(|| ConsoleError::new(500, "the console backend is not available"))
}
