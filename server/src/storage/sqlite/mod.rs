//! The embedded physical store: one SQLite file in WAL mode, every commit fsynced, through
//! rusqlite directly. Same table as PostgreSQL, `arcanum_storage(key, value)`, created by
//! the `migration` crate, so files written by earlier versions open unchanged.
//!
//! Reads run inline on the caller's thread, on a small pool of connections: a point read
//! is a few microseconds, less than handing it to another thread and back would cost.
//! Writes are group-committed (see `group_commit`) by one writer thread that owns its
//! own connection; a write returns once its transaction is durable.

mod readers;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use migration::{Migrator, MigratorTrait};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use sea_orm::{ConnectOptions, Database};

use super::group_commit::WriteStats;
use super::keys::{self, LIST_BATCH, SkipScan};
use super::{Physical, StorageError, TxnOp};
use crate::audit::records::{AuditRecords, SqliteAuditRecords};
use readers::Readers;
use writer::Writer;

/// How long a connection waits for another's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const GET: &str = "SELECT value FROM arcanum_storage WHERE key = ?1";
const ALL: &str = "SELECT key, value FROM arcanum_storage ORDER BY key";

pub struct SqliteStorage {
    readers: Readers,
    writer: Writer,
    stats: Arc<WriteStats>,
}

impl SqliteStorage {
    /// Open (creating if missing) an SQLite database file.
    pub async fn open(path: &Path) -> Result<Self, StorageError> {
        Self::open_at(Location::File(path.to_path_buf())).await
    }

    /// A private in-memory database, for tests. Its connections share it through
    /// SQLite's `memdb` VFS under a unique name; it is gone once the store is dropped.
    pub async fn open_memory() -> Result<Self, StorageError> {
        Self::open_at(Location::Memory(format!("/arcanum-{}", uuid::Uuid::new_v4().simple()))).await
    }

    async fn open_at(location: Location) -> Result<Self, StorageError> {
        let what = location.describe();
        let unavailable = |e: &dyn std::fmt::Display| StorageError::Unavailable(format!("cannot open the {what}: {e}"));
        // Opened first: it creates the file, and keeps an in-memory database alive.
        let writer = location.open().map_err(|e| unavailable(&e))?;
        if let Location::File(_) = location {
            let mode: String = writer
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
                .map_err(|e| unavailable(&e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(unavailable(&format!("it cannot use write-ahead logging (journal mode {mode})")));
            }
        }
        location.migrate().await?;
        let readers = Readers::new(location);
        // Fail now, not on the first request, if readers cannot open it.
        drop(readers.lease()?);
        let stats = Arc::new(WriteStats::default());
        let writer = Writer::start(writer, stats.clone()).map_err(|e| unavailable(&e))?;
        Ok(SqliteStorage { readers, writer, stats })
    }

    pub fn write_stats(&self) -> &WriteStats {
        &self.stats
    }

    /// Every entry (full key, stored value), for tests that inspect the raw database.
    pub fn raw_entries(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let reader = self.readers.lease()?;
        let mut all = reader.prepare_cached(ALL).map_err(backend)?;
        let rows = all.query_map([], |row| Ok((row.get(0)?, value_at(row, 1)?))).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    /// Run SQL on a connection of its own, beside the store; tests use it to damage rows.
    pub fn execute_for_tests(&self, sql: &str) -> Result<(), StorageError> {
        let conn = self.readers.location.open().map_err(backend)?;
        conn.execute_batch(sql).map_err(backend)
    }
}

#[async_trait]
impl Physical for SqliteStorage {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        keys::check(key)?;
        // Inline, no spawn_blocking: the read takes microseconds, the hop would cost more.
        let reader = self.readers.lease()?;
        let mut get = reader.prepare_cached(GET).map_err(backend)?;
        get.query_row([key], |row| value_at(row, 0)).optional().map_err(backend)
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.writer.submit(vec![TxnOp::Put { key: key.to_string(), value: value.to_vec() }]).await
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.writer.submit(vec![TxnOp::Delete { key: key.to_string() }]).await
    }

    /// Inline too: even a listing of many batches costs about what the caller then spends
    /// turning the names into a response.
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        keys::check_prefix(prefix)?;
        let reader = self.readers.lease()?;
        let mut scan = SkipScan::new(prefix);
        while let Some(range) = scan.next_range() {
            let sql = match (range.inclusive, range.upper.is_some()) {
                (true, true) => "SELECT key FROM arcanum_storage WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3",
                (false, true) => "SELECT key FROM arcanum_storage WHERE key > ?1 AND key < ?2 ORDER BY key LIMIT ?3",
                (true, false) => "SELECT key FROM arcanum_storage WHERE key >= ?1 ORDER BY key LIMIT ?3",
                (false, false) => "SELECT key FROM arcanum_storage WHERE key > ?1 ORDER BY key LIMIT ?3",
            };
            let mut query = reader.prepare_cached(sql).map_err(backend)?;
            // Unused numbered parameters are fine in SQLite; binding them keeps one shape.
            let keys = query
                .query_map((range.lower, range.upper, LIST_BATCH as i64), |row| row.get::<_, String>(0))
                .map_err(backend)?;
            let batch: Vec<String> = keys.collect::<Result<_, _>>().map_err(backend)?;
            scan.consume(&batch);
        }
        Ok(scan.into_children())
    }

    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        self.writer.submit(ops).await
    }

    fn kind(&self) -> &'static str {
        "sqlite"
    }

    /// On two connections of its own to the same database (file or in-memory).
    fn audit_records(&self) -> Result<Arc<dyn AuditRecords>, StorageError> {
        let location = &self.readers.location;
        let open = || {
            location
                .open()
                .map_err(|e| StorageError::Unavailable(format!("cannot open the {}: {e}", location.describe())))
        };
        Ok(Arc::new(SqliteAuditRecords::new(open()?, open()?)?))
    }
}

