//! `data/`: write, read, versions, check-and-set, patch and delete.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Kv, SECOND, START_STR};
use crate::logical::Operation;

fn written(version: u64, created: &str) -> Value {
    json!({"created_time": created, "custom_metadata": null, "deletion_time": "", "destroyed": false,
        "version": version})
}

#[tokio::test]
async fn write_then_read_exact_shapes() {
    let kv = Kv::new().await;
    assert_eq!(kv.write("foo", json!({"a": "b"})).await, written(1, START_STR));
    let expected = json!({"data": {"a": "b"}, "metadata": written(1, START_STR)});
    assert_eq!(kv.read_json("data/foo").await, expected);

    kv.advance(SECOND);
    let second = kv.now();
    let data = json!({"a": "c", "n": {"x": [1, 2, {"y": null}]}});
    assert_eq!(kv.write("foo", data.clone()).await, written(2, &second));
    assert_eq!(kv.read_json("data/foo").await, json!({"data": data, "metadata": written(2, &second)}));
}

#[tokio::test]
async fn version_selection() {
    let kv = Kv::new().await;
    kv.write("foo", json!({"v": 1})).await;
    kv.write("foo", json!({"v": 2})).await;
    let read = |q: Value| {
        let kv = &kv;
        async move { kv.ok(Operation::Read, "data/foo", q).await.map(|r| r.data.unwrap()["data"]["v"].clone()) }
    };
    assert_eq!(read(json!({})).await, Some(json!(2)));
    assert_eq!(read(json!({"version": "1"})).await, Some(json!(1)));
    assert_eq!(read(json!({"version": 0})).await, Some(json!(2)), "0 means current");
    assert_eq!(read(json!({"version": "-1"})).await, Some(json!(2)), "negative means current");
    assert_eq!(read(json!({"version": "3"})).await, None, "beyond current: 404");
    let err = kv.err(Operation::Read, "data/foo", json!({"version": "abc"})).await;
    assert!(err.contains("version"), "{err}");
    assert!(kv.read("data/never").await.is_none());
}

#[tokio::test]
async fn what_a_write_must_carry() {
    let kv = Kv::new().await;
    for body in [json!({}), json!({"options": {}})] {
        assert_eq!(kv.err(Operation::Update, "data/foo", body).await, "no data provided");
    }
    let err = kv.err(Operation::Update, "data/foo", json!({"data": "str"})).await;
    assert!(err.contains("'data'"), "{err}");
    let err = kv.err(Operation::Update, "data/foo", json!({"data": {}, "options": "x"})).await;
    assert!(err.contains("'options'"), "{err}");
    for path in ["data/", "data/x/"] {
        let err = kv.err(Operation::Update, path, json!({"data": {"a": 1}})).await;
        assert_eq!(err, "cannot write to a path ending in '/'");
    }

    kv.write("empty", json!({})).await;
    assert_eq!(kv.read_json("data/empty").await["data"], json!({}));
    kv.write("null", Value::Null).await;
    assert_eq!(kv.read_json("data/null").await["data"], Value::Null, "null is stored and read back, 200");
}

#[tokio::test]
async fn unknown_top_level_fields_warn() {
    let kv = Kv::new().await;
    let resp = kv.update("data/tf", json!({"data": {"a": 1}, "cas": 0, "options": {}})).await.unwrap();
    assert_eq!(resp.data.unwrap()["version"], 1);
    assert_eq!(resp.warnings, vec!["Endpoint ignored these unrecognized parameters: [cas]"]);
}

#[tokio::test]
async fn check_and_set() {
    let kv = Kv::new().await;
    let put = |cas: Value| {
        let kv = &kv;
        async move { kv.call(Operation::Update, "data/k", json!({"data": {"x": 1}, "options": {"cas": cas}})).await }
    };
    let mismatch = "check-and-set parameter did not match the current version";
    assert!(put(json!(0)).await.is_ok(), "cas 0 creates");
    assert_eq!(put(json!(0)).await.unwrap_err().to_string(), mismatch, "cas 0 only creates");
    assert!(put(json!(1)).await.is_ok());
    assert!(put(json!("2")).await.is_ok(), "weakly decoded");
    for bad in [json!(2), json!(null), json!(-1), json!(99)] {
        assert_eq!(put(bad.clone()).await.unwrap_err().to_string(), mismatch, "{bad}");
    }
    assert_eq!(put(json!("x")).await.unwrap_err().to_string(), "error parsing check-and-set parameter");

    // Deleted and destroyed versions still count as current.
    kv.ok(Operation::Delete, "data/k", json!({})).await;
    assert!(put(json!(3)).await.is_ok());
    kv.update("destroy/k", json!({"versions": [4]})).await;
    assert_eq!(put(json!(4)).await.unwrap().unwrap().data.unwrap()["version"], 5);

    assert!(kv.ok(Operation::Read, "data/nul", json!({})).await.is_none());
    let resp = kv.call(Operation::Update, "data/nul", json!({"data": {}, "options": {"cas": null}})).await;
    assert!(resp.is_ok(), "null decodes as 0, which creates");
}

