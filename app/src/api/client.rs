//! Calls through the server's request pipeline on behalf of the console's user, for
//! server functions.

use serde_json::{Map, Value};

use super::console::{ApiOperation, ApiRequest, ApiResponse, console};
use super::error::ConsoleError;
use super::session;

/// `operation` on `path` as the signed-in user.
pub async fn call(operation: ApiOperation, path: &str, data: Map<String, Value>) -> Result<ApiResponse, ConsoleError> {
    let user = session::require().await?;
    call_as(Some(user.token), operation, path, data).await
}

/// `operation` on `path` with `token` (none for a login).
pub async fn call_as(
    token: Option<String>,
    operation: ApiOperation,
    path: &str,
    data: Map<String, Value>,
) -> Result<ApiResponse, ConsoleError> {
    let remote_addr =
        leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>().await.ok().map(|c| c.0);
    console()?.call(ApiRequest { operation, path: path.to_string(), data, token, remote_addr }).await
}

/// The `data` of a response, or an empty object.
pub fn data_of(response: ApiResponse) -> Map<String, Value> {
    response.data.unwrap_or_default()
}
