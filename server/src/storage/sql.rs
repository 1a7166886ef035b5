//! The physical store on a relational database through sea-orm: an SQLite file (the
//! embedded default) or PostgreSQL. One table, `arcanum_storage(key, value)`, created by
//! the `migration` crate; values arrive here already encrypted by the barrier.
//!
//! Writes are group-committed: one writer task takes every write waiting at that moment
//! and commits them in one transaction, so concurrent writers share one fsync instead of
//! queueing for one each. A write returns only once its transaction has committed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use migration::{Migrator, MigratorTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use super::{Physical, StorageError, TxnOp, keys};

mod entry {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "arcanum_storage")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
        pub key: String,
        pub value: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entry::{ActiveModel, Column, Entity};

/// Rows fetched per round trip when listing.
const LIST_BATCH: u64 = 512;

pub struct SqlStorage {
    db: DatabaseConnection,
    kind: &'static str,
    writer: mpsc::Sender<WriteRequest>,
    stats: Arc<WriteStats>,
}

/// Counters of the writer's work: how well concurrent writes share commits.
#[derive(Debug, Default)]
pub struct WriteStats {
    pub requests: AtomicU64,
    pub commits: AtomicU64,
}

/// One caller's writes, applied atomically, and where to report the outcome.
struct WriteRequest {
    ops: Vec<TxnOp>,
    done: oneshot::Sender<Result<(), StorageError>>,
}

/// Most requests one commit takes.
const MAX_GROUP: usize = 256;
/// Rows per multi-row statement (SQLite allows 32766 bound values; two per row).
const ROWS_PER_STATEMENT: usize = 1000;

impl SqlStorage {
    /// Open (creating if missing) an SQLite database file, in WAL mode with full fsync.
    pub async fn open_sqlite(path: &Path) -> Result<Self, StorageError> {
        let display = path.display().to_string();
        // sqlx percent-decodes the path part of the URL.
        let encoded = display.replace('%', "%25").replace('?', "%3F").replace('#', "%23");
        let mut opts = ConnectOptions::new(format!("sqlite://{encoded}?mode=rwc"));
        // A local file does not drop connections: skip the ping before each use, which
        // is one more hop to SQLite's worker thread per query.
        opts.max_connections(4).test_before_acquire(false);
        opts.map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
        });
        Self::open(opts, "sqlite", &format!("SQLite database {display}")).await
    }

    /// A private in-memory SQLite database (one connection), for tests.
    pub async fn open_sqlite_memory() -> Result<Self, StorageError> {
        let mut opts = ConnectOptions::new("sqlite::memory:");
        opts.max_connections(1).min_connections(1);
        Self::open(opts, "sqlite", "in-memory SQLite database").await
    }

    /// Connect to PostgreSQL by URL (`postgres://user:pass@host:port/db?sslmode=...`).
    pub async fn open_postgres(url: &str) -> Result<Self, StorageError> {
        let mut opts = ConnectOptions::new(url);
        // An unreachable database fails start-up within seconds, with the cause named.
        opts.max_connections(16).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(5));
        Self::open(opts, "postgresql", &format!("PostgreSQL at {}", redact_url(url))).await
    }

    async fn open(mut opts: ConnectOptions, kind: &'static str, what: &str) -> Result<Self, StorageError> {
        opts.sqlx_logging(false);
        let db = Database::connect(opts)
            .await
            .map_err(|e| StorageError::Unavailable(format!("cannot open the {what}: {}", describe(&e))))?;
        Migrator::up(&db, None).await.map_err(|e| {
            StorageError::Unavailable(format!("cannot prepare the schema in the {what}: {}", describe(&e)))
        })?;
        let (writer, requests) = mpsc::channel(4 * MAX_GROUP);
        let stats = Arc::new(WriteStats::default());
        tokio::spawn(write_loop(db.clone(), requests, stats.clone()));
        Ok(SqlStorage { db, kind, writer, stats })
    }

    /// Queue `ops` for the writer and wait until they are committed.
    async fn write(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        for op in &ops {
            op.check()?;
        }
        let (done, outcome) = oneshot::channel();
        self.writer
            .send(WriteRequest { ops, done })
            .await
            .map_err(|_| StorageError::Unavailable("the storage writer has stopped".into()))?;
        outcome.await.map_err(|_| StorageError::Unavailable("the storage writer has stopped".into()))?
    }

    pub fn write_stats(&self) -> &WriteStats {
        &self.stats
    }

    /// The keys (full paths) of every entry, for tests that inspect the raw database.
    pub async fn raw_entries(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let rows = Entity::find().order_by_asc(Column::Key).all(&self.db).await.map_err(map_err)?;
        Ok(rows.into_iter().map(|m| (m.key, m.value)).collect())
    }

    /// Run a statement against the underlying database; tests use it to corrupt rows.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

