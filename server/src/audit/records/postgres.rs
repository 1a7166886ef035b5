//! The trail in the PostgreSQL storage database, on the store's sea-orm connection pool.

use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Statement, TransactionTrait, Value};

use super::query::{AuditQuery, Cursor};
use super::sql::{self, Aggregate, Dialect, INSERT_WIDTH, Param, RawRow};
use super::{AccessorSummary, AuditPage, AuditRecord, AuditRecords, PathSummary, PolicyUsage, Retention, TimeRange};
use crate::storage::StorageError;

const DIALECT: Dialect = Dialect::Postgres;
/// Rows per insert statement: PostgreSQL allows 65535 bound values per statement.
const ROWS_PER_STATEMENT: usize = 1000;
const _: () = assert!(ROWS_PER_STATEMENT * INSERT_WIDTH <= 65535);

pub struct PostgresAuditRecords {
    db: DatabaseConnection,
}

impl PostgresAuditRecords {
    /// Over a connection to a database the `migration` crate has prepared.
    pub fn new(db: DatabaseConnection) -> PostgresAuditRecords {
        PostgresAuditRecords { db }
    }

    async fn query_all<T>(
        &self,
        sql: sql::Sql,
        map: impl Fn(&QueryResult) -> Result<T, DbErr>,
    ) -> Result<Vec<T>, StorageError> {
        let rows = self.db.query_all_raw(statement(sql.text, sql.params)).await.map_err(map_err)?;
        rows.iter().map(map).collect::<Result<_, _>>().map_err(map_err)
    }
}

#[async_trait]
impl AuditRecords for PostgresAuditRecords {
    async fn insert(&self, records: &[AuditRecord]) -> Result<(), StorageError> {
        if records.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin().await.map_err(map_err)?;
        for chunk in records.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<_> = chunk.iter().map(sql::row_params).collect();
            let paths = sql::distinct_paths(&rows);
            let params = rows.into_iter().flatten().collect();
            txn.execute_raw(statement(sql::insert(DIALECT, chunk.len()), params)).await.map_err(map_err)?;
            txn.execute_raw(statement(sql::insert_paths(DIALECT, paths.len()), paths)).await.map_err(map_err)?;
        }
        txn.commit().await.map_err(map_err)
    }

    async fn search(&self, query: &AuditQuery) -> Result<AuditPage, StorageError> {
        let size = query.page_size();
        // Free text on the path: the distinct paths it matches, first.
        let paths = match &query.path_contains {
            Some(part) => {
                let found = self.query_all(sql::paths_containing(DIALECT, part), |row| row.try_get("", "path")).await?;
                sql::listable(found)
            }
            None => None,
        };
        // The newest rows first (see `sql::RECENT_ROWS`): a full page there is the page.
        if let Some(recent) = sql::search_recent(DIALECT, query, paths.as_deref()) {
            let rows = self.query_all(recent, raw_row).await?;
            if rows.len() > size as usize {
                return sql::page(rows, size);
            }
        }
        sql::page(self.query_all(sql::search(DIALECT, query, paths.as_deref()), raw_row).await?, size)
    }

    async fn who_accessed(
        &self,
        path: &str,
        prefix: bool,
        range: TimeRange,
    ) -> Result<Vec<AccessorSummary>, StorageError> {
        let rows = self
            .query_all(sql::who_accessed(DIALECT, path, prefix, &range), |row| {
                let text = |column| row.try_get::<String>("", column);
                let key = [text("display_name")?, text("entity_id")?, text("token_accessor")?, text("operation")?];
                Ok((key, aggregate(row)?))
            })
            .await?;
        sql::accessor_summaries(rows)
    }

    async fn accessed_by(&self, identity: &str, range: TimeRange) -> Result<Vec<PathSummary>, StorageError> {
        let rows = self
            .query_all(sql::accessed_by(DIALECT, identity, &range), |row| {
                Ok(([row.try_get("", "path")?, row.try_get("", "operation")?], aggregate(row)?))
            })
            .await?;
        sql::path_summaries(rows)
    }

    async fn policy_usage(&self, policy: &str, range: TimeRange, limit: u32) -> Result<Vec<PolicyUsage>, StorageError> {
        let rows = self
            .query_all(sql::policy_usage(DIALECT, policy, &range, limit), |row| {
                let denied: i32 = row.try_get("", "denied")?;
                Ok((
                    row.try_get("", "path")?,
                    row.try_get("", "operation")?,
                    i64::from(denied),
                    row.try_get("", "requests")?,
                    row.try_get("", "last_us")?,
                ))
            })
            .await?;
        rows.into_iter().map(|(path, op, denied, n, last)| sql::policy_usage_row(path, op, denied, n, last)).collect()
    }

    async fn prune(&self, retention: Retention) -> Result<u64, StorageError> {
        let txn = self.db.begin().await.map_err(map_err)?;
        let mut deleted = 0;
        if let Some(before) = retention.older_than {
            let delete = sql::delete_before(DIALECT, before);
            deleted += txn.execute_raw(statement(delete.text, delete.params)).await.map_err(map_err)?.rows_affected();
        }
        if let Some(keep) = retention.max_rows {
            let first = sql::first_beyond(DIALECT, keep);
            let beyond = txn.query_one_raw(statement(first.text, first.params)).await.map_err(map_err)?;
            if let Some(row) = beyond {
                let at = Cursor {
                    time_us: row.try_get("", "time_us").map_err(map_err)?,
                    id: row.try_get("", "id").map_err(map_err)?,
                };
                let delete = sql::delete_from(DIALECT, at);
                deleted +=
                    txn.execute_raw(statement(delete.text, delete.params)).await.map_err(map_err)?.rows_affected();
            }
        }
        if deleted > 0 {
            txn.execute_raw(statement(sql::delete_orphan_paths(), Vec::new())).await.map_err(map_err)?;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(deleted)
    }

    async fn count(&self) -> Result<u64, StorageError> {
        let row = self.db.query_one_raw(statement(sql::count(), Vec::new())).await.map_err(map_err)?;
        let n: i64 = match row {
            Some(row) => row.try_get_by_index(0).map_err(map_err)?,
            None => 0,
        };
        Ok(sql::to_u64(n))
    }
}

