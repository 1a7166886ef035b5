//! `sys/policy`, `sys/policies/acl`, capabilities and the explain endpoint, with the
//! policies enforced on real requests.

use axum::http::StatusCode;
use serde_json::json;

use super::unsealed;
use super::{as_token, child_token, denied, ok, write_policy};

const DEV: &str = r#"
# Developers read and write their app's secrets, and may list the mount.
path "secret/data/app/*" {
  capabilities = ["create", "read", "update"]
}
path "secret/metadata/*" {
  capabilities = ["list"]
}
path "secret/data/app/admin" {
  capabilities = ["deny"]
}
"#;

#[tokio::test]
async fn crud_in_hcl_and_json_on_both_endpoints() {
    let api = unsealed().await;
    write_policy(&api, "dev", DEV).await;
    let read = ok(api.get("/v1/sys/policies/acl/dev").await);
    assert_eq!(read["data"]["name"], "dev");
    assert_eq!(read["data"]["policy"], DEV, "the text is kept as written");
    let legacy = ok(api.get("/v1/sys/policy/dev").await);
    assert_eq!(legacy["rules"], DEV);
    assert_eq!(legacy["name"], "dev");

    let json_policy = r#"{"path": {"kv/*": {"capabilities": ["read"]}}}"#;
    assert_eq!(api.put("/v1/sys/policy/Ops", json!({ "policy": json_policy })).await.status, StatusCode::NO_CONTENT);
    // Names are lower-cased, as Vault does.
    assert_eq!(ok(api.get("/v1/sys/policies/acl/ops").await)["data"]["policy"], json_policy);

    let list = ok(api.call("LIST", "/v1/sys/policies/acl", None).await);
    assert_eq!(list["data"]["keys"], json!(["default", "dev", "ops", "root"]));
    let legacy = ok(api.get("/v1/sys/policy").await);
    assert_eq!(legacy["policies"], json!(["default", "dev", "ops", "root"]));

    assert_eq!(api.call("DELETE", "/v1/sys/policies/acl/ops", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/v1/sys/policies/acl/ops").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn builtins_cannot_be_removed_and_root_cannot_change() {
    let api = unsealed().await;
    for path in ["/v1/sys/policies/acl/default", "/v1/sys/policies/acl/root"] {
        let r = api.call("DELETE", path, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {:?}", r.body);
    }
    let r = api.put("/v1/sys/policies/acl/root", json!({"policy": "path \"*\" { capabilities = [\"read\"] }"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    // default may be edited.
    write_policy(&api, "default", r#"path "secret/*" { capabilities = ["read"] }"#).await;
}

#[tokio::test]
async fn parse_errors_name_line_and_column() {
    let api = unsealed().await;
    let broken = "path \"secret/*\" {\n  capabilities = [\"read\"\n}\n";
    let r = api.put("/v1/sys/policies/acl/broken", json!({ "policy": broken })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("3:"), "line 3: {:?}", r.body);

    let r = api.put("/v1/sys/policies/acl/bad", json!({"policy": "path \"x\" { capabilities = [\"reed\"] }"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("reed"), "{:?}", r.body);
    assert_eq!(api.get("/v1/sys/policies/acl/bad").await.status, StatusCode::NOT_FOUND, "nothing stored");

    for (name, body) in [("empty", json!({"policy": ""})), ("nopolicy", json!({}))] {
        let r = api.put(&format!("/v1/sys/policies/acl/{name}"), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {:?}", r.body);
    }
}

#[tokio::test]
async fn policies_decide_real_requests() {
    let api = unsealed().await;
    write_policy(&api, "dev", DEV).await;
    let (token, _) = child_token(&api, json!({"policies": ["dev"]})).await;
    let dev = as_token(&api, &token);

    ok(dev.put("/v1/secret/data/app/db", json!({"data": {"password": "p"}})).await);
    assert_eq!(ok(dev.get("/v1/secret/data/app/db").await)["data"]["data"]["password"], "p");
    ok(dev.call("LIST", "/v1/secret/metadata/app", None).await);
    denied(&dev.put("/v1/secret/data/app/admin", json!({"data": {}})).await);
    denied(&dev.call("DELETE", "/v1/secret/data/app/db", None).await);
    denied(&dev.get("/v1/secret/data/other").await);
    // Forbidden and missing look the same.
    denied(&dev.get("/v1/secret/data/does-not-exist").await);
    denied(&dev.get("/v1/nomount/x").await);
    denied(&dev.get("/v1/sys/policies/acl/dev").await);

    // A policy change applies to live tokens at once.
    write_policy(&api, "dev", r#"path "secret/data/other" { capabilities = ["read"] }"#).await;
    denied(&dev.get("/v1/secret/data/app/db").await);
    assert_eq!(dev.get("/v1/secret/data/other").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn parameter_constraints_and_globs() {
    let api = unsealed().await;
    write_policy(
        &api,
        "limited",
        r#"
path "secret/data/+/config" {
  capabilities = ["create", "update"]
  allowed_parameters = { "data" = [] }
}
path "auth/token/create" {
  capabilities = ["update"]
  denied_parameters = { "no_parent" = [] }
  required_parameters = ["policies"]
}
"#,
    )
    .await;
    let (token, _) = child_token(&api, json!({"policies": ["limited"]})).await;
    let user = as_token(&api, &token);
    ok(user.put("/v1/secret/data/a/config", json!({"data": {"k": "v"}})).await);
    denied(&user.put("/v1/secret/data/a/b/config", json!({"data": {}})).await);
    denied(&user.put("/v1/secret/data/a/config", json!({"data": {}, "options": {"cas": 0}})).await);
    denied(&user.put("/v1/auth/token/create", json!({})).await);
    denied(&user.put("/v1/auth/token/create", json!({"policies": ["limited"], "no_parent": true})).await);
    ok(user.put("/v1/auth/token/create", json!({"policies": ["limited"]})).await);
}

#[tokio::test]
async fn capabilities_for_self_token_and_accessor() {
    let api = unsealed().await;
    write_policy(&api, "dev", DEV).await;
    let (token, accessor) = child_token(&api, json!({"policies": ["dev"]})).await;

    let r = ok(api.put("/v1/sys/capabilities", json!({"token": token, "paths": ["secret/data/app/x"]})).await);
    assert_eq!(r["capabilities"], json!(["create", "read", "update"]));
    assert_eq!(r["secret/data/app/x"], json!(["create", "read", "update"]));
    let r = ok(api.put("/v1/sys/capabilities", json!({"token": token, "path": "secret/data/app/admin"})).await);
    assert_eq!(r["capabilities"], json!(["deny"]));
    let r = ok(api.put("/v1/sys/capabilities-accessor", json!({"accessor": accessor, "paths": ["x/y"]})).await);
    assert_eq!(r["capabilities"], json!(["deny"]));
    let r = ok(as_token(&api, &token)
        .put("/v1/sys/capabilities-self", json!({"paths": ["secret/metadata/a", "secret/data/app/b"]}))
        .await);
    assert_eq!(r["secret/metadata/a"], json!(["list"]));
    assert_eq!(r["secret/data/app/b"], json!(["create", "read", "update"]));
    let r = ok(api.put("/v1/sys/capabilities-self", json!({"paths": ["anything"]})).await);
    assert_eq!(r["capabilities"], json!(["root"]));

    let r = api.put("/v1/sys/capabilities", json!({"token": "s.unknown", "paths": ["x"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
}

#[tokio::test]
async fn explain_names_the_deciding_rule() {
    let api = unsealed().await;
    write_policy(&api, "dev", DEV).await;
    let (token, accessor) = child_token(&api, json!({"policies": ["dev"]})).await;

    let r = ok(api
        .put(
            "/v1/sys/policies/explain",
            json!({"policies": ["dev"], "path": "secret/data/app/db", "operation": "delete"}),
        )
        .await);
    assert_eq!(r["data"]["allowed"], false);
    assert_eq!(r["data"]["rule"]["pattern"], "secret/data/app/*");
    assert_eq!(
        r["data"]["reason"],
        r#"denied: policy "dev" grants [create, read, update] on "secret/data/app/*", not delete"#
    );

    let r = ok(api
        .put("/v1/sys/policies/explain", json!({"token": token, "path": "secret/data/app/admin", "operation": "read"}))
        .await);
    assert_eq!(r["data"]["reason"], r#"denied: policy "dev" denies "secret/data/app/admin""#);
    let r = ok(api
        .put(
            "/v1/sys/policies/explain",
            json!({"accessor": accessor, "path": "secret/metadata/x", "operation": "list"}),
        )
        .await);
    assert_eq!(r["data"]["allowed"], true);
    assert_eq!(r["data"]["path"], "secret/metadata/x/");

    let r = api.put("/v1/sys/policies/explain", json!({"policies": ["dev"], "path": "x", "operation": "fly"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("fly"), "{:?}", r.body);

    // Explaining is for those allowed to: a token without a rule for it is refused.
    denied(&as_token(&api, &token).put("/v1/sys/policies/explain", json!({"path": "x"})).await);
}

#[tokio::test]
async fn resultant_acl_lists_what_the_token_may_do() {
    let api = unsealed().await;
    write_policy(&api, "dev", DEV).await;
    let (token, _) = child_token(&api, json!({"policies": ["dev"]})).await;
    let r = ok(as_token(&api, &token).get("/v1/sys/internal/ui/resultant-acl").await);
    let glob = &r["data"]["glob_paths"]["secret/data/app/"];
    assert_eq!(glob["capabilities"], json!(["create", "read", "update"]), "{r}");
    assert_eq!(r["data"]["exact_paths"]["secret/data/app/admin"]["capabilities"], json!(["deny"]), "{r}");
    let root = ok(api.get("/v1/sys/internal/ui/resultant-acl").await);
    assert_eq!(root["data"]["root"], true);
}