#[tokio::test]
async fn cas_required_by_the_mount_or_the_key() {
    let kv = Kv::new().await;
    let required = "check-and-set parameter required for this call";
    kv.update("config", json!({"cas_required": true})).await;
    for body in [json!({"data": {}}), json!({"data": {}, "options": {}})] {
        assert_eq!(kv.err(Operation::Update, "data/a", body).await, required);
    }
    kv.update("data/a", json!({"data": {}, "options": {"cas": 0}})).await;
    kv.update("config", json!({"cas_required": false})).await;
    kv.write("a", json!({})).await;

    kv.update("metadata/b", json!({"cas_required": true})).await;
    assert_eq!(kv.err(Operation::Update, "data/b", json!({"data": {}})).await, required);
    assert_eq!(kv.err(Operation::Patch, "data/b", json!({"data": {}})).await, required);
    kv.update("data/b", json!({"data": {"x": 1}, "options": {"cas": 0}})).await;
    kv.ok(Operation::Patch, "data/b", json!({"data": {"y": 2}, "options": {"cas": 1}})).await;
    assert_eq!(kv.read_json("data/b").await["data"], json!({"x": 1, "y": 2}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_cas_writers_exactly_one_wins() {
    let kv = Arc::new(Kv::new().await);
    kv.write("race", json!({"n": 0})).await;
    for round in 1..=5u64 {
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let kv = kv.clone();
                tokio::spawn(async move {
                    let body = json!({"data": {"n": i}, "options": {"cas": round}});
                    kv.call(Operation::Update, "data/race", body).await.is_ok()
                })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            winners += usize::from(task.await.unwrap());
        }
        assert_eq!(winners, 1, "round {round}");
        assert_eq!(kv.metadata("race").await["current_version"], round + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_no_version() {
    let kv = Arc::new(Kv::new().await);
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let kv = kv.clone();
            tokio::spawn(async move { kv.write("busy", json!({"i": i})).await["version"].as_u64().unwrap() })
        })
        .collect();
    let mut versions = Vec::new();
    for task in tasks {
        versions.push(task.await.unwrap());
    }
    versions.sort();
    assert_eq!(versions, (1..=20).collect::<Vec<u64>>());
    assert_eq!(kv.metadata("busy").await["current_version"], 20);
}

#[tokio::test]
async fn values_survive_intact() {
    let kv = Kv::new().await;
    let data = json!({"big": 12345678901234567890u64, "f": 1.5e300, "neg": -0.0, "i": -7,
        "s": "ünï©ødé \u{0} ✓ 🔑", "nested": {"arr": [1, "two", null, {"x": true}]}});
    kv.write("values", data.clone()).await;
    assert_eq!(kv.read_json("data/values").await["data"], data);
    let text = serde_json::to_string(&kv.read_json("data/values").await["data"]["big"]).unwrap();
    assert_eq!(text, "12345678901234567890", "u64 kept exactly (OpenBao rounds through float64)");
}

#[tokio::test]
async fn large_values_round_trip() {
    let kv = Kv::new().await;
    let big = "x".repeat(31 * 1024 * 1024);
    kv.write("huge", json!({"blob": big})).await;
    assert_eq!(kv.read_json("data/huge").await["data"]["blob"].as_str().map(str::len), Some(big.len()));
}

#[tokio::test]
async fn odd_keys_and_folders() {
    let kv = Kv::new().await;
    let keys = ["with space", "unié✓", "q?mark", "en/coded", "ключ/значение", "a", "a/b", "%2F", ".dot", "-"];
    for key in keys {
        kv.write(key, json!({"k": key})).await;
        assert_eq!(kv.read_json(&format!("data/{key}")).await["data"]["k"], key);
    }
    assert_eq!(
        kv.list("metadata/", json!({})).await.unwrap(),
        json!(["%2F", "-", ".dot", "a", "a/", "en/", "q?mark", "unié✓", "with space", "ключ/"])
    );
}

#[tokio::test]
async fn trailing_slashes_and_folders_read_as_missing() {
    let kv = Kv::new().await;
    kv.write("foo", json!({"a": 1})).await;
    kv.write("dir/x", json!({"a": 1})).await;
    for path in ["data/foo/", "data/dir/", "data/dir", "data/", "subkeys/foo/", "metadata/foo/", "metadata/"] {
        assert!(kv.read(path).await.is_none(), "{path}");
    }
    assert!(kv.ok(Operation::Delete, "data/foo/", json!({})).await.is_none());
    assert!(kv.read("data/foo").await.is_some(), "deleting foo/ leaves foo alone");
}

#[tokio::test]
async fn patch_merges_into_a_new_version() {
    let kv = Kv::new().await;
    kv.write("p", json!({"a": "1", "b": {"c": "2", "d": "3"}})).await;
    kv.advance(SECOND);
    let body = json!({"data": {"a": null, "b": {"c": "9"}, "e": [1]}, "options": {}});
    let resp = kv.ok(Operation::Patch, "data/p", body).await.unwrap();
    assert_eq!((resp.status, Value::Object(resp.data.unwrap())), (None, written(2, &kv.now())));
    assert_eq!(kv.read_json("data/p").await["data"], json!({"b": {"c": "9", "d": "3"}, "e": [1]}));
    let first = kv.ok(Operation::Read, "data/p", json!({"version": 1})).await.unwrap();
    assert_eq!(first.data.unwrap()["data"], json!({"a": "1", "b": {"c": "2", "d": "3"}}), "v1 untouched");

    let mismatch = "check-and-set parameter did not match the current version";
    let err = kv.err(Operation::Patch, "data/p", json!({"data": {"x": 1}, "options": {"cas": 1}})).await;
    assert_eq!(err, mismatch);
    assert_eq!(kv.err(Operation::Patch, "data/p", json!({"options": {}})).await, "no data provided");
    assert_eq!(kv.err(Operation::Patch, "data/p", json!({"data": null})).await, "no data provided");
    assert_eq!(kv.err(Operation::Patch, "data/p/", json!({"data": {}})).await, "cannot write to a path ending in '/'");
}

#[tokio::test]
async fn patch_of_what_is_not_there() {
    let kv = Kv::new().await;
    for key in ["missing", "meta-only"] {
        if key == "meta-only" {
            kv.update("metadata/meta-only", json!({"max_versions": 3})).await;
        }
        let resp = kv.ok(Operation::Patch, &format!("data/{key}"), json!({"data": {"a": 1}})).await.unwrap();
        assert_eq!((resp.status, resp.data.is_none(), resp.warnings.len()), (Some(404), true, 0), "{key}");
    }

    kv.write("gone", json!({"a": 1})).await;
    kv.ok(Operation::Delete, "data/gone", json!({})).await;
    let resp = kv.ok(Operation::Patch, "data/gone", json!({"data": {"a": 2}})).await.unwrap();
    let deleted = json!({"created_time": START_STR, "custom_metadata": null, "deletion_time": START_STR,
        "destroyed": false, "version": 1});
    assert_eq!((resp.status, Value::Object(resp.data.unwrap())), (Some(404), deleted), "write-shaped body");

    kv.write("burnt", json!({"a": 1})).await;
    kv.update("destroy/burnt", json!({"versions": "1"})).await;
    let resp = kv.ok(Operation::Patch, "data/burnt", json!({"data": {"a": 2}})).await.unwrap();
    assert_eq!((resp.status, resp.data.unwrap()["destroyed"].clone()), (Some(404), json!(true)));
    assert_eq!(kv.metadata("burnt").await["current_version"], 1, "no version was added");
}

#[tokio::test]
async fn delete_soft_deletes_the_current_version() {
    let kv = Kv::new().await;
    assert!(kv.ok(Operation::Delete, "data/none", json!({})).await.is_none(), "missing key: 204");
    kv.write("d", json!({"a": 1})).await;
    kv.advance(SECOND);
    let deleted_at = kv.now();
    assert!(kv.ok(Operation::Delete, "data/d", json!({})).await.is_none());
    let (body, warnings) = kv.read_404("data/d", json!({})).await;
    let metadata = json!({"created_time": START_STR, "custom_metadata": null, "deletion_time": deleted_at,
        "destroyed": false, "version": 1});
    assert_eq!((body, warnings.len()), (json!({"data": null, "metadata": metadata}), 0));

    kv.advance(SECOND);
    kv.ok(Operation::Delete, "data/d", json!({})).await;
    assert_eq!(kv.metadata("d").await["versions"]["1"]["deletion_time"], deleted_at, "already deleted: no-op");

    kv.write("d", json!({"a": 2})).await;
    assert_eq!(kv.read_json("data/d").await["data"], json!({"a": 2}), "a new write is readable");
}

#[tokio::test]
async fn data_takes_no_list() {
    let kv = Kv::new().await;
    for path in ["data/", "data", "data/x"] {
        let err = kv.call(Operation::List, path, json!({})).await;
        assert!(matches!(err, Err(crate::logical::Error::UnsupportedOperation)), "{path}");
    }
}

#[tokio::test]
async fn existence_decides_create_or_update() {
    let kv = Kv::new().await;
    let exists = |path: &'static str| {
        let backend = kv.backend.clone();
        async move { backend.exists(&crate::logical::Request::new(Operation::Update, path)).await }
    };
    assert_eq!(exists("data/foo").await.unwrap(), Some(false));
    assert_eq!(exists("metadata/foo").await.unwrap(), Some(false));
    kv.ok(Operation::Create, "data/foo", json!({"data": {"a": 1}})).await;
    assert_eq!(exists("data/foo").await.unwrap(), Some(true));
    assert_eq!(exists("metadata/foo").await.unwrap(), Some(true));
    kv.update("metadata/meta", json!({"max_versions": 2})).await;
    assert_eq!(exists("data/meta").await.unwrap(), Some(true), "metadata alone is existence");
    assert_eq!(exists("data/foo/").await.unwrap(), Some(false));
    assert_eq!(exists("config").await.unwrap(), None, "no existence check: always update");
}
