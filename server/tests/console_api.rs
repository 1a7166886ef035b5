//! The console's server functions, in-process: the same core as `/v1`, refused to other
//! sites, and never initialising from a form posted without the app; sign-in, the
//! server-side session, and sign-out.

use std::sync::Arc;

use arcanum::core::Core;
use arcanum::logical::{Operation, Request as LogicalRequest};
use arcanum::storage::SqliteStorage;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tower::ServiceExt;

async fn console() -> (axum::Router, Arc<Core>) {
    let core = Core::new(Arc::new(SqliteStorage::open_memory().await.unwrap()));
    let site = tempfile::tempdir().unwrap();
    (arcanum::console::router(core.clone(), site.path(), false), core)
}

fn post(path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method("POST")
        .uri(path)
        .header("Host", "arcanum.local")
        .header("Content-Type", "application/x-www-form-urlencoded")
}

#[tokio::test]
async fn server_functions_answer_the_console() {
    let (router, core) = console().await;
    let body = "secret_shares=3&secret_threshold=2";
    let req = post("/ui/api/sys/init").header("Accept", "application/json").body(Body::from(body)).unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let json: serde_json::Value =
        serde_json::from_slice(&axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert_eq!(json["keys_base64"].as_array().unwrap().len(), 3);
    assert!(core.seal_status().await.unwrap().initialized);
}

#[tokio::test]
async fn other_sites_and_plain_form_posts_cannot_initialise() {
    let (router, core) = console().await;
    let body = "secret_shares=1&secret_threshold=1";
    let cross = post("/ui/api/sys/init").header("Sec-Fetch-Site", "cross-site").body(Body::from(body)).unwrap();
    assert_eq!(router.clone().oneshot(cross).await.unwrap().status(), StatusCode::FORBIDDEN);

    // A same-origin form posted before the page became interactive: the answer (the keys)
    // would be thrown away by the redirect, so the server refuses.
    let plain = post("/ui/api/sys/init")
        .header("Sec-Fetch-Site", "same-origin")
        .header("Accept", "text/html,application/xhtml+xml")
        .body(Body::from(body))
        .unwrap();
    let _ = router.clone().oneshot(plain).await.unwrap();
    assert!(!core.seal_status().await.unwrap().initialized, "nothing initialised");
}

/// The console's API as the pipeline runs it: `op` on `path` with the root token.
async fn as_root(
    t: &arcanum::testing::TestCore,
    op: Operation,
    path: &str,
    data: serde_json::Value,
) -> serde_json::Value {
    let mut req = LogicalRequest::new(op, path);
    req.data = data.as_object().cloned().unwrap_or_default();
    req.client_token = Some(t.root_token.clone());
    let response = t.core.handle_request(req).await.unwrap();
    serde_json::Value::Object(response.and_then(|r| r.data).unwrap_or_default())
}

async fn call(
    router: &axum::Router,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> (StatusCode, Option<String>, serde_json::Value) {
    let mut req = post(path).header("Accept", "application/json");
    if let Some(cookie) = cookie {
        req = req.header("Cookie", cookie);
    }
    let res = router.clone().oneshot(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = res.status();
    let set_cookie = res.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, set_cookie, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn sign_in_keeps_the_token_in_a_server_side_session_and_sign_out_revokes_it() {
    let t = arcanum::testing::TestCore::unsealed().await;
    let site = tempfile::tempdir().unwrap();
    let router = arcanum::console::router(t.core.clone(), site.path(), false);
    as_root(&t, Operation::Update, "sys/auth/userpass", json!({"type": "userpass"})).await;
    as_root(&t, Operation::Update, "auth/userpass/users/alice", json!({"password": "correct horse"})).await;
    let accessors = || as_root(&t, Operation::List, "auth/token/accessors/", json!({}));
    let tokens_before = accessors().await["keys"].as_array().unwrap().len();

    // A wrong password: refused with the reason, no session.
    let (_, cookie, body) =
        call(&router, "/ui/api/auth/userpass", None, "mount=userpass&username=alice&password=wrong").await;
    assert_eq!(body["status"], 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("invalid username or password"), "{body}");
    assert!(cookie.is_none());

    let (status, cookie, body) =
        call(&router, "/ui/api/auth/userpass", None, "mount=userpass&username=alice&password=correct%20horse").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["display_name"], "userpass-alice");
    assert!(!body.to_string().contains("s."), "no token reaches the browser: {body}");
    let cookie = cookie.expect("a session cookie");
    for attribute in ["arcanum_session=", "HttpOnly", "SameSite=Strict", "Path=/ui"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "no TLS here: {cookie}");
    let session = cookie.split(';').next().unwrap().to_string();
    assert_eq!(accessors().await["keys"].as_array().unwrap().len(), tokens_before + 1);

    // The session acts as alice, with alice's policies: the mount table is not hers.
    let (_, _, whoami) = call(&router, "/ui/api/auth/whoami", Some(&session), "").await;
    assert_eq!(whoami["display_name"], "userpass-alice");
    assert_eq!(
        whoami["nav"],
        json!({"mounts": false, "policies": false, "audit": false, "tokens": false, "leases": false})
    );
    let (_, _, denied) = call(&router, "/ui/api/mounts/list", Some(&session), "").await;
    assert_eq!(denied["status"], 403, "{denied}");
    let (_, _, signed_out) = call(&router, "/ui/api/mounts/list", None, "").await;
    assert_eq!(signed_out["status"], 401, "{signed_out}");
    let (_, _, forged) = call(&router, "/ui/api/mounts/list", Some("arcanum_session=AAAAAAAAAAAAAAAAAAAAAA"), "").await;
    assert_eq!(forged["status"], 401, "{forged}");

    // Sign-out ends the session and revokes the token the console obtained.
    let (status, cleared, _) = call(&router, "/ui/api/auth/sign-out", Some(&session), "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(cleared.is_some_and(|c| c.contains("Max-Age=0")), "the cookie is cleared");
    let (_, _, whoami) = call(&router, "/ui/api/auth/whoami", Some(&session), "").await;
    assert_eq!(whoami, serde_json::Value::Null, "the old cookie is worth nothing");
    assert_eq!(accessors().await["keys"].as_array().unwrap().len(), tokens_before);
}

#[tokio::test]
async fn a_token_sign_in_sees_what_its_policies_allow_and_keeps_its_token_at_sign_out() {
    let t = arcanum::testing::TestCore::unsealed().await;
    let site = tempfile::tempdir().unwrap();
    let router = arcanum::console::router(t.core.clone(), site.path(), false);
    let (_, _, bad) = call(&router, "/ui/api/auth/token", None, "token=s.nonsense").await;
    assert_eq!(bad["status"], 403, "{bad}");
    assert!(bad["message"].as_str().unwrap().contains("not valid"), "{bad}");

    let body = format!("token={}", t.root_token);
    let (_, cookie, whoami) = call(&router, "/ui/api/auth/token", None, &body).await;
    assert_eq!(
        whoami["nav"],
        json!({"mounts": true, "policies": true, "audit": true, "tokens": true, "leases": true}),
        "{whoami}"
    );
    let session = cookie.unwrap().split(';').next().unwrap().to_string();
    let (_, _, mounts) = call(&router, "/ui/api/mounts/list", Some(&session), "").await;
    let paths: Vec<&str> = mounts["secrets"].as_array().unwrap().iter().map(|m| m["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"sys/"), "{mounts}");
    assert!(mounts["auth"].as_array().unwrap().iter().any(|m| m["path"] == "token/"), "{mounts}");
    let (_, _, policies) = call(&router, "/ui/api/policies/list", Some(&session), "").await;
    assert_eq!(policies, json!(["default", "root"]));

    call(&router, "/ui/api/auth/sign-out", Some(&session), "").await;
    let lookup = as_root(&t, Operation::Read, "auth/token/lookup-self", json!({})).await;
    assert_eq!(lookup["policies"], json!(["root"]), "a token the user brought is not revoked");
}

#[tokio::test]
async fn console_assets_are_served_gzipped_to_browsers_that_accept_it() {
    let core = Core::new(Arc::new(SqliteStorage::open_memory().await.unwrap()));
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/arcanum.js"), "export function hydrate() {}\n".repeat(200)).unwrap();
    let router = arcanum::console::router(core, site.path(), false);
    let get = |encoding: Option<&str>| {
        let mut req = Request::builder().uri("/pkg/arcanum.js").header("Host", "arcanum.local");
        if let Some(encoding) = encoding {
            req = req.header("Accept-Encoding", encoding);
        }
        router.clone().oneshot(req.body(Body::empty()).unwrap())
    };
    let gzipped = get(Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(gzipped.status(), StatusCode::OK);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let body = axum::body::to_bytes(gzipped.into_body(), usize::MAX).await.unwrap();
    assert!(body.len() < 1000, "{} bytes for 5800 of text", body.len());
    let plain = get(None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
}
