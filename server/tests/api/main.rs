//! The Vault API core over HTTP, in-process: tokens, policies, mounts, userpass and the
//! hostile requests around them. One test binary, so one link serves all of them.

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod hostile;
mod leases;
mod mounts;
mod policies;
mod tokens;
mod userpass;

use axum::http::StatusCode;
use common::{Api, Reply};
use serde_json::Value;

/// An initialised, unsealed server holding the root token, with KV v2 at `secret/` as
/// in dev mode.
async fn unsealed() -> Api {
    let (api, _) = Api::unsealed().await;
    let r = api.put("/v1/sys/mounts/secret", serde_json::json!({"type": "kv", "options": {"version": "2"}})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    api
}

/// The same API under another token.
fn as_token(api: &Api, token: &str) -> Api {
    Api { router: api.router.clone(), core: api.core.clone(), token: Some(token.to_string()) }
}

/// Assert a 2xx and return the body.
#[track_caller]
fn ok(r: Reply) -> Value {
    assert!(r.status.is_success(), "expected success, got {}: {:?}", r.status, r.body);
    r.body
}

#[track_caller]
fn denied(r: &Reply) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert!(r.error().contains("permission denied"), "{:?}", r.body);
}

/// Write a policy by name (HCL).
async fn write_policy(api: &Api, name: &str, hcl: &str) {
    ok(api.put(&format!("/v1/sys/policies/acl/{name}"), serde_json::json!({ "policy": hcl })).await);
}

/// A child token of the caller with these policies.
async fn child_token(api: &Api, body: Value) -> (String, String) {
    let auth = ok(api.put("/v1/auth/token/create", body).await)["auth"].clone();
    (auth["client_token"].as_str().unwrap().to_string(), auth["accessor"].as_str().unwrap().to_string())
}
