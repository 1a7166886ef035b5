//! `sys/mounts`, `sys/auth`, tuning, remounting, and the UI mount endpoints the CLI uses.

use axum::http::StatusCode;
use serde_json::json;

use super::unsealed;
use super::{as_token, child_token, denied, ok, write_policy};

#[tokio::test]
async fn enable_read_tune_and_disable_a_secret_engine() {
    let api = unsealed().await;
    let r = api
        .put(
            "/v1/sys/mounts/team/kv",
            json!({"type": "kv", "options": {"version": "2"}, "description": "team secrets"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

    let mounts = ok(api.get("/v1/sys/mounts").await);
    let mount = &mounts["data"]["team/kv/"];
    assert_eq!(mount["type"], "kv");
    assert_eq!(mount["options"]["version"], "2");
    assert_eq!(mount["description"], "team secrets");
    assert!(mount["accessor"].as_str().unwrap().starts_with("kv_"), "{mount}");
    assert_eq!(mounts["team/kv/"], *mount, "also at the top level for old clients");
    for builtin in ["sys/", "cubbyhole/", "secret/"] {
        assert!(mounts["data"][builtin].is_object(), "{builtin}");
    }

    ok(api.put("/v1/team/kv/data/a", json!({"data": {"k": "v"}})).await);
    let r = api.put("/v1/sys/mounts/team/kv/tune", json!({"max_lease_ttl": "2h", "options": {"version": "2"}})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let tune = ok(api.get("/v1/sys/mounts/team/kv/tune").await);
    assert_eq!(tune["data"]["max_lease_ttl"], 7200);
    assert_eq!(tune["data"]["default_lease_ttl"], 768 * 3600);
    let config = ok(api.get("/v1/sys/mounts/team/kv").await);
    assert_eq!(config["data"]["type"], "kv");

    assert_eq!(api.call("DELETE", "/v1/sys/mounts/team/kv", None).await.status, StatusCode::NO_CONTENT);
    assert!(ok(api.get("/v1/sys/mounts").await)["data"]["team/kv/"].is_null());
    // Enabled again, it starts empty: disabling removed the data.
    api.put("/v1/sys/mounts/team/kv", json!({"type": "kv-v2"})).await;
    assert_eq!(api.get("/v1/team/kv/data/a").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_mount_requests_are_clear_and_change_nothing() {
    let api = unsealed().await;
    let before = ok(api.get("/v1/sys/mounts").await)["data"].clone();
    for (path, body, needle) in [
        ("/v1/sys/mounts/secret", json!({"type": "kv"}), "already in use"),
        ("/v1/sys/mounts/secret/sub", json!({"type": "kv"}), "already in use"),
        ("/v1/sys/mounts/sys", json!({"type": "kv"}), "cannot mount"),
        ("/v1/sys/mounts/x", json!({"type": "nonsense"}), "nonsense"),
        ("/v1/sys/mounts/x", json!({}), "type"),
        ("/v1/sys/mounts/x", json!({"type": "kv", "options": {"version": "3"}}), "version"),
        (
            "/v1/sys/mounts/x",
            json!({"type": "kv", "config": {"default_lease_ttl": "2h", "max_lease_ttl": "1h"}}),
            "TTL",
        ),
        ("/v1/sys/mounts/secret/tune", json!({"max_lease_ttl": "soon"}), "soon"),
        ("/v1/sys/mounts/secret/tune", json!({"options": {"version": "1"}}), "downgrade"),
        ("/v1/sys/mounts/nothing/tune", json!({"max_lease_ttl": "1h"}), "no mount"),
    ] {
        let r = api.put(path, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} {body}: {:?}", r.body);
        assert!(r.error().contains(needle), "{path} {body}: {:?}", r.body);
    }
    for path in ["/v1/sys/mounts/sys", "/v1/sys/mounts/cubbyhole", "/v1/sys/auth/token"] {
        let r = api.call("DELETE", path, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {:?}", r.body);
    }
    assert_eq!(ok(api.get("/v1/sys/mounts").await)["data"], before);
}

#[tokio::test]
async fn remount_keeps_the_data() {
    let api = unsealed().await;
    ok(api.put("/v1/secret/data/app", json!({"data": {"k": "v"}})).await);
    let r = ok(api.put("/v1/sys/remount", json!({"from": "secret", "to": "moved"})).await);
    let id = r["migration_id"].as_str().unwrap().to_string();
    let status = ok(api.get(&format!("/v1/sys/remount/status/{id}")).await);
    assert_eq!(status["data"]["migration_info"]["status"], "success");
    assert_eq!(ok(api.get("/v1/moved/data/app").await)["data"]["data"]["k"], "v");
    assert_eq!(api.get("/v1/secret/data/app").await.status, StatusCode::NOT_FOUND);

    let r = api.put("/v1/sys/remount", json!({"from": "moved", "to": "sys/x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r = api.put("/v1/sys/remount", json!({"from": "nothing", "to": "y"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
}

#[tokio::test]
async fn auth_methods_enable_list_tune_disable() {
    let api = unsealed().await;
    assert_eq!(api.put("/v1/sys/auth/people", json!({"type": "userpass"})).await.status, StatusCode::NO_CONTENT);
    let auths = ok(api.get("/v1/sys/auth").await);
    assert_eq!(auths["data"]["people/"]["type"], "userpass");
    assert_eq!(auths["data"]["token/"]["type"], "token");
    let r =
        api.put("/v1/sys/auth/people/tune", json!({"default_lease_ttl": "30m", "listing_visibility": "unauth"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let tune = ok(api.get("/v1/sys/auth/people/tune").await);
    assert_eq!(tune["data"]["default_lease_ttl"], 1800);
    assert_eq!(tune["data"]["listing_visibility"], "unauth");

    ok(api.put("/v1/auth/people/users/ana", json!({"password": "pw-ana-123"})).await);
    let login = ok(api.put("/v1/auth/people/login/ana", json!({"password": "pw-ana-123"})).await);
    assert_eq!(login["auth"]["lease_duration"], 1800, "the tuned default TTL applies");

    let r = api.put("/v1/sys/auth/people", json!({"type": "kv"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a secret engine is not an auth method: {:?}", r.body);
    assert_eq!(api.call("DELETE", "/v1/sys/auth/people", None).await.status, StatusCode::NO_CONTENT);
    let token = login["auth"]["client_token"].as_str().unwrap();
    denied(&as_token(&api, token).get("/v1/auth/token/lookup-self").await);
}

#[tokio::test]
async fn ui_mounts_tell_the_cli_the_kv_version_and_respect_the_acl() {
    let api = unsealed().await;
    api.put("/v1/sys/mounts/old", json!({"type": "kv", "options": {"version": "1"}})).await;
    let r = ok(api.get("/v1/sys/internal/ui/mounts/secret/some/key").await);
    assert_eq!(r["data"]["path"], "secret/");
    assert_eq!(r["data"]["type"], "kv");
    assert_eq!(r["data"]["options"]["version"], "2");
    let r = ok(api.get("/v1/sys/internal/ui/mounts/old/key").await);
    assert_eq!(r["data"]["options"]["version"], "1");

    write_policy(&api, "reader", r#"path "secret/data/app" { capabilities = ["read"] }"#).await;
    let (token, _) = child_token(&api, json!({"policies": ["reader"]})).await;
    let user = as_token(&api, &token);
    let r = ok(user.get("/v1/sys/internal/ui/mounts/secret/app").await);
    assert_eq!(r["data"]["path"], "secret/");
    let r = user.get("/v1/sys/internal/ui/mounts/old/key").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let all = ok(user.get("/v1/sys/internal/ui/mounts").await);
    assert!(all["data"]["secret"]["secret/"].is_object(), "{all}");
    assert!(all["data"]["secret"]["old/"].is_null(), "not visible without access: {all}");
}

#[tokio::test]
async fn help_and_openapi_come_from_the_path_tables() {
    let api = unsealed().await;
    let help = ok(api.get("/v1/secret/data/x?help=1").await);
    assert!(help["help"].as_str().unwrap().to_lowercase().contains("secret"), "{help}");
    let help = ok(api.get("/v1/auth/token/create?help=1").await);
    assert!(help["openapi"]["paths"].is_object() || help["help"].is_string(), "{help}");

    let spec = ok(api.get("/v1/sys/internal/specs/openapi").await);
    assert_eq!(spec["openapi"], "3.0.2");
    let paths = spec["paths"].as_object().unwrap();
    for path in ["/secret/data/{path}", "/auth/token/create", "/sys/policies/acl/{name}", "/sys/mounts/{path}"] {
        assert!(paths.contains_key(path), "{path} missing from {:?}", paths.keys().take(20).collect::<Vec<_>>());
    }
    let ttl = &paths["/auth/token/create"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert!(!ttl.is_null(), "request bodies are described: {}", paths["/auth/token/create"]);
}

#[tokio::test]
async fn the_plugin_catalog_lists_what_can_be_mounted() {
    let api = unsealed().await;
    let catalog = ok(api.get("/v1/sys/plugins/catalog").await);
    assert_eq!(catalog["data"]["secret"], json!(["cubbyhole", "kv"]));
    assert_eq!(catalog["data"]["auth"], json!(["userpass"]));
    let detailed = catalog["data"]["detailed"].as_array().unwrap();
    assert!(detailed.iter().any(|p| p["name"] == "kv" && p["type"] == "secret" && p["builtin"] == true), "{catalog}");
}
