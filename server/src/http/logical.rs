//! `/v1/<path>` for everything that goes through the request pipeline.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, OriginalUri, State};
use axum::http::{Extensions, HeaderMap, Method, StatusCode};
use axum::response::Response;

use super::error::{error_response, errors_response};
use super::request;
use super::response::logical_response;
use crate::core::Core;
use crate::logical::Operation;

pub async fn handle(
    State(core): State<Arc<Core>>,
    extensions: Extensions,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let remote = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if method == Method::PATCH
        && let Some((status, message)) = request::patch_content_type_error(&headers)
    {
        return errors_response(status, vec![message]);
    }
    let req = match request::build(&method, &uri, &headers, &body, remote) {
        Ok(req) => req,
        Err(err) => return error_response(err),
    };
    let operation = req.operation;
    let request_id = req.id.clone();
    match core.handle_request(req).await {
        // A read of nothing is a 404 with an empty error list, as in Vault.
        Ok(None) if matches!(operation, Operation::Read | Operation::List) => {
            errors_response(StatusCode::NOT_FOUND, vec![])
        }
        Ok(response) => logical_response(&request_id, response),
        Err(err) => error_response(err),
    }
}
