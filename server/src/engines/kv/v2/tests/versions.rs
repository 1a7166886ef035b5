//! `delete/`, `undelete/`, `destroy/`, delete_version_after, and `subkeys/`.

use serde_json::{Value, json};

use super::{Kv, SECOND, START_STR};
use crate::logical::{BackendConfig, Operation, Storage};

async fn three_versions(kv: &Kv, key: &str) {
    for i in 1..=3 {
        kv.write(key, json!({"v": i})).await;
    }
}

async fn version_state(kv: &Kv, key: &str, version: u64) -> (Value, Value) {
    let meta = kv.metadata(key).await;
    let v = &meta["versions"][version.to_string()];
    (v["deletion_time"].clone(), v["destroyed"].clone())
}

#[tokio::test]
async fn delete_takes_every_versions_form() {
    for versions in [json!([1, 2]), json!(["1", "2"]), json!("1,2"), json!("1, 2")] {
        let kv = Kv::new().await;
        three_versions(&kv, "k").await;
        assert!(kv.update("delete/k", json!({"versions": versions})).await.is_none());
        for v in [1, 2] {
            let (body, _) = kv.read_404("data/k", json!({"version": v})).await;
            assert_eq!(
                (body["data"].clone(), body["metadata"]["deletion_time"].clone()),
                (Value::Null, json!(START_STR))
            );
        }
        assert_eq!(kv.read_json("data/k").await["data"]["v"], 3, "{versions}: others untouched");
    }
}

#[tokio::test]
async fn delete_skips_what_it_cannot_delete() {
    let kv = Kv::new().await;
    three_versions(&kv, "k").await;
    kv.update("delete/k", json!({"versions": [1]})).await;
    kv.update("destroy/k", json!({"versions": [2]})).await;
    kv.advance(SECOND);
    assert!(kv.update("delete/k", json!({"versions": [1, 2, 99, 0, -1]})).await.is_none());
    assert_eq!(version_state(&kv, "k", 1).await, (json!(START_STR), json!(false)), "already deleted: kept");
    assert_eq!(version_state(&kv, "k", 2).await, (json!(""), json!(true)), "destroyed: untouched");
    assert!(kv.update("delete/missing", json!({"versions": [1]})).await.is_none(), "missing key: 204");
    assert!(kv.update("delete/dir/", json!({"versions": [1]})).await.is_none());
}

#[tokio::test]
async fn version_lists_are_checked() {
    let kv = Kv::new().await;
    for (path, message) in [
        ("delete/k", "No version number provided"),
        ("undelete/k", "No version number provided"),
        ("destroy/k", "no version number provided"),
    ] {
        for body in [json!({}), json!({"versions": []}), json!({"versions": ""})] {
            assert_eq!(kv.err(Operation::Update, path, body).await, message, "{path}");
        }
        let err = kv.err(Operation::Update, path, json!({"versions": ["a"]})).await;
        assert!(err.contains("\"versions\"") && err.contains("'[0]'"), "{err}");
        assert!(matches!(
            kv.call(Operation::Read, path, json!({})).await,
            Err(crate::logical::Error::UnsupportedOperation)
        ));
    }
}

#[tokio::test]
async fn undelete_restores_but_not_destroyed() {
    let kv = Kv::new().await;
    three_versions(&kv, "k").await;
    kv.update("delete/k", json!({"versions": [1, 2, 3]})).await;
    kv.update("destroy/k", json!({"versions": [2]})).await;
    assert!(kv.update("undelete/k", json!({"versions": "1,2,3,7"})).await.is_none());
    assert_eq!(kv.read_json("data/k").await["data"]["v"], 3);
    let first = kv.ok(Operation::Read, "data/k", json!({"version": 1})).await.unwrap();
    assert_eq!((first.status, first.data.unwrap()["data"]["v"].clone()), (None, json!(1)));
    assert_eq!(version_state(&kv, "k", 1).await, (json!(""), json!(false)));
    assert_eq!(version_state(&kv, "k", 2).await, (json!(START_STR), json!(true)), "destroyed stays destroyed");
    assert!(kv.update("undelete/missing", json!({"versions": [1]})).await.is_none());
}

