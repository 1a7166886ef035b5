//! Wire-level behaviour every client relies on: headers, error shapes, limits and the
//! paths the pipeline refuses before any routing.

mod common;

use arcanum::http::ApiOptions;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::Api;
use serde_json::json;

#[tokio::test]
async fn every_api_answer_is_uncacheable_json() {
    let (api, _) = Api::unsealed().await;
    for r in [api.get("/v1/sys/seal-status").await, api.get("/v1/sys/nothing-here").await] {
        assert_eq!(r.headers["cache-control"], "no-store");
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
    }
    let r = api.call("PUT", "/v1/sys/rotate", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn unknown_paths_and_methods_get_vault_errors() {
    let (mut api, _) = Api::unsealed().await;
    let r = api.get("/v1/sys/nothing-here").await;
    assert_eq!((r.status, r.error().as_str()), (StatusCode::NOT_FOUND, "unsupported path"));
    let r = api.get("/v1/nomount/secret").await;
    assert_eq!(
        (r.status, r.error().as_str()),
        (StatusCode::NOT_FOUND, "no handler for route \"nomount/secret\". route entry not found.")
    );
    let r = api.call("POST", "/v1/sys/key-status", None).await;
    assert_eq!((r.status, r.error().as_str()), (StatusCode::METHOD_NOT_ALLOWED, "unsupported operation"));
    let r = api.call("DELETE", "/v1/sys/init", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);

    // Without a token nothing reveals whether a path exists.
    api.token = None;
    for path in ["/v1/sys/nothing-here", "/v1/sys/key-status", "/v1/nomount/x"] {
        let r = api.get(path).await;
        assert_eq!((r.status, r.error().as_str()), (StatusCode::FORBIDDEN, "permission denied"), "{path}");
    }
}

#[tokio::test]
async fn tricky_paths_are_refused_before_routing() {
    let (api, _) = Api::unsealed().await;
    for path in [
        "/v1/sys/../sys/key-status",
        "/v1/sys/%2e%2e/sys/key-status",
        "/v1/sys//key-status",
        "/v1//sys/key-status",
        "/v1/sys/./key-status",
        "/v1/sys/key-status%00",
        "/v1/sys/key%0a-status",
    ] {
        let r = api.get(path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {:?}", r.body);
    }
    let r = api.put("/v1/sys/rotate/", json!({})).await;
    assert_eq!((r.status, r.error().as_str()), (StatusCode::BAD_REQUEST, "cannot write to a path ending in '/'"));
}

#[tokio::test]
async fn bodies_are_checked() {
    let (api, _) = Api::unsealed().await;
    let raw = |body: &'static str| {
        Request::builder()
            .method("PUT")
            .uri("/v1/sys/rotate/root/init")
            .header("X-Vault-Token", api.token.clone().unwrap())
            .body(Body::from(body))
            .unwrap()
    };
    let r = api.send(raw("{not json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().starts_with("failed to decode JSON input"));
    let r = api.send(raw("[1,2]")).await;
    assert!(r.error().contains("must be a JSON object"));
    let deep: &'static str = Box::leak(format!("{{\"a\":{}0{}}}", "[".repeat(500), "]".repeat(500)).into_boxed_str());
    let r = api.send(raw(deep)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("nested too deeply"), "{}", r.error());
    let r = api.put("/v1/sys/rotate/root/init", json!({"secret_shares": "lots"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("'secret_shares'"), "{}", r.error());

    let patch = Request::builder()
        .method("PATCH")
        .uri("/v1/sys/key-status")
        .header("X-Vault-Token", api.token.clone().unwrap())
        .header("Content-Type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let r = api.send(patch).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.error().contains("application/merge-patch+json"));
}

#[tokio::test]
async fn oversized_bodies_get_413_and_change_nothing() {
    let options = ApiOptions { max_body_bytes: 1024, ..Default::default() };
    let api = Api::with_options(options).await;
    let big = json!({"secret_shares": 3, "secret_threshold": 2, "pad": "x".repeat(4096)});
    let r = api.put("/v1/sys/init", big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.error().contains("1024 bytes"));
    assert_eq!(api.get("/v1/sys/init").await.body["initialized"], false);

    // Also when the client does not declare a length (chunked).
    let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(vec![b' '; 2048])]);
    let req = Request::builder().method("PUT").uri("/v1/sys/init").body(Body::from_stream(stream)).unwrap();
    assert_eq!(api.send(req).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn browsers_on_other_sites_cannot_drive_the_api() {
    let api = Api::new().await;
    let forged = |site: Option<&str>, origin: Option<&str>| {
        let mut req = Request::builder()
            .method("PUT")
            .uri("/v1/sys/init")
            .header("Host", "arcanum.local:8200")
            .header("Content-Type", "text/plain");
        if let Some(site) = site {
            req = req.header("Sec-Fetch-Site", site);
        }
        if let Some(origin) = origin {
            req = req.header("Origin", origin);
        }
        req.body(Body::from(r#"{"secret_shares":1,"secret_threshold":1}"#)).unwrap()
    };
    for (site, origin) in [(Some("cross-site"), None), (Some("same-site"), None), (None, Some("https://evil.example"))]
    {
        let r = api.send(forged(site, origin)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{site:?} {origin:?}");
        assert!(r.error().contains("cross-site"));
    }
    assert_eq!(api.get("/v1/sys/init").await.body["initialized"], false, "nothing happened");
    // The console's own origin, and clients that are not browsers, are served.
    let r = api.send(forged(Some("same-origin"), Some("http://arcanum.local:8200"))).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}
