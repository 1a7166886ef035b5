//! What reaches the database is ciphertext only: after initialising, unsealing, writing
//! known values and rotating the key, the raw SQLite file and PostgreSQL table hold no
//! plaintext value, no key share, no unseal or root key and no token. And a damaged
//! entry is reported clearly without breaking anything else.

use std::sync::Arc;

use arcanum::logical::Storage;
use arcanum::seal::shamir;
use arcanum::storage::{Physical, SqlStorage, SqliteStorage};
use arcanum::testing::{TestCore, TestPostgres};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use zeroize::Zeroizing;

const VALUES: [&str; 3] =
    ["hunter2-correct-horse-battery-staple", "postgres://app:Sup3rS3cret!@db.internal/prod", "ключ-🔑-秘密-value"];

/// Every encoding of `bytes` a leak could take.
fn encodings(bytes: &[u8]) -> Vec<Vec<u8>> {
    vec![bytes.to_vec(), hex::encode(bytes).into_bytes(), B64.encode(bytes).into_bytes()]
}

/// Initialise, unseal, write `VALUES`, rotate, write again; return what must never be
/// found at rest.
async fn exercise(physical: Arc<dyn Physical>) -> Vec<(String, Vec<u8>)> {
    let t = TestCore::initialized_on(physical, 3, 2).await;
    t.core.unseal(Some(&t.keys[0]), false).await.unwrap();
    t.core.unseal(Some(&t.keys[2]), false).await.unwrap();
    let barrier = t.core.barrier().clone();
    for (i, value) in VALUES.iter().enumerate() {
        barrier.put(&format!("test/before-rotation/{i}"), value.as_bytes()).await.unwrap();
    }
    barrier.rotate().await.unwrap();
    for (i, value) in VALUES.iter().enumerate() {
        barrier.put(&format!("test/after-rotation/{i}"), value.as_bytes()).await.unwrap();
        assert_eq!(barrier.get(&format!("test/before-rotation/{i}")).await.unwrap().unwrap(), value.as_bytes());
    }

    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for value in VALUES {
        needles.push((format!("value {value:?}"), value.as_bytes().to_vec()));
    }
    needles.push(("root token".into(), t.root_token.as_bytes().to_vec()));
    let shares: Vec<Zeroizing<Vec<u8>>> = t.keys.iter().map(|k| Zeroizing::new(hex::decode(k).unwrap())).collect();
    for (i, share) in shares.iter().enumerate() {
        for e in encodings(share) {
            needles.push((format!("key share {i}"), e));
        }
    }
    let unseal_key = shamir::combine(&shares[..2], 3, 2).unwrap();
    for e in encodings(unseal_key.as_slice()) {
        needles.push(("unseal key".into(), e));
    }
    let root_key = barrier.root_key().unwrap();
    for e in encodings(root_key.as_slice()) {
        needles.push(("root key".into(), e));
    }
    needles
}

fn assert_absent(haystack: &[u8], needles: &[(String, Vec<u8>)], place: &str) {
    for (what, needle) in needles {
        assert!(!haystack.windows(needle.len()).any(|w| w == needle.as_slice()), "{what} found in {place}");
    }
}

#[tokio::test]
async fn the_sqlite_file_holds_only_ciphertext() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("arcanum.db");
    let store = Arc::new(SqliteStorage::open(&path).await.unwrap());
    let needles = exercise(store.clone()).await;

    let rows = store.raw_entries().unwrap();
    assert!(rows.len() >= 10, "the test wrote what it meant to: {} rows", rows.len());
    for (key, value) in &rows {
        assert_absent(key.as_bytes(), &needles, &format!("the key {key:?}"));
        assert_absent(value, &needles, &format!("the value at {key:?}"));
    }
    // The file itself, write-ahead log included (pages not yet checkpointed live there).
    for file in ["arcanum.db", "arcanum.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
            assert_absent(&bytes, &needles, file);
        }
    }
}

#[tokio::test]
async fn the_postgresql_table_holds_only_ciphertext() {
    let db = TestPostgres::create().await.expect("the PostgreSQL on this machine");
    let store = Arc::new(SqlStorage::open_postgres(&db.url).await.unwrap());
    let needles = exercise(store.clone()).await;
    let rows = store.raw_entries().await.unwrap();
    assert!(rows.len() >= 10);
    for (key, value) in &rows {
        assert_absent(key.as_bytes(), &needles, &format!("the key {key:?}"));
        assert_absent(value, &needles, &format!("the value at {key:?}"));
    }
}

#[tokio::test]
async fn a_damaged_entry_is_named_and_nothing_else_breaks() {
    let store = Arc::new(SqliteStorage::open_memory().await.unwrap());
    let t = TestCore::initialized_on(store.clone(), 1, 1).await;
    t.core.unseal(Some(&t.keys[0]), false).await.unwrap();
    let barrier = t.core.barrier().clone();
    barrier.put("test/good", b"fine").await.unwrap();
    barrier.put("test/bad", b"will be damaged").await.unwrap();

    // Flip bits in one stored value, as a disk or a meddler might.
    store
        .execute_for_tests(
            "UPDATE arcanum_storage SET value = substr(value, 1, 20) || X'00FF00FF' || substr(value, 25) \
             WHERE key = 'test/bad'",
        )
        .unwrap();
    let err = barrier.get("test/bad").await.unwrap_err().to_string();
    assert!(err.contains("\"test/bad\" cannot be decrypted"), "{err}");
    assert_eq!(barrier.get("test/good").await.unwrap().unwrap(), b"fine");

    // A value moved to another key does not open there either.
    store
        .execute_for_tests(
            "UPDATE arcanum_storage SET value = (SELECT value FROM arcanum_storage WHERE key = 'test/good') \
             WHERE key = 'test/bad'",
        )
        .unwrap();
    assert!(barrier.get("test/bad").await.is_err());

    // The server keeps working: seal and unseal again.
    t.core.seal().await.unwrap();
    t.core.unseal(Some(&t.keys[0]), false).await.unwrap();
    assert_eq!(t.core.barrier().get("test/good").await.unwrap().unwrap(), b"fine");
}

#[tokio::test]
async fn a_damaged_keyring_keeps_the_server_sealed_with_a_clear_error() {
    let store = Arc::new(SqliteStorage::open_memory().await.unwrap());
    let t = TestCore::initialized_on(store.clone(), 1, 1).await;
    store
        .execute_for_tests(
            "UPDATE arcanum_storage SET value = substr(value, 1, 30) || X'0102' || substr(value, 33) \
             WHERE key = 'core/keyring'",
        )
        .unwrap();
    let before = store.raw_entries().unwrap();
    let err = t.core.unseal(Some(&t.keys[0]), false).await.unwrap_err().to_string();
    assert!(err.contains("keyring"), "{err}");
    assert!(t.core.is_sealed());
    assert_eq!(store.raw_entries().unwrap(), before, "a failed unseal writes nothing");
}