#[async_trait]
impl Physical for SqlStorage {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        keys::check(key)?;
        let value: Option<Vec<u8>> = Entity::find_by_id(key.to_string())
            .select_only()
            .column(Column::Value)
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(map_err)?;
        Ok(value)
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.write(vec![TxnOp::Put { key: key.to_string(), value: value.to_vec() }]).await
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.write(vec![TxnOp::Delete { key: key.to_string() }]).await
    }

    /// Skip-scan: read keys in batches, skip each folder's subtree within a batch, and
    /// when a batch ends inside a folder start the next one after that folder. The cost
    /// follows the number of children, not the size of the tree below `prefix`.
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        keys::check_prefix(prefix)?;
        let upper = keys::prefix_end(prefix);
        let mut out: Vec<String> = Vec::new();
        let mut lower = prefix.to_string();
        let mut inclusive = true;
        loop {
            let mut query = Entity::find().select_only().column(Column::Key);
            query = if inclusive {
                query.filter(Column::Key.gte(lower.as_str()))
            } else {
                query.filter(Column::Key.gt(lower.as_str()))
            };
            if let Some(upper) = &upper {
                query = query.filter(Column::Key.lt(upper.as_str()));
            }
            let batch: Vec<String> =
                query.order_by_asc(Column::Key).limit(LIST_BATCH).into_tuple().all(&self.db).await.map_err(map_err)?;
            // The end of the folder the scan is inside, if any.
            let mut folder_end: Option<String> = None;
            for key in &batch {
                if folder_end.as_deref().is_some_and(|end| key.as_str() < end) {
                    continue;
                }
                let child = keys::child_of(prefix, key);
                out.push(child.to_string());
                folder_end = child.ends_with('/').then(|| keys::prefix_end(&format!("{prefix}{child}"))).flatten();
            }
            if (batch.len() as u64) < LIST_BATCH {
                break;
            }
            (lower, inclusive) = match folder_end {
                Some(end) => (end, true),
                None => (batch.last().cloned().unwrap_or_default(), false),
            };
        }
        Ok(out)
    }

    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        self.write(ops).await
    }

    fn kind(&self) -> &'static str {
        self.kind
    }
}

/// The writer: take the first waiting request and whatever else is queued, commit them
/// together, and tell each its outcome. If the group fails, retry each request alone so
/// one bad request cannot fail the others.
async fn write_loop(db: DatabaseConnection, mut requests: mpsc::Receiver<WriteRequest>, stats: Arc<WriteStats>) {
    while let Some(first) = requests.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match requests.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        stats.requests.fetch_add(group.len() as u64, Ordering::Relaxed);
        stats.commits.fetch_add(1, Ordering::Relaxed);
        let all: Vec<&TxnOp> = group.iter().flat_map(|r| r.ops.iter()).collect();
        // An insert-only write can fail on its own, and a folder delete cannot be folded
        // with single keys: commit requests holding either separately.
        if group.len() > 1 && all.iter().any(|op| matches!(op, TxnOp::Create { .. } | TxnOp::DeletePrefix { .. })) {
            for request in group {
                let ops: Vec<&TxnOp> = request.ops.iter().collect();
                let _ = request.done.send(commit(&db, &ops).await);
            }
            continue;
        }
        match commit(&db, &all).await {
            Ok(()) => {
                for request in group {
                    let _ = request.done.send(Ok(()));
                }
            }
            Err(_) if group.len() > 1 => {
                for request in group {
                    let ops: Vec<&TxnOp> = request.ops.iter().collect();
                    let _ = request.done.send(commit(&db, &ops).await);
                }
            }
            Err(err) => {
                for request in group {
                    let _ = request.done.send(Err(err.clone()));
                }
            }
        }
    }
}

