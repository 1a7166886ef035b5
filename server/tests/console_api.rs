//! The console's server functions, in-process: the same core as `/v1`, refused to other
//! sites, and never initialising from a form posted without the app.

use std::sync::Arc;

use arcanum::core::Core;
use arcanum::storage::SqliteStorage;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

async fn console() -> (axum::Router, Arc<Core>) {
    let core = Core::new(Arc::new(SqliteStorage::open_memory().await.unwrap()));
    let site = tempfile::tempdir().unwrap();
    (arcanum::console::router(core.clone(), site.path()), core)
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
