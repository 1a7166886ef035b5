//! The behaviour every physical backend must show. Run against in-memory, SQLite and
//! PostgreSQL stores so they cannot drift apart.

use std::sync::Arc;

use super::{Physical, StorageError, TxnOp};

pub(crate) async fn run(store: &dyn Physical) {
    get_put_delete(store).await;
    list_children(store).await;
    list_many_leaves_and_folders(store).await;
    list_many_small_folders(store).await;
    keys_with_any_utf8(store).await;
    transactions_are_atomic(store).await;
    creates_are_insert_only(store).await;
    deletes_whole_folders(store).await;
    rejects_bad_keys(store).await;
}

async fn get_put_delete(s: &dyn Physical) {
    assert_eq!(s.get("gpd/missing").await.unwrap(), None);
    s.put("gpd/a", b"one").await.unwrap();
    assert_eq!(s.get("gpd/a").await.unwrap().as_deref(), Some(&b"one"[..]));
    s.put("gpd/a", b"two").await.unwrap();
    assert_eq!(s.get("gpd/a").await.unwrap().as_deref(), Some(&b"two"[..]));
    s.put("gpd/empty", b"").await.unwrap();
    assert_eq!(s.get("gpd/empty").await.unwrap().as_deref(), Some(&b""[..]));
    s.delete("gpd/a").await.unwrap();
    assert_eq!(s.get("gpd/a").await.unwrap(), None);
    // Deleting what is not there is not an error.
    s.delete("gpd/a").await.unwrap();
}

async fn list_children(s: &dyn Physical) {
    for key in ["ls/a", "ls/b/c", "ls/b/d/e", "ls/b!", "ls/b0", "ls/c", "lsx/other", "ls%/x", "ls_/y"] {
        s.put(key, b"v").await.unwrap();
    }
    assert_eq!(s.list("ls/").await.unwrap(), vec!["a", "b!", "b/", "b0", "c"]);
    assert_eq!(s.list("ls/b/").await.unwrap(), vec!["c", "d/"]);
    assert_eq!(s.list("ls/b/d/").await.unwrap(), vec!["e"]);
    assert!(s.list("ls/nothing/").await.unwrap().is_empty());
    // LIKE wildcards in a prefix are plain characters.
    assert_eq!(s.list("ls%/").await.unwrap(), vec!["x"]);
    assert_eq!(s.list("ls_/").await.unwrap(), vec!["y"]);
    let root = s.list("").await.unwrap();
    for expected in ["ls/", "ls%/", "ls_/", "lsx/"] {
        assert!(root.contains(&expected.to_string()), "{expected} missing from {root:?}");
    }
}

async fn list_many_small_folders(s: &dyn Physical) {
    // Many folders of a few entries each: several folders per batch.
    let mut expected = Vec::new();
    for i in 0..600 {
        for j in 0..2 {
            s.put(&format!("small/f{i:03}/e{j}"), b"v").await.unwrap();
        }
        expected.push(format!("f{i:03}/"));
    }
    s.put("small/zz", b"v").await.unwrap();
    expected.push("zz".into());
    assert_eq!(s.list("small/").await.unwrap(), expected);
}

async fn list_many_leaves_and_folders(s: &dyn Physical) {
    // More leaves than one list batch, interleaved with folders holding many entries.
    let mut expected = Vec::new();
    for i in 0..700 {
        let name = format!("k{i:04}");
        s.put(&format!("many/{name}"), b"v").await.unwrap();
        expected.push(name.clone());
        if i % 100 == 0 {
            for j in 0..30 {
                s.put(&format!("many/{name}/sub{j}"), b"v").await.unwrap();
            }
            expected.push(format!("{name}/"));
        }
    }
    expected.sort();
    assert_eq!(s.list("many/").await.unwrap(), expected);
}

