//! The physical store on PostgreSQL through sea-orm (the embedded SQLite store is
//! `sqlite.rs`). One table, `arcanum_storage(key, value)`, created by the `migration`
//! crate; values arrive here already encrypted by the barrier.
//!
//! Writes are group-committed (see `group_commit`) by one writer task.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use migration::{Migrator, MigratorTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionTrait,
};
use tokio::sync::mpsc;

use super::group_commit::{self, Group, QUEUE_DEPTH, WriteRequest, WriteStats};
use super::keys::{self, LIST_BATCH, SkipScan};
use super::{Physical, StorageError, TxnOp};
use crate::audit::records::{AuditRecords, PostgresAuditRecords};

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

pub struct SqlStorage {
    db: DatabaseConnection,
    writer: mpsc::Sender<WriteRequest>,
    stats: Arc<WriteStats>,
}

/// Rows per multi-row statement (PostgreSQL allows 65535 bound values; two per row).
const ROWS_PER_STATEMENT: usize = 1000;

impl SqlStorage {
    /// Connect to PostgreSQL by URL (`postgres://user:pass@host:port/db?sslmode=...`).
    pub async fn open_postgres(url: &str) -> Result<Self, StorageError> {
        let what = format!("PostgreSQL at {}", redact_url(url));
        let mut opts = ConnectOptions::new(url);
        // An unreachable database fails start-up within seconds, with the cause named.
        opts.max_connections(16)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(5))
            .sqlx_logging(false);
        let db = Database::connect(opts)
            .await
            .map_err(|e| StorageError::Unavailable(format!("cannot open the {what}: {e}")))?;
        Migrator::up(&db, None)
            .await
            .map_err(|e| StorageError::Unavailable(format!("cannot prepare the schema in the {what}: {e}")))?;
        let (writer, requests) = mpsc::channel(QUEUE_DEPTH);
        let stats = Arc::new(WriteStats::default());
        tokio::spawn(write_loop(db.clone(), requests, stats.clone()));
        Ok(SqlStorage { db, writer, stats })
    }

    pub fn write_stats(&self) -> &WriteStats {
        &self.stats
    }

    /// The keys (full paths) of every entry, for tests that inspect the raw database.
    pub async fn raw_entries(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let rows = Entity::find().order_by_asc(Column::Key).all(&self.db).await.map_err(map_err)?;
        Ok(rows.into_iter().map(|m| (m.key, m.value)).collect())
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
        group_commit::submit(&self.writer, vec![TxnOp::Put { key: key.to_string(), value: value.to_vec() }]).await
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        group_commit::submit(&self.writer, vec![TxnOp::Delete { key: key.to_string() }]).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        keys::check_prefix(prefix)?;
        let mut scan = SkipScan::new(prefix);
        while let Some(range) = scan.next_range() {
            let mut query = Entity::find().select_only().column(Column::Key);
            query = if range.inclusive {
                query.filter(Column::Key.gte(range.lower))
            } else {
                query.filter(Column::Key.gt(range.lower))
            };
            if let Some(upper) = range.upper {
                query = query.filter(Column::Key.lt(upper));
            }
            let batch: Vec<String> = query
                .order_by_asc(Column::Key)
                .limit(LIST_BATCH as u64)
                .into_tuple()
                .all(&self.db)
                .await
                .map_err(map_err)?;
            scan.consume(&batch);
        }
        Ok(scan.into_children())
    }

    async fn transaction(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        group_commit::submit(&self.writer, ops).await
    }

    fn kind(&self) -> &'static str {
        "postgresql"
    }

    /// On the store's connection pool.
    fn audit_records(&self) -> Result<Arc<dyn AuditRecords>, StorageError> {
        Ok(Arc::new(PostgresAuditRecords::new(self.db.clone())))
    }
}

/// The writer: commit each group together; if that fails, retry each request alone so
/// one bad request cannot fail the others.
async fn write_loop(db: DatabaseConnection, mut requests: mpsc::Receiver<WriteRequest>, stats: Arc<WriteStats>) {
    while let Some(first) = requests.recv().await {
        let group = Group::gather(first, &mut requests, &stats);
        if group.must_commit_alone() {
            commit_each(&db, group).await;
            continue;
        }
        match commit(&db, group.ops()).await {
            Ok(()) => group.answer(Ok(())),
            Err(_) if group.len() > 1 => commit_each(&db, group).await,
            Err(err) => group.answer(Err(err)),
        }
    }
}

async fn commit_each(db: &DatabaseConnection, group: Group) {
    for request in group.into_requests() {
        let outcome = commit(db, request.ops()).await;
        request.answer(outcome);
    }
}

/// Apply `ops` in one transaction, folded (see `group_commit::fold`), with one
/// multi-row statement per kind.
async fn commit<'o>(db: &DatabaseConnection, ops: impl IntoIterator<Item = &'o TxnOp>) -> Result<(), StorageError> {
    let folded = group_commit::fold(ops);
    let row = |(key, value): &(&str, &[u8])| ActiveModel { key: Set(key.to_string()), value: Set(value.to_vec()) };

    let txn = db.begin().await.map_err(map_err)?;
    for folder in folded.folders {
        let mut delete = Entity::delete_many().filter(Column::Key.gte(folder));
        if let Some(end) = keys::prefix_end(folder) {
            delete = delete.filter(Column::Key.lt(end));
        }
        delete.exec(&txn).await.map_err(map_err)?;
    }
    for create in &folded.creates {
        Entity::insert(row(create)).exec_without_returning(&txn).await.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StorageError::AlreadyExists(create.0.to_string()),
            _ => map_err(e),
        })?;
    }
    for chunk in folded.puts.chunks(ROWS_PER_STATEMENT) {
        Entity::insert_many(chunk.iter().map(row))
            .on_conflict(OnConflict::column(Column::Key).update_column(Column::Value).to_owned())
            .exec_without_returning(&txn)
            .await
            .map_err(map_err)?;
    }
    for chunk in folded.deletes.chunks(ROWS_PER_STATEMENT) {
        Entity::delete_many().filter(Column::Key.is_in(chunk.iter().copied())).exec(&txn).await.map_err(map_err)?;
    }
    txn.commit().await.map_err(map_err)
}

fn map_err(err: DbErr) -> StorageError {
    match err {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StorageError::Unavailable(err.to_string()),
        other => StorageError::Backend(other.to_string()),
    }
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
    use std::sync::atomic::Ordering;

    use super::*;

    #[tokio::test]
    async fn postgres_passes_the_storage_suite() {
        let db = crate::testing::TestPostgres::create().await.expect("the PostgreSQL on this machine");
        let store = SqlStorage::open_postgres(&db.url).await.unwrap();
        assert_eq!(store.kind(), "postgresql");
        crate::storage::suite::run(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_commits_and_all_land() {
        let db = crate::testing::TestPostgres::create().await.expect("the PostgreSQL on this machine");
        let store = Arc::new(SqlStorage::open_postgres(&db.url).await.unwrap());
        crate::storage::suite::concurrent_writes_share_commits(store.clone()).await;
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
