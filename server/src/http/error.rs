//! The only place core errors become HTTP: status code plus `{"errors":[...]}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::response::json_response;
use crate::logical::Error;

pub fn status_of(err: &Error) -> StatusCode {
    StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub fn error_response(err: Error) -> Response {
    let status = status_of(&err);
    if let Error::Internal(msg) = &err {
        tracing::error!(error = %msg, "request failed");
    }
    let mut response = errors_response(status, vec![err.to_string()]);
    if let Error::RateLimited { retry_after } = err
        && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// `{"errors": messages}` with `status`.
pub fn errors_response(status: StatusCode, messages: Vec<String>) -> Response {
    json_response(status, &serde_json::json!({ "errors": messages }))
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        error_response(self)
    }
}
