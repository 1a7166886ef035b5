//! `auth/token/*`: creation rules, lookups, renewal, revocation trees, roles.

use axum::http::StatusCode;
use serde_json::json;

use super::unsealed;
use super::{as_token, child_token, denied, ok, write_policy};

#[tokio::test]
async fn create_lookup_and_the_fields_clients_read() {
    let api = unsealed().await;
    let r = ok(api
        .put(
            "/v1/auth/token/create",
            json!({"policies": ["app"], "ttl": "1h", "display_name": "ci", "meta": {"team": "x"}, "num_uses": 0}),
        )
        .await);
    let auth = &r["auth"];
    assert_eq!(auth["policies"], json!(["app", "default"]));
    assert_eq!(auth["token_policies"], json!(["app", "default"]));
    assert_eq!(auth["lease_duration"], 3600);
    assert_eq!(auth["renewable"], true);
    assert_eq!(auth["orphan"], false);
    assert_eq!(auth["token_type"], "service");
    assert_eq!(auth["metadata"], json!({"team": "x"}));
    assert_eq!(r["lease_id"], "");
    assert_eq!(r["data"], json!(null));
    let token = auth["client_token"].as_str().unwrap();
    assert!(token.starts_with("s."), "{token}");

    // What External Secrets Operator reads from lookup-self.
    let me = ok(as_token(&api, token).get("/v1/auth/token/lookup-self").await)["data"].clone();
    assert_eq!(me["type"], "service");
    assert_eq!(me["display_name"], "token-ci");
    assert_eq!(me["policies"], json!(["app", "default"]));
    assert_eq!(me["accessor"], auth["accessor"]);
    assert_eq!(me["id"], token);
    assert!(me["ttl"].as_i64().unwrap() > 3590 && me["ttl"].as_i64().unwrap() <= 3600, "{me}");
    assert!(me["expire_time"].as_str().unwrap().contains('T'), "RFC 3339: {me}");
    assert_eq!(me["creation_ttl"], 3600);
    assert_eq!(me["meta"], json!({"team": "x"}));
    assert_eq!(me["orphan"], false);

    // By token and by accessor; lookup by accessor hides the token itself.
    let by_token = ok(api.put("/v1/auth/token/lookup", json!({"token": token})).await)["data"].clone();
    assert_eq!(by_token["accessor"], auth["accessor"]);
    let by_accessor =
        ok(api.put("/v1/auth/token/lookup-accessor", json!({"accessor": auth["accessor"]})).await)["data"].clone();
    assert_eq!(by_accessor["id"], "");
    assert_eq!(by_accessor["display_name"], "token-ci");

    let r = api.put("/v1/auth/token/lookup", json!({"token": "s.nope"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = api.put("/v1/auth/token/lookup-accessor", json!({"accessor": "nope"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
}

#[tokio::test]
async fn a_child_never_gets_more_than_its_parent() {
    let api = unsealed().await;
    write_policy(&api, "app", r#"path "auth/token/create" { capabilities = ["update"] }"#).await;
    let (parent, _) = child_token(&api, json!({"policies": ["app"]})).await;
    let parent = as_token(&api, &parent);

    let r = parent.put("/v1/auth/token/create", json!({"policies": ["admin"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert!(r.error().contains("child policies must be subset of parent"), "{:?}", r.body);
    let r = parent.put("/v1/auth/token/create", json!({"policies": ["root"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);

    // Without policies a child inherits the parent's.
    let (child, _) = child_token(&parent, json!({})).await;
    let me = ok(as_token(&api, &child).get("/v1/auth/token/lookup-self").await);
    assert_eq!(me["data"]["policies"], json!(["app", "default"]));

    // Only root or sudo may make orphans.
    denied(&parent.put("/v1/auth/token/create-orphan", json!({})).await);
    let r = parent.put("/v1/auth/token/create", json!({"no_parent": true})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert!(r.error().contains("root or sudo privileges required to create orphan token"), "{:?}", r.body);
}

#[tokio::test]
async fn a_child_dies_with_its_expired_parent() {
    let api = unsealed().await;
    write_policy(&api, "creator", r#"path "auth/token/create" { capabilities = ["update"] }"#).await;
    let (parent, _) = child_token(&api, json!({"policies": ["creator"], "ttl": "1s"})).await;
    // As in OpenBao, the child is granted its own TTL...
    let r = ok(as_token(&api, &parent).put("/v1/auth/token/create", json!({"ttl": "2h"})).await);
    assert_eq!(r["auth"]["lease_duration"], 7200);
    let child = as_token(&api, r["auth"]["client_token"].as_str().unwrap());
    ok(child.get("/v1/auth/token/lookup-self").await);
    // ...but it is revoked with its parent when the parent expires.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    denied(&child.get("/v1/auth/token/lookup-self").await);
}

#[tokio::test]
async fn revoking_a_parent_revokes_its_tree_but_orphan_revocation_keeps_children() {
    let api = unsealed().await;
    write_policy(&api, "creator", r#"path "auth/token/create" { capabilities = ["update"] }"#).await;
    let (parent, _) = child_token(&api, json!({"policies": ["creator"]})).await;
    let (child, _) = child_token(&as_token(&api, &parent), json!({})).await;
    let (grandchild, _) = child_token(&as_token(&api, &child), json!({})).await;

    ok(api.put("/v1/auth/token/revoke", json!({"token": parent})).await);
    for token in [&parent, &child, &grandchild] {
        denied(&as_token(&api, token).get("/v1/auth/token/lookup-self").await);
    }

    let (parent, _) = child_token(&api, json!({"policies": ["creator"]})).await;
    let (child, _) = child_token(&as_token(&api, &parent), json!({})).await;
    ok(api.put("/v1/auth/token/revoke-orphan", json!({"token": parent})).await);
    denied(&as_token(&api, &parent).get("/v1/auth/token/lookup-self").await);
    let me = ok(as_token(&api, &child).get("/v1/auth/token/lookup-self").await);
    assert_eq!(me["data"]["orphan"], true, "the child became an orphan");

    let (token, accessor) = child_token(&api, json!({"policies": ["default"]})).await;
    ok(api.put("/v1/auth/token/revoke-accessor", json!({"accessor": accessor})).await);
    denied(&as_token(&api, &token).get("/v1/auth/token/lookup-self").await);

    let (token, _) = child_token(&api, json!({"policies": ["default"]})).await;
    let r = as_token(&api, &token).put("/v1/auth/token/revoke-self", json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    denied(&as_token(&api, &token).get("/v1/auth/token/lookup-self").await);
}

#[tokio::test]
async fn renewal_respects_the_maximum_and_use_counts_run_out() {
    let api = unsealed().await;
    let (token, accessor) =
        child_token(&api, json!({"policies": ["default"], "ttl": "10m", "explicit_max_ttl": "20m"})).await;
    let r = ok(as_token(&api, &token).put("/v1/auth/token/renew-self", json!({"increment": "1h"})).await);
    let ttl = r["auth"]["lease_duration"].as_i64().unwrap();
    assert!(ttl <= 1200 && ttl > 1190, "capped by explicit_max_ttl: {ttl}");
    ok(api.put("/v1/auth/token/renew-accessor", json!({"accessor": accessor, "increment": 60})).await);
    let r = ok(api.put("/v1/auth/token/renew", json!({"token": token, "increment": "1m"})).await);
    assert_eq!(r["auth"]["lease_duration"], 60);

    let (unrenewable, _) = child_token(&api, json!({"policies": ["default"], "renewable": false})).await;
    let r = as_token(&api, &unrenewable).put("/v1/auth/token/renew-self", json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);

    // Two uses: the lookup-self spends one, the next spends the last, then it is gone.
    let (limited, _) = child_token(&api, json!({"policies": ["default"], "num_uses": 2})).await;
    let limited = as_token(&api, &limited);
    assert_eq!(ok(limited.get("/v1/auth/token/lookup-self").await)["data"]["num_uses"], 1);
    ok(limited.get("/v1/auth/token/lookup-self").await);
    denied(&limited.get("/v1/auth/token/lookup-self").await);
}

#[tokio::test]
async fn an_expired_token_is_refused_at_once() {
    let api = unsealed().await;
    let (token, _) = child_token(&api, json!({"policies": ["default"], "ttl": "1s"})).await;
    ok(as_token(&api, &token).get("/v1/auth/token/lookup-self").await);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    denied(&as_token(&api, &token).get("/v1/auth/token/lookup-self").await);
}

#[tokio::test]
async fn roles_shape_the_tokens_made_from_them() {
    let api = unsealed().await;
    ok(api
        .put(
            "/v1/auth/token/roles/ci",
            json!({"allowed_policies": ["app"], "orphan": true, "token_period": "1h", "renewable": true}),
        )
        .await);
    let role = ok(api.get("/v1/auth/token/roles/ci").await)["data"].clone();
    assert_eq!(role["allowed_policies"], json!(["app"]));
    assert_eq!(role["orphan"], true);
    assert_eq!(role["token_period"], 3600);

    let r = ok(api.put("/v1/auth/token/create/ci", json!({"policies": ["app"]})).await);
    assert_eq!(r["auth"]["orphan"], true);
    assert_eq!(r["auth"]["lease_duration"], 3600);
    let token = r["auth"]["client_token"].as_str().unwrap();
    let me = ok(as_token(&api, token).get("/v1/auth/token/lookup-self").await)["data"].clone();
    assert_eq!(me["role"], "ci");
    assert_eq!(me["creation_ttl"], 3600);

    let r = api.put("/v1/auth/token/create/ci", json!({"policies": ["admin"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r = api.put("/v1/auth/token/create/nope", json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);

    let list = ok(api.call("LIST", "/v1/auth/token/roles", None).await);
    assert_eq!(list["data"]["keys"], json!(["ci"]));
    assert_eq!(api.call("DELETE", "/v1/auth/token/roles/ci", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/v1/auth/token/roles/ci").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn accessors_list_needs_sudo_and_shows_every_token() {
    let api = unsealed().await;
    let (_, accessor) = child_token(&api, json!({"policies": ["default"]})).await;
    let keys = ok(api.call("LIST", "/v1/auth/token/accessors", None).await)["data"]["keys"].clone();
    assert!(keys.as_array().unwrap().iter().any(|k| k == accessor.as_str()), "{keys}");

    write_policy(&api, "lister", r#"path "auth/token/accessors" { capabilities = ["list"] }"#).await;
    let (token, _) = child_token(&api, json!({"policies": ["lister"]})).await;
    denied(&as_token(&api, &token).call("LIST", "/v1/auth/token/accessors", None).await);
}

#[tokio::test]
async fn bad_token_requests_are_clear_errors() {
    let api = unsealed().await;
    for (body, needle) in [
        (json!({"ttl": "ten minutes"}), "ttl"),
        (json!({"num_uses": -1}), "number of uses cannot be negative"),
        (json!({"id": "s.mine"}), "s."),
        (json!({"id": "has.dot"}), "."),
        (json!({"type": "batch"}), "batch"),
        (json!({"policies": 7}), "policies"),
    ] {
        let r = api.put("/v1/auth/token/create", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert!(r.error().contains(needle), "{body}: {:?}", r.body);
    }
    let (custom, _) = child_token(&api, json!({"id": "my-custom-token", "policies": ["default"]})).await;
    assert_eq!(custom, "my-custom-token");
    let r = api.put("/v1/auth/token/create", json!({"id": "my-custom-token"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "duplicate id: {:?}", r.body);
}