async fn keys_with_any_utf8(s: &dyn Physical) {
    let keys = ["utf/ключ", "utf/鍵/子", "utf/emoji-🔑", "utf/space and 'quote\"", "utf/\u{10FFFF}"];
    for key in keys {
        s.put(key, key.as_bytes()).await.unwrap();
        assert_eq!(s.get(key).await.unwrap().as_deref(), Some(key.as_bytes()));
    }
    assert_eq!(s.list("utf/").await.unwrap(), vec!["emoji-🔑", "space and 'quote\"", "ключ", "鍵/", "\u{10FFFF}"]);
}

async fn transactions_are_atomic(s: &dyn Physical) {
    s.put("txn/old", b"old").await.unwrap();
    s.transaction(vec![
        TxnOp::Put { key: "txn/a".into(), value: b"a".to_vec() },
        TxnOp::Delete { key: "txn/old".into() },
    ])
    .await
    .unwrap();
    assert_eq!(s.get("txn/a").await.unwrap().as_deref(), Some(&b"a"[..]));
    assert_eq!(s.get("txn/old").await.unwrap(), None);

    // One bad key: nothing of the batch is applied.
    let err = s
        .transaction(vec![
            TxnOp::Put { key: "txn/b".into(), value: b"b".to_vec() },
            TxnOp::Put { key: "txn/bad\0".into(), value: b"x".to_vec() },
        ])
        .await;
    assert!(matches!(err, Err(StorageError::InvalidKey(_))), "{err:?}");
    assert_eq!(s.get("txn/b").await.unwrap(), None);
}

async fn creates_are_insert_only(s: &dyn Physical) {
    s.transaction(vec![TxnOp::Create { key: "create/a".into(), value: b"first".to_vec() }]).await.unwrap();
    let err = s
        .transaction(vec![
            TxnOp::Put { key: "create/b".into(), value: b"b".to_vec() },
            TxnOp::Create { key: "create/a".into(), value: b"second".to_vec() },
        ])
        .await;
    assert!(matches!(err, Err(StorageError::AlreadyExists(ref k)) if k == "create/a"), "{err:?}");
    assert_eq!(s.get("create/a").await.unwrap().as_deref(), Some(&b"first"[..]));
    assert_eq!(s.get("create/b").await.unwrap(), None, "the whole batch failed");
}

async fn deletes_whole_folders(s: &dyn Physical) {
    for key in ["fold/a", "fold/b/c", "fold/b/d/e", "fold0", "folder/x"] {
        s.put(key, b"v").await.unwrap();
    }
    s.delete_prefix("fold/").await.unwrap();
    assert!(s.list("fold/").await.unwrap().is_empty());
    assert!(s.get("fold/b/c").await.unwrap().is_none());
    assert!(s.get("fold0").await.unwrap().is_some(), "a neighbour that only shares the name survives");
    assert!(s.get("folder/x").await.unwrap().is_some());
    assert!(s.delete_prefix("").await.is_err(), "never everything");
}

async fn rejects_bad_keys(s: &dyn Physical) {
    for key in ["", "folder/", "nul\0key"] {
        assert!(matches!(s.put(key, b"v").await, Err(StorageError::InvalidKey(_))), "{key:?}");
        assert!(matches!(s.get(key).await, Err(StorageError::InvalidKey(_))), "{key:?}");
    }
    for prefix in ["no-slash", "nul\0/"] {
        assert!(matches!(s.list(prefix).await, Err(StorageError::InvalidKey(_))), "{prefix:?}");
    }
}

/// 200 puts at once, all of which must land. Backends that group-commit then check
/// their statistics show the writes shared commits.
pub(crate) async fn concurrent_writes_share_commits(store: Arc<dyn Physical>) {
    let writers: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.put(&format!("g/{i}"), format!("v{i}").as_bytes()).await })
        })
        .collect();
    for w in writers {
        w.await.unwrap().unwrap();
    }
    for i in 0..200 {
        assert_eq!(store.get(&format!("g/{i}")).await.unwrap().unwrap(), format!("v{i}").as_bytes());
    }
}