/// Where the database lives.
enum Location {
    File(PathBuf),
    /// A `memdb` name starting with `/`: shared by every connection in this process.
    Memory(String),
}

impl Location {
    fn describe(&self) -> String {
        match self {
            Location::File(path) => format!("SQLite database {}", path.display()),
            Location::Memory(_) => "in-memory SQLite database".to_string(),
        }
    }

    /// A connection with the store's settings.
    fn open(&self) -> rusqlite::Result<Connection> {
        // No SQLITE_OPEN_URI: a file name is taken as it is, whatever characters it has.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match self {
            Location::File(path) => Connection::open_with_flags(path, flags)?,
            Location::Memory(name) => Connection::open_with_flags_and_vfs(name, flags, "memdb")?,
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Every 2xx must be durable: fsync the log on each commit.
        conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(conn)
    }

    /// Create or upgrade the schema with the `migration` crate, over a short-lived sea-orm
    /// connection.
    async fn migrate(&self) -> Result<(), StorageError> {
        let failed = |e: &dyn std::fmt::Display| {
            StorageError::Unavailable(format!("cannot prepare the schema in the {}: {e}", self.describe()))
        };
        let (filename, vfs) = match self {
            Location::File(path) => (path.clone(), None),
            Location::Memory(name) => (PathBuf::from(name), Some("memdb")),
        };
        let mut opts = ConnectOptions::new("sqlite:");
        opts.max_connections(1).sqlx_logging(false).map_sqlx_sqlite_opts(move |o| {
            let o = o.filename(&filename).create_if_missing(true).busy_timeout(BUSY_TIMEOUT);
            match vfs {
                Some(vfs) => o.vfs(vfs),
                None => o,
            }
        });
        let db = Database::connect(opts).await.map_err(|e| failed(&e))?;
        let migrated = Migrator::up(&db, None).await.map_err(|e| failed(&e));
        let _ = db.close().await;
        migrated
    }
}

/// A stored value. Always written as a blob, but one edited by hand may have become text:
/// hand back its bytes, so the barrier reports the entry as damaged instead of storage
/// failing.
fn value_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Vec<u8>> {
    match row.get_ref(index)? {
        ValueRef::Blob(bytes) | ValueRef::Text(bytes) => Ok(bytes.to_vec()),
        other => Err(rusqlite::Error::InvalidColumnType(index, "value".into(), other.data_type())),
    }
}

