//! `metadata/` and `detailed-metadata/`: read, write, patch, delete, list; max_versions.

use serde_json::{Map, Value, json};

use super::{Kv, SECOND, START_STR};
use crate::logical::{BackendConfig, Operation, Storage};

#[tokio::test]
async fn metadata_exact_shape() {
    let kv = Kv::new().await;
    kv.write("k", json!({"v": 1})).await;
    kv.advance(SECOND);
    let t1 = kv.now();
    kv.write("k", json!({"v": 2})).await;
    kv.update("destroy/k", json!({"versions": [2]})).await;
    kv.advance(SECOND);
    let t2 = kv.now();
    kv.update("delete/k", json!({"versions": [1]})).await;
    let expected = json!({
        "cas_required": false, "created_time": START_STR, "current_metadata_version": 0, "current_version": 2,
        "custom_metadata": null, "delete_version_after": "0s", "max_versions": 0, "metadata_cas_required": false,
        "oldest_version": 0, "updated_time": t1,
        "versions": {
            "1": {"created_time": START_STR, "deletion_time": t2, "destroyed": false},
            "2": {"created_time": t1, "deletion_time": "", "destroyed": true},
        },
    });
    assert_eq!(kv.metadata("k").await, expected);
    assert!(kv.read("metadata/missing").await.is_none());
}

#[tokio::test]
async fn writing_metadata_creates_a_key_without_versions() {
    let kv = Kv::new().await;
    assert!(kv.update("metadata/empty", json!({})).await.is_none(), "204");
    assert!(kv.read("metadata/empty").await.is_none(), "nothing sent: nothing created");
    assert!(kv.update("metadata/empty", json!({"metadata_cas": 0})).await.is_none());
    assert!(kv.read("metadata/empty").await.is_none(), "metadata_cas alone changes nothing");

    let body = json!({"max_versions": 5, "cas_required": false, "delete_version_after": "1h",
        "custom_metadata": {"owner": "me", "n": 5}});
    assert!(kv.update("metadata/m", body).await.is_none());
    let meta = kv.metadata("m").await;
    assert_eq!(meta["versions"], json!({}));
    assert_eq!(meta["current_version"], 0);
    assert_eq!(meta["current_metadata_version"], 1);
    assert_eq!(meta["delete_version_after"], "1h0m0s");
    assert_eq!(meta["max_versions"], 5);
    assert_eq!(meta["custom_metadata"], json!({"n": "5", "owner": "me"}));
    assert_eq!((meta["created_time"].clone(), meta["updated_time"].clone()), (json!(START_STR), json!(START_STR)));
    assert!(kv.read("data/m").await.is_none(), "no versions: 404");
    assert_eq!(kv.list("metadata/", json!({})).await, Some(json!(["m"])));

    kv.advance(SECOND);
    kv.update("metadata/m", json!({"custom_metadata": {"team": "x"}})).await;
    let meta = kv.metadata("m").await;
    assert_eq!(meta["custom_metadata"], json!({"team": "x"}), "the map is replaced whole");
    assert_eq!((meta["max_versions"].clone(), meta["current_metadata_version"].clone()), (json!(5), json!(2)));
    assert_eq!(meta["updated_time"], kv.now());
    kv.update("metadata/m", json!({"custom_metadata": {}})).await;
    assert_eq!(kv.metadata("m").await["custom_metadata"], Value::Null, "an empty map reads as null");

    kv.write("m", json!({"a": 1})).await;
    assert_eq!(kv.read_json("data/m").await["metadata"]["version"], 1);
}