/// Apply `ops` in order, in one transaction. Insert-only writes go first; of the rest
/// only each key's last operation matters, so they are folded and written with one
/// multi-row statement per kind.
async fn commit(db: &DatabaseConnection, ops: &[&TxnOp]) -> Result<(), StorageError> {
    let mut creates: Vec<ActiveModel> = Vec::new();
    let mut folders: Vec<&str> = Vec::new();
    let mut last: BTreeMap<&str, Option<&[u8]>> = BTreeMap::new();
    for op in ops {
        match op {
            TxnOp::Create { key, value } => {
                creates.push(ActiveModel { key: Set(key.clone()), value: Set(value.clone()) })
            }
            TxnOp::DeletePrefix { prefix } => folders.push(prefix),
            other => {
                last.insert(other.key(), other.value());
            }
        }
    }
    let puts: Vec<ActiveModel> = last
        .iter()
        .filter_map(|(key, value)| value.map(|v| ActiveModel { key: Set(key.to_string()), value: Set(v.to_vec()) }))
        .collect();
    let deletes: Vec<String> = last.iter().filter(|(_, v)| v.is_none()).map(|(k, _)| k.to_string()).collect();

    let txn = db.begin().await.map_err(map_err)?;
    for folder in folders {
        let mut delete = Entity::delete_many().filter(Column::Key.gte(folder));
        if let Some(end) = keys::prefix_end(folder) {
            delete = delete.filter(Column::Key.lt(end));
        }
        delete.exec(&txn).await.map_err(map_err)?;
    }
    for create in creates {
        let key = create.key.clone().unwrap();
        Entity::insert(create).exec_without_returning(&txn).await.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StorageError::AlreadyExists(key),
            _ => map_err(e),
        })?;
    }
    for chunk in puts.chunks(ROWS_PER_STATEMENT) {
        Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::column(Column::Key).update_column(Column::Value).to_owned())
            .exec_without_returning(&txn)
            .await
            .map_err(map_err)?;
    }
    for chunk in deletes.chunks(ROWS_PER_STATEMENT) {
        Entity::delete_many().filter(Column::Key.is_in(chunk.to_vec())).exec(&txn).await.map_err(map_err)?;
    }
    txn.commit().await.map_err(map_err)
}

fn map_err(err: DbErr) -> StorageError {
    match err {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StorageError::Unavailable(describe(&err)),
        other => StorageError::Backend(describe(&other)),
    }
}

fn describe(err: &DbErr) -> String {
    err.to_string()
}

/// A connection URL with any password replaced, safe for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("redacted"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparseable URL>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_memory_passes_the_storage_suite() {
        let store = SqlStorage::open_sqlite_memory().await.unwrap();
        crate::storage::suite::run(&store).await;
    }

    #[tokio::test]
    async fn postgres_passes_the_storage_suite() {
        let db = crate::testing::TestPostgres::create().await.expect("the PostgreSQL on this machine");
        let store = SqlStorage::open_postgres(&db.url).await.unwrap();
        assert_eq!(store.kind(), "postgresql");
        crate::storage::suite::run(&store).await;
    }

    #[tokio::test]
    async fn sqlite_file_passes_the_storage_suite_and_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("odd name ?#%.db");
        {
            let store = SqlStorage::open_sqlite(&path).await.unwrap();
            crate::storage::suite::run(&store).await;
            store.put("kept/after/reopen", b"yes").await.unwrap();
        }
        let reopened = SqlStorage::open_sqlite(&path).await.unwrap();
        assert_eq!(reopened.get("kept/after/reopen").await.unwrap().as_deref(), Some(&b"yes"[..]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_commits_and_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqlStorage::open_sqlite(&dir.path().join("g.db")).await.unwrap());
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
        let stats = store.write_stats();
        assert_eq!(stats.requests.load(Ordering::Relaxed), 200);
        assert!(stats.commits.load(Ordering::Relaxed) < 200, "{stats:?}");
    }

    #[tokio::test]
    async fn an_unreachable_database_is_a_clear_error() {
        let err = SqlStorage::open_postgres("postgres://nobody:pw@127.0.0.1:1/none").await.err().unwrap();
        let msg = err.to_string();
        assert!(msg.contains("cannot open the PostgreSQL at postgres://nobody:redacted@127.0.0.1:1/none"), "{msg}");
        assert!(!msg.contains(":pw@"), "the password must not leak: {msg}");
    }

    #[test]
    fn redact_url_hides_the_password() {
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:redacted@h:5432/db");
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