fn backend(err: rusqlite::Error) -> StorageError {
    StorageError::Backend(err.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;

    #[tokio::test]
    async fn memory_passes_the_storage_suite() {
        let store = SqliteStorage::open_memory().await.unwrap();
        assert_eq!(store.kind(), "sqlite");
        crate::storage::suite::run(&store).await;
    }

    #[tokio::test]
    async fn file_passes_the_storage_suite_and_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("odd name ?#%.db");
        {
            let store = SqliteStorage::open(&path).await.unwrap();
            crate::storage::suite::run(&store).await;
            store.put("kept/after/reopen", b"yes").await.unwrap();
        }
        assert!(path.exists(), "the name is taken as it is");
        let reopened = SqliteStorage::open(&path).await.unwrap();
        assert_eq!(reopened.get("kept/after/reopen").await.unwrap().as_deref(), Some(&b"yes"[..]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_commits_and_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStorage::open(&dir.path().join("g.db")).await.unwrap());
        crate::storage::suite::concurrent_writes_share_commits(store.clone()).await;
        let stats = store.write_stats();
        assert_eq!(stats.requests.load(Ordering::Relaxed), 200);
        assert!(stats.commits.load(Ordering::Relaxed) < 200, "{stats:?}");
    }

    #[tokio::test]
    async fn a_write_has_committed_when_it_returns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("durable.db");
        let store = SqliteStorage::open(&path).await.unwrap();
        store.put("d/a", b"1").await.unwrap();
        store
            .transaction(vec![
                TxnOp::Put { key: "d/b".into(), value: b"2".to_vec() },
                TxnOp::Delete { key: "d/a".into() },
            ])
            .await
            .unwrap();
        // A second store on the same file, opened while the first is still running: it
        // sees only committed data, and sees all of it.
        let other = SqliteStorage::open(&path).await.unwrap();
        assert_eq!(other.get("d/a").await.unwrap(), None);
        assert_eq!(other.get("d/b").await.unwrap().as_deref(), Some(&b"2"[..]));
        assert_eq!(other.list("d/").await.unwrap(), vec!["b"]);
    }

    #[tokio::test]
    async fn opens_files_written_through_sea_orm() {
        use sea_orm::ConnectionTrait;
        use sea_orm::sqlx::sqlite::SqliteJournalMode;
        // A file as earlier versions wrote it: sea-orm over sqlx, WAL, the migration's table.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut opts = ConnectOptions::new("sqlite:");
        let file = path.clone();
        opts.sqlx_logging(false).map_sqlx_sqlite_opts(move |o| {
            o.filename(&file).create_if_missing(true).journal_mode(SqliteJournalMode::Wal)
        });
        let db = Database::connect(opts).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        db.execute_unprepared("INSERT INTO arcanum_storage (key, value) VALUES ('old/k', X'00FF')").await.unwrap();
        db.close().await.unwrap();

        let store = SqliteStorage::open(&path).await.unwrap();
        assert_eq!(store.get("old/k").await.unwrap().as_deref(), Some(&[0x00, 0xFF][..]));
        store.put("old/new", b"n").await.unwrap();
        assert_eq!(store.list("old/").await.unwrap(), vec!["k", "new"]);
    }

    #[tokio::test]
    async fn in_memory_stores_are_private() {
        let a = SqliteStorage::open_memory().await.unwrap();
        let b = SqliteStorage::open_memory().await.unwrap();
        a.put("p/k", b"a").await.unwrap();
        assert_eq!(b.get("p/k").await.unwrap(), None);
        assert_eq!(a.get("p/k").await.unwrap().as_deref(), Some(&b"a"[..]));
    }

    #[tokio::test]
    async fn an_unopenable_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("a.db");
        let err = SqliteStorage::open(&path).await.err().unwrap();
        assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
        assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    }

    /// Wait (a bounded time) for `done` to hold.
    pub(super) async fn until(what: &str, done: impl Fn() -> bool) {
        for _ in 0..10_000 {
            if done() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!("timed out waiting until {what}");
    }
}
