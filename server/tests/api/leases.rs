//! Leases through the whole pipeline: every expiring token has one; lookup, list,
//! renew, revoke and revoke-prefix act on the token behind it.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::Api;
use super::{as_token, child_token, denied, ok, unsealed, write_policy};

async fn login(api: &Api, user: &str) -> Value {
    let anonymous = Api { router: api.router.clone(), core: api.core.clone(), token: None };
    ok(anonymous.put(&format!("/v1/auth/userpass/login/{user}"), json!({"password": "correct horse"})).await)["auth"]
        .clone()
}

/// The one lease under `prefix` (a folder ending in `/`).
async fn only_lease(api: &Api, prefix: &str) -> String {
    let keys = ok(api.call("LIST", &format!("/v1/sys/leases/lookup/{prefix}"), None).await)["data"]["keys"].clone();
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    format!("{prefix}{}", keys[0].as_str().unwrap())
}

#[tokio::test]
async fn a_login_s_lease_looks_up_renews_and_revokes_its_token() {
    let api = unsealed().await;
    ok(api.put("/v1/sys/auth/userpass", json!({"type": "userpass"})).await);
    ok(api.put("/v1/auth/userpass/users/ana", json!({"password": "correct horse", "token_ttl": "1h"})).await);
    let auth = login(&api, "ana").await;
    let token = auth["client_token"].as_str().unwrap();

    let users = ok(api.call("LIST", "/v1/sys/leases/lookup/auth/userpass/login", None).await);
    assert_eq!(users["data"]["keys"], json!(["ana/"]));
    let lease = only_lease(&api, "auth/userpass/login/ana/").await;
    let looked = ok(api.put("/v1/sys/leases/lookup", json!({"lease_id": lease})).await)["data"].clone();
    assert_eq!(looked["id"], lease);
    assert_eq!(looked["renewable"], true);
    let ttl = looked["ttl"].as_u64().unwrap();
    assert!((3590..=3600).contains(&ttl), "{looked}");

    assert_eq!(looked["path"], "auth/userpass/login/ana");

    // A token's lease renews through the token (as in OpenBao), and the lease follows.
    let ana = as_token(&api, token);
    let r = ana.put("/v1/sys/leases/renew", json!({"lease_id": lease, "increment": "30m"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("tokens cannot be renewed through this endpoint"), "{:?}", r.body);
    ok(ana.put("/v1/auth/token/renew-self", json!({"increment": "30m"})).await);
    let looked = ok(api.put("/v1/sys/leases/lookup", json!({"lease_id": lease})).await)["data"].clone();
    assert_eq!(looked["ttl"].as_u64().unwrap() / 100, 17, "{looked}");
    assert!(looked["last_renewal"].is_string(), "{looked}");

    ok(api.put(&format!("/v1/sys/leases/revoke/{lease}"), json!({})).await);
    denied(&ana.get("/v1/auth/token/lookup-self").await);
    let r = api.put("/v1/sys/leases/lookup", json!({"lease_id": lease})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("invalid lease"), "{:?}", r.body);
    assert_eq!(
        api.call("LIST", "/v1/sys/leases/lookup/auth/userpass/login/ana/", None).await.status,
        StatusCode::NOT_FOUND
    );
    // Revoking a lease that is gone is not an error.
    ok(api.put("/v1/sys/leases/revoke", json!({"lease_id": lease})).await);
}

#[tokio::test]
async fn revoke_prefix_takes_one_method_s_tokens_and_their_children_only() {
    let api = unsealed().await;
    ok(api.put("/v1/sys/auth/userpass", json!({"type": "userpass"})).await);
    write_policy(&api, "spawner", r#"path "auth/token/create" { capabilities = ["update"] }"#).await;
    for user in ["ana", "bo"] {
        let body = json!({"password": "correct horse", "token_policies": "spawner"});
        ok(api.put(&format!("/v1/auth/userpass/users/{user}"), body).await);
    }
    let (ana, bo) = (login(&api, "ana").await, login(&api, "bo").await);
    let ana = as_token(&api, ana["client_token"].as_str().unwrap());
    let (child, _) = child_token(&ana, json!({"ttl": "10m"})).await;
    let (created, _) = child_token(&api, json!({"ttl": "10m", "policies": ["default"]})).await;
    let created_leases = || async {
        let r = ok(api.call("LIST", "/v1/sys/leases/lookup/auth/token/create/", None).await);
        r["data"]["keys"].as_array().unwrap().len()
    };
    assert_eq!(created_leases().await, 2, "ana's child and root's token");
    let top = ok(api.call("LIST", "/v1/sys/leases/lookup/", None).await);
    assert_eq!(top["data"]["keys"], json!(["auth/"]));

    // The CLI sends the prefix without its slash (a write cannot end in one).
    ok(api.put("/v1/sys/leases/revoke-prefix/auth/userpass", json!({})).await);
    for gone in [ana.token.clone().unwrap(), bo["client_token"].as_str().unwrap().to_string(), child] {
        denied(&as_token(&api, &gone).get("/v1/auth/token/lookup-self").await);
    }
    ok(as_token(&api, &created).get("/v1/auth/token/lookup-self").await);
    assert_eq!(created_leases().await, 1, "the child's lease went with it");
    assert!(only_lease(&api, "auth/token/create/").await.len() > "auth/token/create/".len());
    assert_eq!(api.call("LIST", "/v1/sys/leases/lookup/auth/userpass/", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn listing_and_revoking_by_prefix_need_sudo_and_bad_ids_are_named() {
    let api = unsealed().await;
    let (token, _) = child_token(&api, json!({"ttl": "10m", "policies": ["default"]})).await;
    let user = as_token(&api, &token);
    denied(&user.call("LIST", "/v1/sys/leases/lookup/auth/", None).await);
    denied(&user.put("/v1/sys/leases/revoke-prefix/auth", json!({})).await);
    denied(&user.put("/v1/sys/leases/revoke", json!({"lease_id": "auth/token/create/x"})).await);

    let r = api.put("/v1/sys/leases/lookup", json!({})).await;
    assert!(r.error().contains("lease_id must be specified"), "{:?}", r.body);
    let r = api.put("/v1/sys/leases/lookup", json!({"lease_id": "auth/../sys/token/id/x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("not valid"), "{:?}", r.body);
    let r = api.put("/v1/sys/leases/renew", json!({"lease_id": "auth/token/create/nope"})).await;
    assert!(r.error().contains("lease not found"), "{:?}", r.body);
    let r = api.put("/v1/sys/leases/revoke-prefix/auth//x", json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);

    // A token that never expires has a lease too (as in OpenBao), which does not renew.
    let (root, _) = child_token(&api, json!({"policies": ["root"]})).await;
    let lookup = ok(as_token(&api, &root).get("/v1/auth/token/lookup-self").await)["data"].clone();
    assert_eq!(lookup["ttl"], 0, "{lookup}");
    let keys = ok(api.call("LIST", "/v1/sys/leases/lookup/auth/token/create/", None).await)["data"]["keys"].clone();
    assert_eq!(keys.as_array().unwrap().len(), 2, "{keys}");
    let mut forever = None;
    for key in keys.as_array().unwrap() {
        let id = format!("auth/token/create/{}", key.as_str().unwrap());
        let lease = ok(api.put("/v1/sys/leases/lookup", json!({"lease_id": id})).await)["data"].clone();
        if lease["expire_time"].is_null() {
            assert_eq!((lease["ttl"].clone(), lease["renewable"].clone()), (json!(0), json!(false)), "{lease}");
            forever = Some(id);
        }
    }
    let forever = forever.expect("the root child's lease");
    let r = api.put("/v1/sys/leases/renew", json!({"lease_id": forever})).await;
    assert!(r.error().contains("lease is not renewable"), "{:?}", r.body);
}
