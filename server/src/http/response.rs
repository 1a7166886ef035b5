//! Vault's response envelope and JSON helpers.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response as HttpResponse;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::logical::{Auth, Response};

#[derive(Serialize)]
struct Envelope<'a> {
    /// Legacy `sys/` endpoints repeat their data here, before the envelope's own fields.
    #[serde(flatten)]
    top_level: Map<String, Value>,
    request_id: &'a str,
    lease_id: &'a str,
    renewable: bool,
    lease_duration: u64,
    data: Option<&'a Map<String, Value>>,
    wrap_info: Option<Value>,
    warnings: Option<&'a [String]>,
    auth: Option<&'a Auth>,
}

/// 200 with the envelope, or 204 when there is nothing to say.
pub fn logical_response(request_id: &str, response: Option<Response>) -> HttpResponse {
    let Some(response) = response else {
        return no_content();
    };
    if response.data.is_none() && response.auth.is_none() && response.warnings.is_empty() {
        return no_content();
    }
    let envelope = Envelope {
        top_level: if response.legacy_top_level { response.data.clone().unwrap_or_default() } else { Map::new() },
        request_id,
        lease_id: "",
        renewable: false,
        lease_duration: 0,
        data: response.data.as_ref(),
        wrap_info: None,
        warnings: (!response.warnings.is_empty()).then_some(response.warnings.as_slice()),
        auth: response.auth.as_ref(),
    };
    json_response(StatusCode::OK, &envelope)
}

pub fn no_content() -> HttpResponse {
    let mut response = HttpResponse::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// Serialise `value` as the body, with JSON content type. Like Go's encoder (and so
/// Vault), the body ends with a newline.
pub fn json_response(status: StatusCode, value: &impl Serialize) -> HttpResponse {
    let mut body = match serde_json::to_vec(value) {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "response did not serialise");
            br#"{"errors":["internal error: the response could not be encoded"]}"#.to_vec()
        }
    };
    body.push(b'\n');
    let mut response = HttpResponse::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    response
}
