//! Helpers for tests: the real `/v1` router called in-process, and (in `process`) the
//! real binary driven by the real `bao` CLI; `cli` wraps a dev server and the CLI for the
//! API acceptance tests, `raw_http` sends the requests no polite client would.
#![allow(dead_code)]

pub mod cli;
pub mod process;
pub mod raw_http;

use std::sync::Arc;

use arcanum::core::Core;
use arcanum::http::{ApiOptions, api_router};
use arcanum::storage::{Physical, SqliteStorage};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

pub struct Api {
    pub router: Router,
    pub core: Arc<Core>,
    pub token: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The first error message, or "".
    pub fn error(&self) -> String {
        self.body["errors"][0].as_str().unwrap_or_default().to_string()
    }
}

impl Api {
    pub async fn new() -> Api {
        Self::with_options(ApiOptions::default()).await
    }

    pub async fn with_options(options: ApiOptions) -> Api {
        let physical: Arc<dyn Physical> = Arc::new(SqliteStorage::open_memory().await.unwrap());
        Self::on(physical, options)
    }

    pub fn on(physical: Arc<dyn Physical>, options: ApiOptions) -> Api {
        let core = Core::new(physical);
        Api { router: api_router(core.clone(), options), core, token: None }
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let mut req = Request::builder().method(Method::from_bytes(method.as_bytes()).unwrap()).uri(path);
        if let Some(token) = &self.token {
            req = req.header("X-Vault-Token", token);
        }
        let body = match body {
            Some(json) => {
                req = req.header("Content-Type", "application/json");
                Body::from(serde_json::to_vec(&json).unwrap())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        // A body that is not JSON (CSV, Prometheus text) comes back as a string.
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call("GET", path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call("PUT", path, Some(body)).await
    }

    /// Initialise with `shares`/`threshold` over HTTP; returns (hex keys, root token).
    pub async fn init(&self, shares: u64, threshold: u64) -> (Vec<String>, String) {
        let r =
            self.put("/v1/sys/init", serde_json::json!({"secret_shares": shares, "secret_threshold": threshold})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let keys = r.body["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
        (keys, r.body["root_token"].as_str().unwrap().to_string())
    }

    pub async fn unseal_with(&self, keys: &[String]) -> Reply {
        let mut last = None;
        for key in keys {
            last = Some(self.put("/v1/sys/unseal", serde_json::json!({ "key": key })).await);
        }
        last.unwrap()
    }

    /// Initialised (3 shares, threshold 2), unsealed, holding the root token.
    pub async fn unsealed() -> (Api, Vec<String>) {
        let mut api = Api::new().await;
        let (keys, root) = api.init(3, 2).await;
        let r = api.unseal_with(&keys[..2]).await;
        assert_eq!(r.body["sealed"], false);
        api.token = Some(root);
        (api, keys)
    }
}
