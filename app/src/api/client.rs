//! Calls through the server's request pipeline on behalf of the console's user, for
//! server functions. A [`Caller`] is who is calling and from where, looked up once per
//! server function, so a function that makes many calls (a search, a move) reads the
//! session once and can carry on in a task of its own.

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::console::{ApiOperation, ApiRequest, ApiResponse, Console, console};
use super::error::ConsoleError;
use super::session;

#[derive(Clone)]
pub struct Caller {
    console: Arc<dyn Console>,
    token: Option<String>,
    remote_addr: Option<SocketAddr>,
}

impl Caller {
    /// The signed-in user, or the error that sends the browser to sign in.
    pub async fn signed_in() -> Result<Caller, ConsoleError> {
        let user = session::require().await?;
        Caller::with_token(Some(user.token)).await
    }

    /// A caller with `token` (none for a login) from this request's address.
    pub async fn with_token(token: Option<String>) -> Result<Caller, ConsoleError> {
        let remote_addr = leptos_axum::extract::<axum::extract::ConnectInfo<SocketAddr>>().await.ok().map(|c| c.0);
        Ok(Caller { console: console()?, token, remote_addr })
    }

    pub async fn call(
        &self,
        operation: ApiOperation,
        path: &str,
        data: Map<String, Value>,
    ) -> Result<ApiResponse, ConsoleError> {
        let request = ApiRequest {
            operation,
            path: path.to_string(),
            data,
            token: self.token.clone(),
            remote_addr: self.remote_addr,
        };
        self.console.call(request).await
    }
}

/// `operation` on `path` as the signed-in user.
pub async fn call(operation: ApiOperation, path: &str, data: Map<String, Value>) -> Result<ApiResponse, ConsoleError> {
    Caller::signed_in().await?.call(operation, path, data).await
}

/// `operation` on `path` with `token` (none for a login).
pub async fn call_as(
    token: Option<String>,
    operation: ApiOperation,
    path: &str,
    data: Map<String, Value>,
) -> Result<ApiResponse, ConsoleError> {
    Caller::with_token(token).await?.call(operation, path, data).await
}

/// The `data` of a response, or an empty object.
pub fn data_of(response: ApiResponse) -> Map<String, Value> {
    response.data.unwrap_or_default()
}
