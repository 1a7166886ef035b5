//! The trail in the SQLite storage file, on connections of its own: WAL lets this writer
//! and the store's writer take turns without blocking readers. Each call runs on the
//! blocking pool, since an insert waits for an fsync.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{Connection, OptionalExtension, Row, ToSql, TransactionBehavior, params_from_iter};

use super::query::{AuditQuery, Cursor};
use super::sql::{self, Aggregate, Dialect, Param, RawRow};
use super::{AccessorSummary, AuditPage, AuditRecord, AuditRecords, PathSummary, PolicyUsage, Retention, TimeRange};
use crate::storage::StorageError;

const DIALECT: Dialect = Dialect::Sqlite;

pub struct SqliteAuditRecords {
    inner: Arc<Connections>,
}

struct Connections {
    writer: Mutex<Connection>,
    /// Reads go on their own connection, so a search never waits for an insert's fsync.
    reader: Mutex<Connection>,
}

impl SqliteAuditRecords {
    /// Over two connections to a database the `migration` crate has prepared, each
    /// already set up like the store's (busy timeout, `synchronous = FULL`).
    pub fn new(writer: Connection, reader: Connection) -> Result<SqliteAuditRecords, StorageError> {
        reader.pragma_update(None, "query_only", true).map_err(backend)?;
        Ok(SqliteAuditRecords {
            inner: Arc::new(Connections { writer: Mutex::new(writer), reader: Mutex::new(reader) }),
        })
    }

    /// Run `work` on one of the connections, off the async runtime.
    async fn run<T: Send + 'static>(
        &self,
        write: bool,
        work: impl FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = lock(if write { &inner.writer } else { &inner.reader });
            work(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Backend(format!("the audit store's task failed: {e}")))?
    }
}

#[async_trait]
impl AuditRecords for SqliteAuditRecords {
    async fn insert(&self, records: &[AuditRecord]) -> Result<(), StorageError> {
        if records.is_empty() {
            return Ok(());
        }
        let rows: Vec<_> = records.iter().map(sql::row_params).collect();
        let paths = sql::distinct_paths(&rows);
        self.run(true, move |conn| {
            // IMMEDIATE takes the write lock up front: the commit cannot fail halfway.
            let txn = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            {
                let mut insert = txn.prepare_cached(&sql::insert(DIALECT, 1)).map_err(backend)?;
                for row in &rows {
                    insert.execute(params_from_iter(row.iter())).map_err(backend)?;
                }
                let mut remember = txn.prepare_cached(&sql::insert_paths(DIALECT, 1)).map_err(backend)?;
                for path in &paths {
                    remember.execute([path]).map_err(backend)?;
                }
            }
            txn.commit().map_err(backend)
        })
        .await
    }

    async fn search(&self, query: &AuditQuery) -> Result<AuditPage, StorageError> {
        let query = query.clone();
        let size = query.page_size();
        self.run(false, move |conn| {
            // Free text on the path: the distinct paths it matches, first.
            let paths = match &query.path_contains {
                Some(part) => {
                    let find = sql::paths_containing(DIALECT, part);
                    let mut stmt = conn.prepare_cached(&find.text).map_err(backend)?;
                    let found = stmt.query_map(params_from_iter(find.params.iter()), |row| row.get(0));
                    sql::listable(found.map_err(backend)?.collect::<Result<_, _>>().map_err(backend)?)
                }
                None => None,
            };
            let (recent, statement) =
                (sql::search_recent(DIALECT, &query, paths.as_deref()), sql::search(DIALECT, &query, paths.as_deref()));
            let rows = |statement: &sql::Sql| -> Result<Vec<RawRow>, StorageError> {
                let mut stmt = conn.prepare_cached(&statement.text).map_err(backend)?;
                let rows = stmt.query_map(params_from_iter(statement.params.iter()), raw_row).map_err(backend)?;
                rows.collect::<Result<_, _>>().map_err(backend)
            };
            // The newest rows first (see `sql::RECENT_ROWS`): a full page there is the page.
            if let Some(recent) = recent {
                let found = rows(&recent)?;
                if found.len() > size as usize {
                    return sql::page(found, size);
                }
            }
            sql::page(rows(&statement)?, size)
        })
        .await
    }

