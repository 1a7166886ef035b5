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
    auth: Option<WireAuth<'a>>,
}

/// The `auth` block, field for field as Vault writes it.
#[derive(Serialize)]
struct WireAuth<'a> {
    client_token: &'a str,
    accessor: &'a str,
    policies: Vec<String>,
    token_policies: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    identity_policies: &'a [String],
    metadata: Option<&'a Map<String, Value>>,
    lease_duration: u64,
    renewable: bool,
    entity_id: &'a str,
    token_type: &'a str,
    orphan: bool,
    mfa_requirement: Option<Value>,
    num_uses: i64,
}

impl<'a> WireAuth<'a> {
    fn from(auth: &'a Auth) -> Self {
        let mut policies: Vec<String> = auth.token_policies.iter().chain(&auth.identity_policies).cloned().collect();
        policies.sort();
        policies.dedup();
        WireAuth {
            client_token: &auth.client_token,
            accessor: &auth.accessor,
            policies,
            token_policies: &auth.token_policies,
            identity_policies: &auth.identity_policies,
            metadata: (!auth.metadata.is_empty()).then_some(&auth.metadata),
            lease_duration: auth.lease_duration,
            renewable: auth.renewable,
            entity_id: &auth.entity_id,
            token_type: &auth.token_type,
            orphan: auth.orphan,
            mfa_requirement: None,
            num_uses: auth.num_uses,
        }
    }
}

/// 200 with the envelope (or the status the response asks for), or 204 when there is
/// nothing to say.
pub fn logical_response(request_id: &str, response: Option<Response>) -> HttpResponse {
    let Some(response) = response else {
        return no_content();
    };
    if response.data.is_none() && response.auth.is_none() && response.warnings.is_empty() && response.lease.is_none() {
        // Nothing to say but a status (KV's PATCH of a missing key is a bare 404).
        return match response.status.and_then(|s| StatusCode::from_u16(s).ok()) {
            Some(status) if status != StatusCode::OK && status != StatusCode::NO_CONTENT => {
                json_response(status, &serde_json::json!({ "errors": [] }))
            }
            _ => no_content(),
        };
    }
    let status = response.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::OK);
    if response.raw_body {
        let data = response.data.unwrap_or_default();
        return match data.get("http_raw_body") {
            Some(Value::String(_)) => raw_response(status, data),
            _ => json_response(status, &data),
        };
    }
    let lease = response.lease.as_ref();
    let envelope = Envelope {
        top_level: if response.legacy_top_level { response.data.clone().unwrap_or_default() } else { Map::new() },
        request_id,
        lease_id: lease.map_or("", |l| l.id.as_str()),
        renewable: lease.is_some_and(|l| l.renewable),
        lease_duration: lease.map_or(0, |l| l.duration),
        data: response.data.as_ref(),
        wrap_info: None,
        warnings: (!response.warnings.is_empty()).then_some(response.warnings.as_slice()),
        auth: response.auth.as_ref().map(WireAuth::from),
    };
    json_response(status, &envelope)
}

/// A body that is not JSON (an export as CSV), the way Vault's `HTTPRawBody` responses
/// carry it: `http_raw_body`, `http_content_type`, and here also `http_headers`.
fn raw_response(status: StatusCode, mut data: Map<String, Value>) -> HttpResponse {
    let body = match data.remove("http_raw_body") {
        Some(Value::String(body)) => body,
        _ => String::new(),
    };
    let mut response = HttpResponse::new(Body::from(body));
    *response.status_mut() = status;
    let content_type = data.get("http_content_type").and_then(Value::as_str).unwrap_or("application/octet-stream");
    if let Ok(value) = header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    if let Some(Value::Object(headers)) = data.get("http_headers") {
        for (name, value) in headers {
            if let (Ok(name), Some(Ok(value))) =
                (header::HeaderName::from_bytes(name.as_bytes()), value.as_str().map(header::HeaderValue::from_str))
            {
                response.headers_mut().insert(name, value);
            }
        }
    }
    response
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