fn statement(text: String, params: Vec<Param>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, text, params.into_iter().map(value))
}

fn value(param: Param) -> Value {
    match param {
        Param::Text(s) => Value::from(s),
        Param::Int(n) => Value::from(n),
        Param::OptInt(n) => Value::from(n),
        Param::OptFloat(f) => Value::from(f),
    }
}

fn raw_row(row: &QueryResult) -> Result<RawRow, DbErr> {
    Ok(RawRow {
        id: row.try_get("", "id")?,
        time_us: row.try_get("", "time_us")?,
        request_id: row.try_get("", "request_id")?,
        entry_type: row.try_get("", "entry_type")?,
        operation: row.try_get("", "operation")?,
        path: row.try_get("", "path")?,
        mount: row.try_get("", "mount")?,
        display_name: row.try_get("", "display_name")?,
        entity_id: row.try_get("", "entity_id")?,
        policies: row.try_get("", "policies")?,
        token_accessor: row.try_get("", "token_accessor")?,
        remote_address: row.try_get("", "remote_address")?,
        status: row.try_get::<Option<i32>>("", "status")?.map(i64::from),
        error: row.try_get("", "error")?,
        duration_ms: row.try_get("", "duration_ms")?,
        entry: row.try_get("", "entry")?,
    })
}

fn aggregate(row: &QueryResult) -> Result<Aggregate, DbErr> {
    Ok(Aggregate {
        requests: row.try_get("", "requests")?,
        errors: row.try_get("", "errors")?,
        first_us: row.try_get("", "first_us")?,
        last_us: row.try_get("", "last_us")?,
    })
}

fn map_err(err: DbErr) -> StorageError {
    match err {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StorageError::Unavailable(err.to_string()),
        other => StorageError::Backend(other.to_string()),
    }
}