    async fn who_accessed(
        &self,
        path: &str,
        prefix: bool,
        range: TimeRange,
    ) -> Result<Vec<AccessorSummary>, StorageError> {
        let statement = sql::who_accessed(DIALECT, path, prefix, &range);
        let rows = self
            .run(false, move |conn| {
                query_all(conn, &statement, |row| {
                    Ok(([row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?], aggregate(row, 4)?))
                })
            })
            .await?;
        sql::accessor_summaries(rows)
    }

    async fn accessed_by(&self, identity: &str, range: TimeRange) -> Result<Vec<PathSummary>, StorageError> {
        let statement = sql::accessed_by(DIALECT, identity, &range);
        let rows = self
            .run(false, move |conn| {
                query_all(conn, &statement, |row| Ok(([row.get(0)?, row.get(1)?], aggregate(row, 2)?)))
            })
            .await?;
        sql::path_summaries(rows)
    }

    async fn policy_usage(&self, policy: &str, range: TimeRange, limit: u32) -> Result<Vec<PolicyUsage>, StorageError> {
        let statement = sql::policy_usage(DIALECT, policy, &range, limit);
        let rows = self
            .run(false, move |conn| {
                query_all(conn, &statement, |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))
            })
            .await?;
        rows.into_iter().map(|(path, op, denied, n, last)| sql::policy_usage_row(path, op, denied, n, last)).collect()
    }

    async fn prune(&self, retention: Retention) -> Result<u64, StorageError> {
        self.run(true, move |conn| {
            let txn = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let mut deleted = 0;
            if let Some(before) = retention.older_than {
                deleted += execute(&txn, &sql::delete_before(DIALECT, before))?;
            }
            if let Some(keep) = retention.max_rows {
                let first = sql::first_beyond(DIALECT, keep);
                let beyond = txn
                    .query_row(&first.text, params_from_iter(first.params.iter()), |row| {
                        Ok(Cursor { time_us: row.get(0)?, id: row.get(1)? })
                    })
                    .optional()
                    .map_err(backend)?;
                if let Some(beyond) = beyond {
                    deleted += execute(&txn, &sql::delete_from(DIALECT, beyond))?;
                }
            }
            if deleted > 0 {
                txn.execute(&sql::delete_orphan_paths(), []).map_err(backend)?;
            }
            txn.commit().map_err(backend)?;
            Ok(deleted)
        })
        .await
    }

    async fn count(&self) -> Result<u64, StorageError> {
        let n: i64 =
            self.run(false, |conn| conn.query_row(&sql::count(), [], |row| row.get(0)).map_err(backend)).await?;
        Ok(sql::to_u64(n))
    }
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Text(s) => ToSqlOutput::from(s.as_str()),
            Param::Int(n) => ToSqlOutput::from(*n),
            Param::OptInt(n) => n.map_or(ToSqlOutput::Owned(Value::Null), ToSqlOutput::from),
            Param::OptFloat(f) => f.map_or(ToSqlOutput::Owned(Value::Null), ToSqlOutput::from),
        })
    }
}

fn query_all<T>(
    conn: &Connection,
    statement: &sql::Sql,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StorageError> {
    let mut stmt = conn.prepare_cached(&statement.text).map_err(backend)?;
    let rows = stmt.query_map(params_from_iter(statement.params.iter()), map).map_err(backend)?;
    rows.collect::<Result<_, _>>().map_err(backend)
}

fn execute(conn: &Connection, statement: &sql::Sql) -> Result<u64, StorageError> {
    let changed = conn.execute(&statement.text, params_from_iter(statement.params.iter())).map_err(backend)?;
    Ok(changed as u64)
}

fn raw_row(row: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        id: row.get(0)?,
        time_us: row.get(1)?,
        request_id: row.get(2)?,
        entry_type: row.get(3)?,
        operation: row.get(4)?,
        path: row.get(5)?,
        mount: row.get(6)?,
        display_name: row.get(7)?,
        entity_id: row.get(8)?,
        policies: row.get(9)?,
        token_accessor: row.get(10)?,
        remote_address: row.get(11)?,
        status: row.get(12)?,
        error: row.get(13)?,
        duration_ms: row.get(14)?,
        entry: row.get(15)?,
    })
}

fn aggregate(row: &Row<'_>, at: usize) -> rusqlite::Result<Aggregate> {
    Ok(Aggregate {
        requests: row.get(at)?,
        errors: row.get(at + 1)?,
        first_us: row.get(at + 2)?,
        last_us: row.get(at + 3)?,
    })
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(PoisonError::into_inner)
}

fn backend(err: rusqlite::Error) -> StorageError {
    StorageError::Backend(err.to_string())
}
