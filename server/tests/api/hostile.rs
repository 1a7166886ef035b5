//! Requests from someone trying to break in or break things: bad tokens, huge and
//! strange paths, racing writers.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use super::common::Api;
use super::unsealed;
use super::{as_token, denied, ok};

#[tokio::test]
async fn missing_garbage_and_revoked_tokens_are_refused_alike() {
    let api = unsealed().await;
    ok(api.put("/v1/secret/data/app", json!({"data": {"k": "v"}})).await);
    let anon = Api { router: api.router.clone(), core: api.core.clone(), token: None };
    denied(&anon.get("/v1/secret/data/app").await);
    for garbage in ["s.AAAAAAAAAAAAAAAAAAAAAAAA", "", " ", "root", "s.\u{e9}", &"x".repeat(10_000)] {
        let r = as_token(&api, garbage).get("/v1/secret/data/app").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{garbage:?}: {:?}", r.body);
    }
    // The Authorization header works as Vault's does, and is checked the same way.
    let req = axum::http::Request::builder()
        .uri("/v1/secret/data/app")
        .header("Authorization", format!("Bearer {}", api.token.clone().unwrap()))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(api.send(req).await.status, StatusCode::OK);

    let r = ok(api.put("/v1/auth/token/create", json!({"policies": ["default"]})).await);
    let token = r["auth"]["client_token"].as_str().unwrap().to_string();
    ok(api.put("/v1/auth/token/revoke", json!({"token": token})).await);
    denied(&as_token(&api, &token).get("/v1/auth/token/lookup-self").await);
}

#[tokio::test]
async fn traversal_in_any_encoding_never_reaches_another_path() {
    let api = unsealed().await;
    let r = ok(api.put("/v1/auth/token/create", json!({"policies": ["default"]})).await);
    let user = as_token(&api, r["auth"]["client_token"].as_str().unwrap());
    for path in [
        "/v1/cubbyhole/../sys/policies/acl/default",
        "/v1/cubbyhole/%2e%2e/sys/policies/acl/default",
        "/v1/cubbyhole/%2E%2E%2Fsys/policies/acl/default",
        "/v1/cubbyhole/..%2fsys/policies/acl/default",
        "/v1/cubbyhole/%252e%252e/sys/policies/acl/default",
        "/v1/cubbyhole/x%00/../../sys/mounts",
        "/v1/cubbyhole/.%2e/sys/mounts",
        "/v1/cubbyhole\\..\\sys\\mounts",
    ] {
        let r = user.get(path).await;
        // Refused as malformed, or taken literally as a key (or a mount) that is not there.
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&r.status),
            "{path}: {} {:?}",
            r.status,
            r.body
        );
        assert!(r.body.get("data").is_none(), "{path}: {:?}", r.body);
    }
}

#[tokio::test]
async fn trailing_slashes_are_handled_like_vault() {
    let api = unsealed().await;
    ok(api.put("/v1/secret/data/dir/key", json!({"data": {"k": "v"}})).await);
    let listed = ok(api.call("LIST", "/v1/secret/metadata/dir/", None).await);
    assert_eq!(listed["data"]["keys"], json!(["key"]));
    let listed = ok(api.get("/v1/secret/metadata/dir?list=true").await);
    assert_eq!(listed["data"]["keys"], json!(["key"]));
    let r = api.put("/v1/secret/data/dir/", json!({"data": {}})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
}

#[tokio::test]
async fn enormous_paths_answer_quickly() {
    let api = unsealed().await;
    let segments = vec!["a"; 8000].join("/");
    let started = Instant::now();
    for path in [
        format!("/v1/secret/data/{segments}"),
        format!("/v1/secret/metadata/{segments}/"),
        format!("/v1/{segments}"),
        format!("/v1/sys/policies/acl/{segments}"),
    ] {
        let r = api.get(&path).await;
        assert!(r.status.is_client_error(), "{}: {:?}", r.status, r.body);
        let r = api.put(&path, json!({"data": {"k": "v"}})).await;
        assert!(r.status.is_client_error() || r.status.is_success(), "{}: {:?}", r.status, r.body);
    }
    // Not a timing assertion: a guard against a quadratic blow-up hanging the suite.
    assert!(started.elapsed() < Duration::from_secs(30));

    let r = ok(api.put("/v1/auth/token/create", json!({"policies": ["default"]})).await);
    let user = as_token(&api, r["auth"]["client_token"].as_str().unwrap());
    denied(&user.get(&format!("/v1/secret/data/{segments}")).await);
}

#[tokio::test]
async fn keys_with_any_utf8_round_trip() {
    let api = unsealed().await;
    for key in ["café/mañana", "日本語/キー", "emoji-🔑", "spaces%20and%2Bplus", "semi;colon,comma"] {
        ok(api.put(&format!("/v1/secret/data/{key}"), json!({"data": {"k": key}})).await);
        let r = ok(api.get(&format!("/v1/secret/data/{key}")).await);
        assert_eq!(r["data"]["data"]["k"], key);
    }
    let folders = ok(api.call("LIST", "/v1/secret/metadata", None).await)["data"]["keys"].clone();
    assert!(folders.as_array().unwrap().iter().any(|k| k == "日本語/"), "{folders}");
}

#[tokio::test]
async fn concurrent_cas_writers_exactly_one_wins_each_version() {
    let api = unsealed().await;
    ok(api.put("/v1/secret/data/race", json!({"data": {"n": 0}, "options": {"cas": 0}})).await);
    for version in 1..=5u64 {
        let writers = (0..16).map(|writer| {
            let api = as_token(&api, api.token.as_deref().unwrap());
            tokio::spawn(async move {
                api.put("/v1/secret/data/race", json!({"data": {"writer": writer}, "options": {"cas": version}}))
                    .await
                    .status
            })
        });
        let statuses = futures::future::join_all(writers).await;
        let won = statuses.iter().filter(|s| *s.as_ref().unwrap() == StatusCode::OK).count();
        let lost = statuses.iter().filter(|s| *s.as_ref().unwrap() == StatusCode::BAD_REQUEST).count();
        assert_eq!((won, lost), (1, 15), "version {version}: {statuses:?}");
    }
    let meta = ok(api.get("/v1/secret/metadata/race").await);
    assert_eq!(meta["data"]["current_version"], 6);
}

#[tokio::test]
async fn large_secrets_up_to_the_body_limit() {
    let api = unsealed().await;
    let big = "x".repeat(8 << 20);
    ok(api.put("/v1/secret/data/big", json!({"data": {"blob": big}})).await);
    let r = ok(api.get("/v1/secret/data/big").await);
    assert_eq!(r["data"]["data"]["blob"].as_str().unwrap().len(), 8 << 20);
}
