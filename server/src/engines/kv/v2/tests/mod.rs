//! Engine-level tests of KV v2: the backend alone on in-memory storage, driven through
//! `Backend::handle` as the router would, with a clock the tests move.

mod data;
mod metadata;
mod paths;
mod upgrade;
mod versions;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::Value;

use crate::framework::Backend;
use crate::logical::{BackendConfig, Operation, Request, Response, Result};

/// 2026-11-25T03:55:56.29593961Z
pub(super) const START: i64 = 1_795_578_956_295_939_610;
pub(super) const START_STR: &str = "2026-11-25T03:55:56.29593961Z";
pub(super) const SECOND: i64 = 1_000_000_000;

pub(super) struct Kv {
    pub backend: Arc<dyn Backend>,
    clock: Arc<AtomicI64>,
}

impl Kv {
    pub async fn new() -> Kv {
        Kv::with_config(BackendConfig::for_tests(&[("version", "2")]))
    }

    pub fn with_config(config: BackendConfig) -> Kv {
        let clock = Arc::new(AtomicI64::new(START));
        let now = clock.clone();
        let backend = super::super::build(config, Arc::new(move || now.load(Ordering::SeqCst))).unwrap();
        Kv { backend, clock }
    }

    pub fn advance(&self, nanos: i64) {
        self.clock.fetch_add(nanos, Ordering::SeqCst);
    }

    pub fn now(&self) -> String {
        super::super::format_time(self.clock.load(Ordering::SeqCst))
    }

    pub async fn call(&self, op: Operation, path: &str, body: Value) -> Result<Option<Response>> {
        self.backend.handle(Request::new(op, path).with_data(body)).await
    }

    /// The response of a request that must succeed.
    pub async fn ok(&self, op: Operation, path: &str, body: Value) -> Option<Response> {
        match self.call(op, path, body).await {
            Ok(resp) => resp,
            Err(err) => panic!("{op} {path}: {err}"),
        }
    }

    /// The message of a request that must fail.
    pub async fn err(&self, op: Operation, path: &str, body: Value) -> String {
        match self.call(op, path, body).await {
            Ok(resp) => panic!("{op} {path} succeeded: {:?}", resp.map(|r| r.data)),
            Err(err) => err.to_string(),
        }
    }

    pub async fn update(&self, path: &str, body: Value) -> Option<Response> {
        self.ok(Operation::Update, path, body).await
    }

    /// `PUT data/<key> {"data": data}`: the write's `data`.
    pub async fn write(&self, key: &str, data: Value) -> Value {
        let resp = self.update(&format!("data/{key}"), serde_json::json!({ "data": data })).await;
        Value::Object(resp.and_then(|r| r.data).expect("a write answers with the version"))
    }

    pub async fn read(&self, path: &str) -> Option<Response> {
        self.ok(Operation::Read, path, serde_json::json!({})).await
    }

    /// The `data` of a read that must answer 200.
    pub async fn read_json(&self, path: &str) -> Value {
        let resp = self.read(path).await.unwrap_or_else(|| panic!("GET {path}: 404"));
        assert_eq!(resp.status, None, "GET {path}: status");
        Value::Object(resp.data.unwrap_or_default())
    }

    /// A read that must answer 404 with a body: (data, warnings).
    pub async fn read_404(&self, path: &str, query: Value) -> (Value, Vec<String>) {
        let resp = self.ok(Operation::Read, path, query).await.unwrap_or_else(|| panic!("GET {path}: bare 404"));
        assert_eq!(resp.status, Some(404), "GET {path}: status");
        (resp.data.map(Value::Object).unwrap_or(Value::Null), resp.warnings)
    }

    /// LIST's keys, or `None` for 404.
    pub async fn list(&self, path: &str, query: Value) -> Option<Value> {
        let resp = self.ok(Operation::List, path, query).await?;
        Some(resp.data.expect("a list has data")["keys"].clone())
    }

    pub async fn metadata(&self, key: &str) -> Value {
        self.read_json(&format!("metadata/{key}")).await
    }
}
