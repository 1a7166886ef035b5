//! userpass through the whole pipeline: users, login, and lockout with `sys/locked-users`.

use axum::http::StatusCode;
use serde_json::json;

use super::common::Api;
use super::unsealed;
use super::{as_token, denied, ok, write_policy};

async fn with_userpass() -> Api {
    let api = unsealed().await;
    assert_eq!(api.put("/v1/sys/auth/userpass", json!({"type": "userpass"})).await.status, StatusCode::NO_CONTENT);
    api
}

fn anonymous(api: &Api) -> Api {
    Api { router: api.router.clone(), core: api.core.clone(), token: None }
}

#[tokio::test]
async fn users_log_in_with_their_policies() {
    let api = with_userpass().await;
    write_policy(&api, "dev", r#"path "secret/data/dev/*" { capabilities = ["create", "read"] }"#).await;
    ok(api.put("/v1/auth/userpass/users/ana", json!({"password": "correct horse", "token_policies": "dev"})).await);
    let user = ok(api.get("/v1/auth/userpass/users/ana").await)["data"].clone();
    assert_eq!(user["token_policies"], json!(["dev"]));
    assert!(user.get("password").is_none() && user.get("password_hash").is_none(), "{user}");

    let login = ok(anonymous(&api).put("/v1/auth/userpass/login/ana", json!({"password": "correct horse"})).await);
    assert_eq!(login["auth"]["policies"], json!(["default", "dev"]));
    assert_eq!(login["auth"]["metadata"]["username"], "ana");
    let token = login["auth"]["client_token"].as_str().unwrap();
    let me = as_token(&api, token);
    ok(me.put("/v1/secret/data/dev/x", json!({"data": {"a": 1}})).await);
    denied(&me.get("/v1/secret/data/ops/x").await);
    assert_eq!(ok(me.get("/v1/auth/token/lookup-self").await)["data"]["path"], "auth/userpass/login/ana");

    let list = ok(api.call("LIST", "/v1/auth/userpass/users", None).await);
    assert_eq!(list["data"]["keys"], json!(["ana"]));
    ok(api.put("/v1/auth/userpass/users/ana/password", json!({"password": "new secret"})).await);
    let r = anonymous(&api).put("/v1/auth/userpass/login/ana", json!({"password": "correct horse"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    ok(anonymous(&api).put("/v1/auth/userpass/login/ana", json!({"password": "new secret"})).await);
    assert_eq!(api.call("DELETE", "/v1/auth/userpass/users/ana", None).await.status, StatusCode::NO_CONTENT);
    let r = anonymous(&api).put("/v1/auth/userpass/login/ana", json!({"password": "new secret"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_user_until_unlocked() {
    let api = with_userpass().await;
    ok(api.put("/v1/auth/userpass/users/bob", json!({"password": "right-one"})).await);
    let anon = anonymous(&api);
    for attempt in 1..=5 {
        let r = anon.put("/v1/auth/userpass/login/bob", json!({"password": "wrong"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "attempt {attempt}: {:?}", r.body);
        assert!(r.error().contains("invalid username or password"), "{:?}", r.body);
    }
    // Locked: even the right password is refused, without saying why.
    let r = anon.put("/v1/auth/userpass/login/bob", json!({"password": "right-one"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    let locked = ok(api.get("/v1/sys/locked-users").await)["data"].clone();
    assert_eq!(locked["total"], 1, "{locked}");
    let entry = &locked["by_namespace"][0]["mount_accessors"][0];
    assert_eq!(entry["alias_identifiers"], json!(["bob"]));
    let accessor = entry["mount_accessor"].as_str().unwrap();
    assert!(accessor.starts_with("auth_userpass_"), "{accessor}");

    ok(api.put(&format!("/v1/sys/locked-users/{accessor}/unlock/bob"), json!({})).await);
    assert_eq!(ok(api.get("/v1/sys/locked-users").await)["data"]["total"], 0);
    ok(anon.put("/v1/auth/userpass/login/bob", json!({"password": "right-one"})).await);

    // Only a privileged token may see or lift lockouts.
    let login = ok(anon.put("/v1/auth/userpass/login/bob", json!({"password": "right-one"})).await);
    let bob = as_token(&api, login["auth"]["client_token"].as_str().unwrap());
    denied(&bob.get("/v1/sys/locked-users").await);
    denied(&bob.put(&format!("/v1/sys/locked-users/{accessor}/unlock/bob"), json!({})).await);
}

#[tokio::test]
async fn bad_user_requests_are_clear_and_store_nothing() {
    let api = with_userpass().await;
    for (path, body, needle) in [
        ("/v1/auth/userpass/users/carl", json!({}), "password"),
        ("/v1/auth/userpass/users/carl", json!({"password": "p", "token_ttl": "forever"}), "token_ttl"),
        ("/v1/auth/userpass/users/carl", json!({"password": "p", "token_bound_cidrs": ["300.1.1.1/8"]}), "300.1.1.1"),
        ("/v1/auth/userpass/users/carl", json!({"password": "p", "token_type": "weird"}), "token_type"),
    ] {
        let r = api.put(path, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert!(r.error().contains(needle), "{body}: {:?}", r.body);
    }
    assert_eq!(api.get("/v1/auth/userpass/users/carl").await.status, StatusCode::NOT_FOUND);
    let r = anonymous(&api).put("/v1/auth/userpass/login/carl", json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
}
