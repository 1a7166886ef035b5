//! Wire → logical: method to operation, path decoded exactly once, query and JSON body
//! to fields, token from `X-Vault-Token` or `Authorization: Bearer`.

use std::net::SocketAddr;

use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use serde_json::{Map, Value};

use crate::logical::{Connection, Error, Operation, Request};

/// The client token a request carries, if any.
pub fn client_token(headers: &HeaderMap) -> Option<String> {
    if let Some(token) = headers.get("x-vault-token").and_then(|v| v.to_str().ok()) {
        return Some(token.trim().to_string()).filter(|t| !t.is_empty());
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = auth.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string()).filter(|t| !t.is_empty())
}

/// The logical path: what follows `/v1/` in the URI as the client sent it, percent-decoded
/// once. Nothing else is normalised, so `/v1//x` stays invalid.
pub fn logical_path(uri: &Uri) -> Result<String, Error> {
    let raw = uri.path().strip_prefix("/v1/").unwrap_or_default();
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|p| p.into_owned())
        .map_err(|_| Error::invalid("the request path is not valid UTF-8 after percent-decoding"))
}

/// Query parameters as fields (Vault merges them into reads, lists and deletes).
pub fn query_fields(uri: &Uri) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(query) = uri.query() {
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            out.insert(key.into_owned(), Value::String(value.into_owned()));
        }
    }
    out
}

/// Parse a request body: empty, or a JSON object. serde_json's recursion limit (128)
/// refuses absurdly nested documents before they can exhaust the stack.
pub fn body_fields(body: &[u8]) -> Result<Map<String, Value>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(Error::invalid("failed to decode JSON input: the request body must be a JSON object")),
        Err(err) if err.to_string().contains("recursion limit") => {
            Err(Error::invalid("the request body is nested too deeply (the limit is 128 levels)"))
        }
        // OpenBao's prefix, serde's detail.
        Err(err) => Err(Error::invalid(format!("failed to decode JSON input: {err}"))),
    }
}

/// For a PATCH without the only body type Vault accepts for it, the status and message:
/// 415 naming the type sent, or (as Go's `mime.ParseMediaType` has it) 400 when none was.
pub fn patch_content_type_error(headers: &HeaderMap) -> Option<(StatusCode, String)> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence.is_empty() {
        return Some((StatusCode::BAD_REQUEST, "mime: no media type".into()));
    }
    (essence != "application/merge-patch+json").then(|| {
        let message = format!("PATCH requires Content-Type of application/merge-patch+json, provided {content_type}");
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
    })
}

/// Build the logical request for `/v1/<path>`.
pub fn build(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    remote: Option<SocketAddr>,
) -> Result<Request, Error> {
    let mut query = query_fields(uri);
    let list = query.remove("list").is_some_and(|v| v == "true" || v == "1");
    let help = query.remove("help").is_some_and(|v| v == "1" || v == "true");
    let operation = match method.as_str() {
        _ if help => Operation::Help,
        "GET" if list => Operation::List,
        "GET" => Operation::Read,
        "LIST" => Operation::List,
        "POST" | "PUT" => Operation::Update,
        "DELETE" => Operation::Delete,
        // The content type was checked by the caller (415 is an HTTP matter).
        "PATCH" => Operation::Patch,
        _ => return Err(Error::UnsupportedOperation),
    };
    let mut data = match operation {
        Operation::Read | Operation::List | Operation::Help => query,
        _ => {
            let mut body = body_fields(body)?;
            if operation == Operation::Delete {
                for (k, v) in query {
                    body.entry(k).or_insert(v);
                }
            }
            body
        }
    };
    data.remove("");
    let mut req = Request::from_client(operation, logical_path(uri)?)?;
    req.data = data;
    req.client_token = client_token(headers);
    req.connection = Connection {
        remote_addr: remote.map(|a| a.ip().to_string()),
        remote_port: remote.map(|a| a.port()),
        tls: false,
    };
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn methods_map_to_operations() {
        let h = HeaderMap::new();
        let op = |m: &str, u: &str| {
            build(&Method::from_bytes(m.as_bytes()).unwrap(), &uri(u), &h, b"", None).map(|r| r.operation)
        };
        assert_eq!(op("GET", "/v1/a").unwrap(), Operation::Read);
        assert_eq!(op("GET", "/v1/a?list=true").unwrap(), Operation::List);
        assert_eq!(op("LIST", "/v1/a").unwrap(), Operation::List);
        assert_eq!(op("PUT", "/v1/a").unwrap(), Operation::Update);
        assert_eq!(op("POST", "/v1/a").unwrap(), Operation::Update);
        assert_eq!(op("DELETE", "/v1/a").unwrap(), Operation::Delete);
        assert_eq!(op("GET", "/v1/a?help=1").unwrap(), Operation::Help);
        assert_eq!(op("PATCH", "/v1/a").unwrap(), Operation::Patch);
        assert!(matches!(op("TRACE", "/v1/a"), Err(Error::UnsupportedOperation)));
        assert!(matches!(op("OPTIONS", "/v1/a"), Err(Error::UnsupportedOperation)));
    }

    #[test]
    fn the_path_is_decoded_once() {
        assert_eq!(logical_path(&uri("/v1/secret/a%20b")).unwrap(), "secret/a b");
        assert_eq!(logical_path(&uri("/v1/secret/%252e%252e")).unwrap(), "secret/%2e%2e");
        assert_eq!(logical_path(&uri("/v1//sys")).unwrap(), "/sys");
        assert!(logical_path(&uri("/v1/x%ff")).is_err());
    }

    #[test]
    fn bodies_must_be_json_objects() {
        assert!(body_fields(b"").unwrap().is_empty());
        assert!(body_fields(b"{\"a\":1}").unwrap().contains_key("a"));
        assert!(body_fields(b"[1]").unwrap_err().to_string().contains("JSON object"));
        assert!(body_fields(b"{").unwrap_err().to_string().contains("failed to decode JSON"));
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        assert!(body_fields(deep.as_bytes()).unwrap_err().to_string().contains("nested too deeply"));
    }

    #[test]
    fn tokens_come_from_either_header() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer abc".parse().unwrap());
        assert_eq!(client_token(&h).as_deref(), Some("abc"));
        h.insert("x-vault-token", "xyz".parse().unwrap());
        assert_eq!(client_token(&h).as_deref(), Some("xyz"));
    }
}
