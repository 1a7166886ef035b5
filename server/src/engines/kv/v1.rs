//! KV version 1: an unversioned passthrough store. A write stores the request body as
//! it came (any keys, any JSON), a read returns it verbatim, and a read's
//! `lease_duration` is the secret's own `ttl` (or `lease`) when it parses as a duration,
//! otherwise the mount's default lease TTL. Leases are informational: no lease id, never
//! renewable, never capped by the mount's maximum.
//!
//! The body *is* the secret, so none of its keys may be taken for a field: the backend
//! wraps it whole into the [`BODY`] field before the path table sees it (otherwise a
//! secret key named `path` would be overwritten by the path capture, and every key
//! would draw an "ignored parameters" warning).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{V1_PREFIX, check_writable, folder, is_entry_key};
use crate::framework::{Field, FieldData, Framework, Path, parse_duration_seconds};
use crate::logical::{
    BackendConfig, Error, Lease, Operation, Request, Response, Result, Storage, StorageView, SystemView,
};

/// The field a write's whole body is moved into.
const BODY: &str = "secret";

pub struct KvV1 {
    storage: StorageView,
    system: Arc<dyn SystemView>,
}

pub(super) fn backend(config: BackendConfig) -> Framework<KvV1> {
    let engine = KvV1 { storage: config.storage, system: config.system };
    Framework::new(Arc::new(engine), paths()).help(BACKEND_HELP)
}

/// Move a write's body into [`BODY`], so it reaches the handler untouched.
pub(super) fn box_body(req: &mut Request) {
    let body = std::mem::take(&mut req.data);
    req.data.insert(BODY.into(), Value::Object(body));
}

fn paths() -> Vec<Path<KvV1>> {
    vec![
        Path::new("{path?*}")
            .field(Field::string("path", "Location of the secret."))
            .field(Field::raw(BODY, "The secret: the whole request body, stored and returned as it is."))
            .on(Operation::Read, KvV1::read)
            .on(Operation::Update, KvV1::write)
            .on(Operation::Delete, KvV1::delete)
            .on(Operation::List, KvV1::list)
            .exists(KvV1::exists)
            .help(SYNOPSIS, DESCRIPTION),
    ]
}

fn storage_key(key: &str) -> String {
    format!("{V1_PREFIX}{key}")
}

impl KvV1 {
    async fn read(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        if !is_entry_key(&key) {
            return Ok(None);
        }
        let Some(raw) = self.storage.get(&storage_key(&key)).await? else { return Ok(None) };
        let data: Map<String, Value> = serde_json::from_slice(&raw)
            .map_err(|e| Error::internal(format!("the stored secret at {key:?} is damaged: {e}")))?;
        let duration = lease_seconds(&data).unwrap_or_else(|| self.system.default_lease_ttl());
        let mut response = Response::data(Value::Object(data));
        response.lease = Some(Lease { id: String::new(), duration, renewable: false });
        Ok(Some(response))
    }

    async fn write(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        check_writable(&key)?;
        let body = match d.get(BODY)? {
            Some(Value::Object(body)) if !body.is_empty() => body,
            _ => return Err(Error::invalid("missing data fields")),
        };
        let raw = serde_json::to_vec(&body).map_err(Error::internal)?;
        self.storage.put(&storage_key(&key), &raw).await?;
        Ok(None)
    }

    async fn delete(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let key = d.string("path")?;
        if is_entry_key(&key) {
            self.storage.delete(&storage_key(&key)).await?;
        }
        Ok(None)
    }

    async fn list(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let prefix = storage_key(&folder(&d.string("path")?));
        if prefix.contains('\0') {
            return Ok(None);
        }
        let keys = self.storage.list(&prefix).await?;
        Ok((!keys.is_empty()).then(|| Response::list(keys)))
    }

    async fn exists(self: Arc<Self>, _req: Request, d: FieldData) -> Result<bool> {
        let key = d.string("path")?;
        Ok(is_entry_key(&key) && self.storage.get(&storage_key(&key)).await?.is_some())
    }
}

/// The secret's own lease: `ttl`, or failing that `lease`, when it parses as a duration
/// (`"1h"`, `"3600"`, `3600`). A negative one means "already due": 0.
fn lease_seconds(data: &Map<String, Value>) -> Option<u64> {
    match data.get("ttl").or_else(|| data.get("lease"))? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f.max(0.0) as u64)),
        Value::String(s) => match s.trim().strip_prefix('-') {
            Some(rest) => parse_duration_seconds(rest).ok().map(|_| 0),
            None => parse_duration_seconds(s).ok(),
        },
        _ => None,
    }
}