#[tokio::test]
async fn bad_metadata_is_400() {
    let kv = Kv::new().await;
    let cases = [
        (
            json!({"delete_version_after": -1}),
            "error converting input for field \"delete_version_after\": cannot provide negative value '-1'",
        ),
        (
            json!({"delete_version_after": "-1s"}),
            "error converting input for field \"delete_version_after\": cannot provide negative value '-1s'",
        ),
        (json!({"max_versions": -1}), "max_versions must be between 0 and 4294967295, got -1"),
        (
            json!({"custom_metadata": {"k": ""}}),
            "1 error occurred:\n\t* custom_metadata validation failed: length of value for key \"k\" is 0 but must \
          be 0 < len(value) <= 512\n\n",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(kv.err(Operation::Update, "metadata/k", body.clone()).await, expected, "{body}");
    }
    let err = kv.err(Operation::Update, "metadata/k", json!({"custom_metadata": "x"})).await;
    assert!(err.contains("'custom_metadata'"), "{err}");
    let many: Map<String, Value> = (0..65).map(|i| (format!("k{i}"), json!("v"))).collect();
    let err = kv.err(Operation::Update, "metadata/k", json!({"custom_metadata": many})).await;
    assert!(err.contains("payload must contain at most 64 keys, provided 65"), "{err}");
    assert_eq!(
        kv.err(Operation::Update, "metadata/", json!({"max_versions": 1})).await,
        "cannot write to a path ending in '/'"
    );
    assert!(kv.read("metadata/k").await.is_none(), "nothing was created");
}

#[tokio::test]
async fn turning_off_what_the_mount_requires_warns() {
    let kv = Kv::new().await;
    kv.update("config", json!({"cas_required": true, "metadata_cas_required": true})).await;
    let resp = kv
        .update("metadata/k", json!({"cas_required": false, "metadata_cas_required": false, "metadata_cas": 0}))
        .await;
    let resp = resp.expect("200 with warnings");
    assert!(resp.data.is_none());
    assert_eq!(
        resp.warnings,
        vec![
            "\"cas_required\" set to false, but is mandated by backend config. This value will be ignored.",
            "\"metadata_cas_required\" set to false, but is mandated by backend config. This value will be ignored.",
        ]
    );
    let err = kv.err(Operation::Update, "data/k", json!({"data": {}})).await;
    assert_eq!(err, "check-and-set parameter required for this call", "still required");
}

#[tokio::test]
async fn metadata_check_and_set() {
    let kv = Kv::new().await;
    let required = "metadata check-and-set parameter required for this call";
    let mismatch = "metadata check-and-set parameter does not match the current version";
    let err = kv.err(Operation::Update, "metadata/k", json!({"max_versions": 1, "metadata_cas": 1})).await;
    assert_eq!(err, "metadata_cas must be 0 when creating new metadata");
    kv.update("metadata/k", json!({"metadata_cas_required": true, "metadata_cas": 0})).await;
    assert_eq!(kv.err(Operation::Update, "metadata/k", json!({"max_versions": 2})).await, required);
    assert_eq!(kv.err(Operation::Patch, "metadata/k", json!({"max_versions": 2})).await, required);
    let err = kv.err(Operation::Update, "metadata/k", json!({"max_versions": 2, "metadata_cas": 0})).await;
    assert_eq!(err, mismatch);
    kv.update("metadata/k", json!({"max_versions": 2, "metadata_cas": 1})).await;
    kv.ok(Operation::Patch, "metadata/k", json!({"max_versions": 3, "metadata_cas": 2})).await;
    let meta = kv.metadata("k").await;
    assert_eq!((meta["max_versions"].clone(), meta["current_metadata_version"].clone()), (json!(3), json!(3)));

    kv.update("config", json!({"metadata_cas_required": true})).await;
    assert_eq!(kv.err(Operation::Update, "metadata/new", json!({"max_versions": 2})).await, required);
    kv.update("metadata/new", json!({"max_versions": 2, "metadata_cas": 0})).await;
    kv.write("new", json!({})).await;
    assert_eq!(kv.metadata("new").await["current_metadata_version"], 1, "data writes do not bump it");
}

#[tokio::test]
async fn patching_metadata() {
    let kv = Kv::new().await;
    let resp = kv.ok(Operation::Patch, "metadata/missing", json!({"max_versions": 1})).await.unwrap();
    assert_eq!((resp.status, resp.data.is_none()), (Some(404), true), "404, empty body");
    // An unknown field adds no warning to an answer without a body: a 200 with only a
    // warning would read as a success.
    let resp = kv.ok(Operation::Patch, "metadata/missing", json!({"other": 1})).await;
    assert!(resp.is_none_or(|r| r.warnings.is_empty() && r.status != Some(200)));

    kv.update("metadata/k", json!({"max_versions": 4, "custom_metadata": {"owner": "me", "keep": "y"}})).await;
    kv.advance(SECOND);
    let body = json!({"custom_metadata": {"owner": null, "new": "v"}, "delete_version_after": 60});
    assert!(kv.ok(Operation::Patch, "metadata/k", body).await.is_none(), "204");
    let meta = kv.metadata("k").await;
    assert_eq!(meta["custom_metadata"], json!({"keep": "y", "new": "v"}), "merged; null deletes");
    assert_eq!((meta["max_versions"].clone(), meta["delete_version_after"].clone()), (json!(4), json!("1m0s")));
    assert_eq!((meta["current_metadata_version"].clone(), meta["updated_time"].clone()), (json!(2), json!(kv.now())));

    assert!(kv.ok(Operation::Patch, "metadata/k", json!({})).await.is_none(), "nothing patchable: 204");
    assert_eq!(kv.metadata("k").await["current_metadata_version"], 2, "and no change");

    kv.ok(Operation::Patch, "metadata/k", json!({"custom_metadata": null})).await;
    assert_eq!(kv.metadata("k").await["custom_metadata"], Value::Null, "null clears the map");

    let many: Map<String, Value> = (0..40).map(|i| (format!("a{i}"), json!("v"))).collect();
    kv.ok(Operation::Patch, "metadata/k", json!({"custom_metadata": many})).await;
    let more: Map<String, Value> = (0..40).map(|i| (format!("b{i}"), json!("v"))).collect();
    let err = kv.err(Operation::Patch, "metadata/k", json!({"custom_metadata": more})).await;
    assert!(err.contains("at most 64 keys, provided 80"), "the merged map is checked: {err}");
    let err = kv.err(Operation::Patch, "metadata/k", json!({"delete_version_after": "-1h"})).await;
    assert!(err.contains("cannot provide negative value"), "{err}");
}

#[tokio::test]
async fn deleting_metadata_removes_every_version() {
    let config = BackendConfig::for_tests(&[("version", "2")]);
    let storage = config.storage.clone();
    let kv = Kv::with_config(config);
    for i in 0..3 {
        kv.write("dir/k", json!({"i": i})).await;
    }
    kv.update("metadata/dir/k", json!({"custom_metadata": {"a": "b"}})).await;
    assert!(kv.ok(Operation::Delete, "metadata/dir/k", json!({})).await.is_none());
    assert!(kv.read("metadata/dir/k").await.is_none());
    assert!(kv.ok(Operation::Read, "data/dir/k", json!({"version": 1})).await.is_none());
    assert!(storage.list("versions/").await.unwrap().is_empty(), "no version data left");
    assert!(kv.list("metadata/", json!({})).await.is_none(), "the empty folder vanished");

    let resp = kv.write("dir/k", json!({"again": true})).await;
    assert_eq!((resp["version"].clone(), resp["custom_metadata"].clone()), (json!(1), Value::Null), "starts over");
    assert!(kv.ok(Operation::Delete, "metadata/missing", json!({})).await.is_none(), "missing: 204");
    assert!(kv.ok(Operation::Delete, "metadata/dir/", json!({})).await.is_none(), "a folder: no-op");
    assert!(kv.read("data/dir/k").await.is_some());
}

#[tokio::test]
async fn listing() {
    let kv = Kv::new().await;
    assert!(kv.list("metadata/", json!({})).await.is_none(), "empty mount: 404");
    for key in ["a", "b", "c", "dir/x", "dir/sub/y", "dva", "e", "x", "x/inner"] {
        kv.write(key, json!({})).await;
    }
    kv.update("metadata/meta-only", json!({"max_versions": 1})).await;
    kv.ok(Operation::Delete, "data/e", json!({})).await;
    kv.update("destroy/c", json!({"versions": [1]})).await;

    let root = json!(["a", "b", "c", "dir/", "dva", "e", "meta-only", "x", "x/"]);
    assert_eq!(kv.list("metadata/", json!({})).await, Some(root.clone()));
    assert_eq!(kv.list("metadata", json!({})).await, Some(root), "no trailing slash: the root too");
    assert_eq!(kv.list("metadata/dir", json!({})).await, Some(json!(["sub/", "x"])));
    assert_eq!(kv.list("metadata/dir/", json!({})).await, Some(json!(["sub/", "x"])));
    assert!(kv.list("metadata/nope/", json!({})).await.is_none());
    assert!(kv.list("metadata/a", json!({})).await.is_none(), "a leaf is no folder");

    let page = |q: Value| kv.list("metadata/", q);
    assert_eq!(page(json!({"after": "d", "limit": "2"})).await, Some(json!(["dir/", "dva"])));
    assert_eq!(page(json!({"after": "dva"})).await, Some(json!(["e", "meta-only", "x", "x/"])));
    assert_eq!(page(json!({"limit": 1})).await, Some(json!(["a"])));
    assert_eq!(page(json!({"limit": "0"})).await.map(|k| k.as_array().unwrap().len()), Some(9));
    assert!(page(json!({"after": "zzz"})).await.is_none());
    assert!(kv.err(Operation::List, "metadata/", json!({"limit": "many"})).await.contains("limit"));
}

#[tokio::test]
async fn detailed_listing() {
    let kv = Kv::new().await;
    kv.write("a", json!({"v": 1})).await;
    kv.write("sub/b", json!({"v": 1})).await;
    let resp = kv.ok(Operation::List, "detailed-metadata/", json!({})).await.unwrap();
    let data = Value::Object(resp.data.unwrap());
    assert_eq!(data["keys"], json!(["a", "sub/"]));
    assert_eq!(data["key_info"]["a"], kv.metadata("a").await);
    assert_eq!(data["key_info"]["sub/"], json!({}));
    let resp = kv.ok(Operation::List, "detailed-metadata/sub", json!({"limit": 5})).await.unwrap();
    assert_eq!(resp.data.unwrap()["key_info"]["b"]["current_version"], 1);
    assert!(kv.ok(Operation::List, "detailed-metadata/none", json!({})).await.is_none());
    let err = kv.call(Operation::Read, "detailed-metadata/a", json!({})).await;
    assert!(matches!(err, Err(crate::logical::Error::UnsupportedOperation)));
}

#[tokio::test]
async fn max_versions_trims_on_write() {
    let config = BackendConfig::for_tests(&[("version", "2")]);
    let storage = config.storage.clone();
    let kv = Kv::with_config(config);
    kv.update("metadata/k", json!({"max_versions": 2})).await;
    for i in 1..=5 {
        kv.write("k", json!({"i": i})).await;
    }
    let meta = kv.metadata("k").await;
    assert_eq!((meta["oldest_version"].clone(), meta["current_version"].clone()), (json!(4), json!(5)));
    assert_eq!(meta["versions"].as_object().unwrap().keys().collect::<Vec<_>>(), ["4", "5"]);
    assert!(kv.ok(Operation::Read, "data/k", json!({"version": 1})).await.is_none(), "trimmed: 404");
    let folder = storage.list("versions/").await.unwrap().remove(0);
    assert_eq!(storage.list(&format!("versions/{folder}")).await.unwrap(), vec!["4", "5"], "data dropped");

    // Raising the limit keeps what is left; lowering it trims only on the next write.
    kv.update("metadata/k", json!({"max_versions": 1})).await;
    assert_eq!(kv.metadata("k").await["versions"].as_object().unwrap().len(), 2);
    kv.write("k", json!({"i": 6})).await;
    let meta = kv.metadata("k").await;
    assert_eq!((meta["oldest_version"].clone(), meta["versions"].as_object().unwrap().len()), (json!(6), 1));
}

#[tokio::test]
async fn max_versions_takes_the_larger_and_defaults_to_ten() {
    let kv = Kv::new().await;
    kv.update("config", json!({"max_versions": 3})).await;
    kv.update("metadata/five", json!({"max_versions": 5})).await;
    kv.update("metadata/one", json!({"max_versions": 1})).await;
    for _ in 0..8 {
        kv.write("five", json!({})).await;
        kv.write("one", json!({})).await;
    }
    let retained = |meta: Value| meta["versions"].as_object().unwrap().len();
    assert_eq!(retained(kv.metadata("five").await), 5, "key 5 beats config 3");
    assert_eq!(retained(kv.metadata("one").await), 3, "config 3 beats key 1");

    kv.update("config", json!({"max_versions": 0})).await;
    for _ in 0..12 {
        kv.write("ten", json!({})).await;
    }
    let meta = kv.metadata("ten").await;
    assert_eq!((retained(meta.clone()), meta["oldest_version"].clone()), (10, json!(3)));
}
