//! A KV v1 mount tuned to version 2: its secrets become version 1 of each key.

use serde_json::json;

use super::Kv;
use crate::logical::{BackendConfig, Operation, Request, Storage};

#[tokio::test]
async fn v1_entries_become_version_one() {
    let v1_config = BackendConfig::for_tests(&[("version", "1")]);
    let storage = v1_config.storage.clone();
    let v1 = super::super::super::factory(v1_config).unwrap();
    for (key, body) in [("x", json!({"a": "b"})), ("dir/y", json!({"n": 1, "ttl": "1h"})), ("dir/z/w", json!({"q": 1}))]
    {
        v1.handle(Request::new(Operation::Update, key).with_data(body)).await.unwrap();
    }

    let mut v2_config = BackendConfig::for_tests(&[("version", "2")]);
    v2_config.storage = storage.clone();
    let kv = Kv::with_config(v2_config);
    let read = kv.read_json("data/x").await;
    assert_eq!(read["data"], json!({"a": "b"}));
    assert_eq!(read["metadata"]["version"], 1);
    assert_eq!(kv.read_json("data/dir/y").await["data"], json!({"n": 1, "ttl": "1h"}));
    assert_eq!(kv.read_json("data/dir/z/w").await["data"], json!({"q": 1}));
    assert_eq!(kv.list("metadata/", json!({})).await, Some(json!(["dir/", "x"])));
    assert!(storage.list("v1/").await.unwrap().is_empty(), "nothing left behind");
    assert_eq!(kv.write("x", json!({"a": "c"})).await["version"], 2);
}

#[tokio::test]
async fn an_interrupted_upgrade_resumes_without_duplicates() {
    let config = BackendConfig::for_tests(&[("version", "2")]);
    let storage = config.storage.clone();
    // As if an upgrade had stored the version and metadata of `k` but not removed it.
    storage.put("v1/k", br#"{"old":true}"#).await.unwrap();
    storage.put("v1/other", br#"{"o":1}"#).await.unwrap();
    let kv = Kv::with_config(config);
    assert_eq!(kv.read_json("data/k").await["metadata"]["version"], 1);

    storage.put("v1/k", br#"{"stale":true}"#).await.unwrap();
    let config = BackendConfig { storage: storage.clone(), ..BackendConfig::for_tests(&[("version", "2")]) };
    let again = Kv::with_config(config);
    let read = again.read_json("data/k").await;
    assert_eq!((read["data"].clone(), read["metadata"]["version"].clone()), (json!({"old": true}), json!(1)));
    assert!(storage.get("v1/k").await.unwrap().is_none());
}

#[tokio::test]
async fn a_damaged_v1_entry_stops_the_upgrade_visibly() {
    let config = BackendConfig::for_tests(&[("version", "2")]);
    config.storage.put("v1/bad", b"not json").await.unwrap();
    let kv = Kv::with_config(config);
    let err = kv.err(Operation::Read, "data/bad", json!({})).await;
    assert!(err.contains("damaged"), "{err}");
    let exists = kv.backend.exists(&Request::new(Operation::Update, "data/bad")).await;
    assert!(exists.is_err());
}
