//! The records store against real databases: the same suite (`suite.rs`) on SQLite (file
//! and in-memory) and on PostgreSQL (a database of its own, dropped afterwards).

mod suite;

use std::sync::Arc;

use super::{AuditRecord, EntryType, NEEDS_DATABASE};
use crate::storage::{CachedPhysical, InmemStorage, Physical, SqlStorage, SqliteStorage, StorageError};

#[tokio::test]
async fn sqlite_file_passes_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStorage::open(&dir.path().join("audit.db")).await.unwrap();
    suite::run(store.audit_records().unwrap().as_ref()).await;
}

#[tokio::test]
async fn sqlite_memory_passes_the_suite() {
    let store = SqliteStorage::open_memory().await.unwrap();
    suite::run(store.audit_records().unwrap().as_ref()).await;
}

#[tokio::test]
async fn postgres_passes_the_suite() {
    let db = crate::testing::TestPostgres::create().await.expect("the PostgreSQL on this machine");
    let store = SqlStorage::open_postgres(&db.url).await.unwrap();
    suite::run(store.audit_records().unwrap().as_ref()).await;
}

#[tokio::test]
async fn the_trail_survives_reopening_and_is_shared_by_stores() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let store = SqliteStorage::open(&path).await.unwrap();
    let first = store.audit_records().unwrap();
    first.insert(&[suite::record("kept", EntryType::Request, 1)]).await.unwrap();
    // Another store on the file (as after a restart) sees what was committed.
    let other = SqliteStorage::open(&path).await.unwrap().audit_records().unwrap();
    assert_eq!(other.count().await.unwrap(), 1);
    drop((first, store));
    let reopened = SqliteStorage::open(&path).await.unwrap().audit_records().unwrap();
    assert_eq!(reopened.count().await.unwrap(), 1);
}

/// The store's writer and the trail's take turns on the one SQLite file: neither fails
/// on the other's lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_trail_and_store_write_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStorage::open(&dir.path().join("both.db")).await.unwrap());
    let records = store.audit_records().unwrap();
    let mut tasks = Vec::new();
    for n in 0..40 {
        let (store, records) = (store.clone(), records.clone());
        tasks.push(tokio::spawn(async move {
            store.put(&format!("both/k{n}"), b"v").await.unwrap();
            let batch =
                [suite::record(&format!("b{n}"), EntryType::Request, n), suite::record("x", EntryType::Response, n)];
            records.insert(&batch).await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(records.count().await.unwrap(), 80);
    assert_eq!(store.list("both/").await.unwrap().len(), 40);
}

#[tokio::test]
async fn the_cache_layer_hands_out_the_store_beneath_it() {
    let inner: Arc<dyn Physical> = Arc::new(SqliteStorage::open_memory().await.unwrap());
    let cached = CachedPhysical::new(inner.clone(), 1 << 20);
    let records = cached.audit_records().unwrap();
    records.insert(&[suite::record("c", EntryType::Request, 1)]).await.unwrap();
    assert_eq!(inner.audit_records().unwrap().count().await.unwrap(), 1);
}

#[tokio::test]
async fn storage_without_a_database_has_no_trail() {
    let err = InmemStorage::new().audit_records().err().unwrap();
    assert!(matches!(&err, StorageError::Unavailable(m) if m == NEEDS_DATABASE), "{err:?}");
}

/// Shorthand for tests beside the code too.
pub(super) fn sample(request_id: &str) -> AuditRecord {
    suite::record(request_id, EntryType::Response, 0)
}

/// Each filter the indexes exist for is served by one: no search reads the whole table.
#[tokio::test]
async fn sqlite_searches_read_an_index() {
    use super::query::{AuditQuery, Cursor};
    use super::sql::{self, Dialect};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let _store = SqliteStorage::open(&path).await.unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let q = AuditQuery::default;
    let cursor = Some(Cursor { time_us: 5, id: 9 });
    let contains_db = AuditQuery { path_contains: Some("db".into()), ..q() };
    let listed = ["kv/db".to_string(), "secret/data/db".to_string()];
    let queries = [
        (q(), None),
        (AuditQuery { cursor, ..q() }, None),
        (
            AuditQuery {
                range: super::TimeRange { since: Some(time::OffsetDateTime::UNIX_EPOCH), until: None },
                ..q()
            },
            None,
        ),
        (AuditQuery { path_prefix: Some("secret/".into()), ..q() }, None),
        (AuditQuery { identity: Some("alice".into()), ..q() }, None),
        (AuditQuery { token_accessor: Some("hmac-sha256:a".into()), cursor, ..q() }, None),
        (contains_db.clone(), None),
        (contains_db, Some(&listed[..])),
    ];
    for (query, paths) in queries {
        let search = sql::search(Dialect::Sqlite, &query, paths);
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", search.text)).unwrap();
        let steps: Vec<String> = plan
            .query_map(rusqlite::params_from_iter(search.params.iter()), |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(steps.iter().any(|s| s.contains("USING INDEX")), "{query:?}: {steps:?}");
        // The trail is never read whole; its distinct paths are, for free text on the path.
        let whole = |s: &String| s.starts_with("SCAN") && !s.contains("INDEX") && s != "SCAN arcanum_audit_paths";
        assert!(!steps.iter().any(whole), "{query:?}: {steps:?}");
    }
}
