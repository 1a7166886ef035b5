//! The seam between the console and the server: one narrow trait, implemented by the
//! server and handed to Leptos as context. The console can reach only what it offers.

use std::sync::Arc;

use async_trait::async_trait;
use leptos::prelude::{ServerFnError, use_context};

use super::dto::{InitResult, SealStatus};

/// An error the server reports to the console; the message is shown to the user.
#[derive(Clone, Debug)]
pub struct ConsoleError {
    pub status: u16,
    pub message: String,
}

impl From<ConsoleError> for ServerFnError {
    fn from(err: ConsoleError) -> Self {
        ServerFnError::ServerError(err.message)
    }
}

#[async_trait]
pub trait Console: Send + Sync + 'static {
    async fn seal_status(&self) -> Result<SealStatus, ConsoleError>;
    async fn init(&self, secret_shares: u64, secret_threshold: u64) -> Result<InitResult, ConsoleError>;
    /// Provide one key share, or reset the attempt.
    async fn unseal(&self, key: Option<String>, reset: bool) -> Result<SealStatus, ConsoleError>;
}

/// The server's [`Console`], provided to every render and server function.
#[derive(Clone)]
pub struct ConsoleHandle(pub Arc<dyn Console>);

/// The console from context; missing context is a wiring bug on the server.
pub fn console() -> Result<Arc<dyn Console>, ServerFnError> {
    use_context::<ConsoleHandle>()
        .map(|h| h.0)
        .ok_or_else(|| ServerFnError::ServerError("the console backend is not available".into()))
}