const BACKEND_HELP: &str = "The kv backend reads and writes arbitrary secrets to the storage backend. The secrets \
are encrypted by the barrier before they are stored. A secret's \"ttl\" is returned as its lease duration, a hint \
to readers to read it again before then; nothing is revoked.";

const SYNOPSIS: &str = "Pass-through secret storage: read, write, list and delete arbitrary data.";

const DESCRIPTION: &str = r#"
The request body of a write is the secret, stored as it is and returned on read. Needs the
create or update capability to write, read to read, list to list and delete to delete.

A "ttl" (or "lease") key in the secret, as a duration ("1h") or seconds, becomes the
lease_duration of reads; without one it is the mount's default lease TTL. The lease is
only a hint: it is not renewable and nothing is revoked when it ends.
"#;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::framework::Backend;

    fn kv1() -> Arc<dyn Backend> {
        super::super::factory(BackendConfig::for_tests(&[("version", "1")])).unwrap()
    }

    async fn call(b: &Arc<dyn Backend>, op: Operation, path: &str, body: Value) -> Result<Option<Response>> {
        b.handle(Request::new(op, path).with_data(body)).await
    }

    #[tokio::test]
    async fn write_read_overwrite_delete() {
        let b = kv1();
        let body = json!({"a": "b", "path": "kept", "nested": {"x": [1, 2, {"y": null}]}});
        assert!(call(&b, Operation::Create, "foo", body.clone()).await.unwrap().is_none(), "204");
        let resp = call(&b, Operation::Read, "foo", json!({})).await.unwrap().unwrap();
        assert_eq!(Value::Object(resp.data.unwrap()), body, "returned verbatim, even a key named path");
        assert!(resp.warnings.is_empty());
        let lease = resp.lease.unwrap();
        assert_eq!((lease.id.as_str(), lease.duration, lease.renewable), ("", 2_764_800, false));

        call(&b, Operation::Update, "foo", json!({"c": 1})).await.unwrap();
        let resp = call(&b, Operation::Read, "foo", json!({})).await.unwrap().unwrap();
        assert_eq!(Value::Object(resp.data.unwrap()), json!({"c": 1}), "overwritten, no versions");

        assert!(call(&b, Operation::Delete, "foo", json!({})).await.unwrap().is_none());
        assert!(call(&b, Operation::Read, "foo", json!({})).await.unwrap().is_none(), "404");
        assert!(call(&b, Operation::Delete, "foo", json!({})).await.unwrap().is_none(), "missing: still 204");
    }

    #[tokio::test]
    async fn numbers_keep_their_value() {
        let b = kv1();
        call(&b, Operation::Update, "n", json!({"big": 12345678901234567890u64, "f": 1.0, "neg": -0.0})).await.unwrap();
        let resp = call(&b, Operation::Read, "n", json!({})).await.unwrap().unwrap();
        let text = serde_json::to_string(&resp.data.unwrap()).unwrap();
        assert_eq!(text, r#"{"big":12345678901234567890,"f":1.0,"neg":-0.0}"#);
    }

    #[tokio::test]
    async fn bad_writes_are_refused() {
        let b = kv1();
        let err = call(&b, Operation::Update, "foo", json!({})).await.unwrap_err().to_string();
        assert_eq!(err, "missing data fields");
        for path in ["", "dir/"] {
            let err = call(&b, Operation::Update, path, json!({"a": 1})).await.unwrap_err().to_string();
            assert_eq!(err, "cannot write to a path ending in '/'");
        }
        let err = call(&b, Operation::Update, "a\0b", json!({"a": 1})).await.unwrap_err().to_string();
        assert_eq!(err, "keys may not contain NUL characters");
        assert!(matches!(call(&b, Operation::Patch, "foo", json!({"a": 1})).await, Err(Error::UnsupportedOperation)));
    }

    #[tokio::test]
    async fn reads_of_folders_and_the_root_are_404() {
        let b = kv1();
        call(&b, Operation::Update, "dir/a", json!({"a": 1})).await.unwrap();
        for path in ["", "dir/", "dir", "a\0b"] {
            assert!(call(&b, Operation::Read, path, json!({})).await.unwrap().is_none(), "{path:?}");
        }
        assert!(call(&b, Operation::Delete, "dir/", json!({})).await.unwrap().is_none());
        assert!(call(&b, Operation::Read, "dir/a", json!({})).await.unwrap().is_some(), "folder delete is a no-op");
    }

    #[tokio::test]
    async fn lists_folders_and_warns_about_paging() {
        let b = kv1();
        for key in ["a", "sub/b", "sub/deeper/c", "with space", "unié✓", "q?mark"] {
            call(&b, Operation::Update, key, json!({"v": 1})).await.unwrap();
        }
        let keys = |r: Response| r.data.unwrap()["keys"].clone();
        let root = call(&b, Operation::List, "", json!({})).await.unwrap().unwrap();
        assert_eq!(keys(root), json!(["a", "q?mark", "sub/", "unié✓", "with space"]));
        for path in ["sub", "sub/"] {
            let resp = call(&b, Operation::List, path, json!({})).await.unwrap().unwrap();
            assert_eq!(keys(resp), json!(["b", "deeper/"]));
        }
        assert!(call(&b, Operation::List, "nope", json!({})).await.unwrap().is_none(), "404");
        assert!(call(&b, Operation::List, "a", json!({})).await.unwrap().is_none(), "a leaf is no folder");

        let resp = call(&b, Operation::List, "", json!({"after": "a", "limit": "1"})).await.unwrap().unwrap();
        assert_eq!(resp.data.as_ref().unwrap()["keys"].as_array().unwrap().len(), 5, "paging ignored");
        assert_eq!(resp.warnings, vec!["Endpoint ignored these unrecognized parameters: [after limit]"]);
        assert!(resp.lease.is_none(), "lists carry no lease");
    }

    #[tokio::test]
    async fn lease_duration_rule() {
        let b = kv1();
        let cases = [
            (json!({"ttl": "1h"}), 3600),
            (json!({"ttl": 90}), 90),
            (json!({"ttl": "120"}), 120),
            (json!({"ttl": "0"}), 0),
            (json!({"ttl": "zzz"}), 2_764_800),
            (json!({"ttl": "zzz", "lease": "1h"}), 2_764_800),
            (json!({"lease": "10m"}), 600),
            (json!({"ttl": "30s", "lease": "10m"}), 30),
            (json!({"ttl": "-5s"}), 0),
            (json!({"ttl": true}), 2_764_800),
            (json!({"other": 1}), 2_764_800),
            (json!({"ttl": "99999h"}), 359_996_400),
        ];
        for (i, (body, expected)) in cases.into_iter().enumerate() {
            let key = format!("k{i}");
            call(&b, Operation::Update, &key, body.clone()).await.unwrap();
            let resp = call(&b, Operation::Read, &key, json!({})).await.unwrap().unwrap();
            assert_eq!(resp.lease.unwrap().duration, expected, "{body}");
        }
    }

    #[tokio::test]
    async fn lease_default_follows_the_mount() {
        let mut config = BackendConfig::for_tests(&[]);
        config.system = Arc::new(crate::logical::StaticSystemView { default_lease_ttl: 600, max_lease_ttl: 1800 });
        let b = super::super::factory(config).unwrap();
        call(&b, Operation::Update, "a", json!({"x": 1})).await.unwrap();
        call(&b, Operation::Update, "b", json!({"ttl": "1h"})).await.unwrap();
        let lease = |r: Option<Response>| r.unwrap().lease.unwrap().duration;
        assert_eq!(lease(call(&b, Operation::Read, "a", json!({})).await.unwrap()), 600);
        assert_eq!(lease(call(&b, Operation::Read, "b", json!({})).await.unwrap()), 3600, "not capped by max");
    }

    #[tokio::test]
    async fn existence_decides_create_or_update() {
        let b = kv1();
        let exists = |path: &'static str| {
            let b = b.clone();
            async move { b.exists(&Request::new(Operation::Update, path)).await }
        };
        assert_eq!(exists("foo").await.unwrap(), Some(false));
        call(&b, Operation::Create, "foo", json!({"a": 1})).await.unwrap();
        assert_eq!(exists("foo").await.unwrap(), Some(true));
        assert_eq!(exists("foo/").await.unwrap(), Some(false));
        assert_eq!(exists("").await.unwrap(), Some(false));
    }

    #[tokio::test]
    async fn odd_keys_round_trip() {
        let b = kv1();
        for key in ["ключ/значение", "emoji 🔑", "tab\tin", "q?mark&x=1", "%2F", "a..b", ".hidden"] {
            call(&b, Operation::Update, key, json!({"k": key})).await.unwrap();
            let resp = call(&b, Operation::Read, key, json!({})).await.unwrap().unwrap();
            assert_eq!(resp.data.unwrap()["k"], key);
        }
    }
}