#[tokio::test]
async fn destroy_is_final_and_removes_the_data() {
    let config = BackendConfig::for_tests(&[("version", "2")]);
    let storage = config.storage.clone();
    let kv = Kv::with_config(config);
    three_versions(&kv, "k").await;
    let stored = || async { storage.list("versions/").await.unwrap().len() };
    assert_eq!(stored().await, 1, "one folder per key");

    kv.update("delete/k", json!({"versions": [3]})).await;
    assert!(kv.update("destroy/k", json!({"versions": [1, 3]})).await.is_none());
    let (body, _) = kv.read_404("data/k", json!({"version": 1})).await;
    let destroyed = json!({"created_time": START_STR, "custom_metadata": null, "deletion_time": "",
        "destroyed": true, "version": 1});
    assert_eq!(body, json!({"data": null, "metadata": destroyed}));
    assert_eq!(version_state(&kv, "k", 3).await, (json!(START_STR), json!(true)), "deletion_time kept");

    kv.update("undelete/k", json!({"versions": [1, 3]})).await;
    assert_eq!(kv.read_404("data/k", json!({})).await.0["metadata"]["destroyed"], true, "no way back");

    let folder = storage.list("versions/").await.unwrap().remove(0);
    let left = storage.list(&format!("versions/{folder}")).await.unwrap();
    assert_eq!(left, vec!["2"], "destroyed data is gone from storage");
    assert!(kv.update("destroy/missing", json!({"versions": [1]})).await.is_none());
}

#[tokio::test]
async fn delete_version_after_from_the_mount() {
    let kv = Kv::new().await;
    kv.update("config", json!({"delete_version_after": "2s"})).await;
    let resp = kv.write("k", json!({"a": 1})).await;
    kv.advance(2 * SECOND);
    let due = kv.now();
    assert_eq!(resp["deletion_time"], due.as_str(), "created + 2s");
    kv.advance(-SECOND);
    let read = kv.read_json("data/k").await;
    assert_eq!(read["metadata"]["deletion_time"], due.as_str(), "pending: still readable");

    kv.advance(SECOND);
    let (body, _) = kv.read_404("data/k", json!({})).await;
    assert_eq!((body["data"].clone(), body["metadata"]["deletion_time"].clone()), (Value::Null, json!(due)));

    kv.update("undelete/k", json!({"versions": [1]})).await;
    kv.advance(2 * SECOND);
    let (deletion_time, _) = version_state(&kv, "k", 1).await;
    assert_eq!(deletion_time, kv.now(), "undelete: due again D from now");
    kv.advance(-1);
    assert!(kv.read_json("data/k").await["data"].is_object());
}

#[tokio::test]
async fn delete_version_after_smallest_wins_and_mount_can_disable() {
    let kv = Kv::new().await;
    kv.update("config", json!({"delete_version_after": "2s"})).await;
    kv.update("metadata/k", json!({"delete_version_after": "1h"})).await;
    let due = |resp: Value| resp["deletion_time"].as_str().unwrap().to_string();
    let first = due(kv.write("k", json!({})).await);
    kv.advance(2 * SECOND);
    assert_eq!(first, kv.now(), "mount 2s beats key 1h");

    kv.update("config", json!({"delete_version_after": 0})).await;
    kv.update("metadata/j", json!({"delete_version_after": 1})).await;
    let second = due(kv.write("j", json!({})).await);
    kv.advance(SECOND);
    assert_eq!(second, kv.now(), "key 1s alone");

    kv.update("config", json!({"delete_version_after": "-1s"})).await;
    assert_eq!(kv.write("j", json!({})).await["deletion_time"], "", "mount disables it for every key");
    assert_eq!(version_state(&kv, "j", 1).await.0, second, "existing versions keep theirs");
}

#[tokio::test]
async fn subkeys_strip_values() {
    let kv = Kv::new().await;
    kv.write("s", json!({"a": "b"})).await;
    kv.write("s", json!({"a": "c", "n": {"x": [1, 2, {"y": null}], "e": {}}})).await;
    let get = |q: Value| {
        let kv = &kv;
        async move { kv.ok(Operation::Read, "subkeys/s", q).await.map(|r| Value::Object(r.data.unwrap())) }
    };
    let all = get(json!({})).await.unwrap();
    assert_eq!(all["subkeys"], json!({"a": null, "n": {"x": null, "e": null}}));
    assert_eq!(all["metadata"]["version"], 2);
    assert_eq!(get(json!({"depth": "1"})).await.unwrap()["subkeys"], json!({"a": null, "n": null}));
    assert_eq!(get(json!({"version": "1"})).await.unwrap()["subkeys"], json!({"a": null}));
    assert!(get(json!({"version": "9"})).await.is_none());
    assert!(kv.read("subkeys/none").await.is_none());
    assert!(kv.err(Operation::Read, "subkeys/s", json!({"depth": "x"})).await.contains("depth"));

    kv.ok(Operation::Delete, "data/s", json!({})).await;
    let (body, _) = kv.read_404("subkeys/s", json!({})).await;
    assert_eq!((body["subkeys"].clone(), body["metadata"]["version"].clone()), (Value::Null, json!(2)));
    kv.update("destroy/s", json!({"versions": [1]})).await;
    let (body, _) = kv.read_404("subkeys/s", json!({"version": 1})).await;
    assert_eq!(body["metadata"]["destroyed"], true);
}
