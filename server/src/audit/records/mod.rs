//! The database audit device's store: audit entries as structured, indexed rows in the
//! storage database (`arcanum_audit_log`), and the searches an auditor runs over them.
//!
//! Rows hold only what the entry itself holds, and entries are hashed before they get
//! here, so the table is no more sensitive than a file device's log. Times are stored as
//! microseconds since the Unix epoch (UTC): finer parts of an `OffsetDateTime` are
//! dropped on insert.
//!
//! Both backends run the same SQL (`sql.rs`), with every value bound as a parameter.

mod export;
mod postgres;
mod query;
mod sql;
mod sqlite;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::storage::StorageError;

pub use export::{CSV_HEADER, to_csv, to_csv_rows, to_json_lines};
pub use postgres::PostgresAuditRecords;
pub use query::{AuditQuery, Cursor, DEFAULT_LIMIT, MAX_LIMIT};
pub use sqlite::SqliteAuditRecords;

/// What storages without a database answer when asked for the store.
pub const NEEDS_DATABASE: &str = "the database audit device needs SQLite or PostgreSQL storage";

/// One audit entry as a row. Also what devices receive and what the spill queue keeps
/// (hence serde): the hashed JSON entry in `entry`, and the columns indexed beside it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AuditRecord {
    /// When the entry was written; stored to the microsecond.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub request_id: String,
    pub entry_type: EntryType,
    /// `read`, `update`, `create`, `delete`, `list`, `patch`...
    pub operation: String,
    /// The full request path, `secret/data/app/db`.
    pub path: String,
    /// The mount point, `secret/`.
    pub mount: String,
    /// The token's display name, `userpass-alice` or `root`.
    pub display_name: String,
    pub entity_id: String,
    pub policies: Vec<String>,
    /// As the entry shows it: usually `hmac-sha256:...`.
    pub token_accessor: String,
    pub remote_address: String,
    /// The HTTP status, for response entries.
    pub status: Option<u16>,
    /// Empty on success.
    pub error: String,
    /// How long the request took, for response entries.
    pub duration_ms: Option<f64>,
    /// The full (already hashed) JSON entry, one line.
    pub entry: String,
}

impl AuditRecord {
    /// A record with no columns but its time, request and type: for devices that write
    /// only the JSON entry.
    pub fn bare(time: OffsetDateTime, request_id: String, entry_type: EntryType) -> AuditRecord {
        AuditRecord {
            time,
            request_id,
            entry_type,
            operation: String::new(),
            path: String::new(),
            mount: String::new(),
            display_name: String::new(),
            entity_id: String::new(),
            policies: Vec::new(),
            token_accessor: String::new(),
            remote_address: String::new(),
            status: None,
            error: String::new(),
            duration_ms: None,
            entry: String::new(),
        }
    }

    /// A request entry with `entry` as its JSON, for tests of devices.
    #[cfg(test)]
    pub(crate) fn sample(request_id: &str, entry: &str) -> AuditRecord {
        AuditRecord {
            time: OffsetDateTime::now_utc(),
            request_id: request_id.to_string(),
            entry_type: EntryType::Request,
            operation: "read".into(),
            path: "secret/data/app".into(),
            mount: "secret/".into(),
            display_name: "root".into(),
            entity_id: String::new(),
            policies: vec!["root".into()],
            token_accessor: String::new(),
            remote_address: "127.0.0.1".into(),
            status: None,
            error: String::new(),
            duration_ms: None,
            entry: entry.to_string(),
        }
    }

    /// Whether the request failed: an error message, or an HTTP status of 400 or more.
    pub fn is_error(&self) -> bool {
        !self.error.is_empty() || self.status.is_some_and(|s| s >= 400)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    Request,
    Response,
}

impl EntryType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryType::Request => "request",
            EntryType::Response => "response",
        }
    }

    pub fn parse(s: &str) -> Option<EntryType> {
        match s {
            "request" => Some(EntryType::Request),
            "response" => Some(EntryType::Response),
            _ => None,
        }
    }
}

/// Whether a request succeeded (see `AuditRecord::is_error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Error,
}

/// A half-open time window: `since` inclusive, `until` exclusive; `None` is unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

/// What `prune` keeps: rows no older than `older_than`'s cut-off, and at most the newest
/// `max_rows`. Both `None` deletes nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Delete rows with a time before this.
    pub older_than: Option<OffsetDateTime>,
    pub max_rows: Option<u64>,
}

/// One page of a search, newest first. `next_cursor` continues after its last row;
/// `None` when there is nothing further.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    pub next_cursor: Option<String>,
}

/// Who touched a path: one identity's requests (request entries only, so each request
/// counts once).
#[derive(Clone, Debug, PartialEq)]
pub struct AccessorSummary {
    pub display_name: String,
    pub entity_id: String,
    pub token_accessor: String,
    pub count: u64,
    /// Of `count`, how many failed (denied ones included).
    pub errors: u64,
    /// Sorted, each once.
    pub operations: Vec<String>,
    pub first: OffsetDateTime,
    pub last: OffsetDateTime,
}

/// What an identity touched: its requests on one path with one operation.
#[derive(Clone, Debug, PartialEq)]
pub struct PathSummary {
    pub path: String,
    pub operation: String,
    pub count: u64,
    pub errors: u64,
    pub first: OffsetDateTime,
    pub last: OffsetDateTime,
}

/// Requests made under a policy, grouped: tokens holding it sent `operation` on `path`
/// `count` times in the window, denied (HTTP 403) or not. What the least-privilege
/// advisor weighs a policy's rules against.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyUsage {
    pub path: String,
    pub operation: String,
    pub denied: bool,
    pub count: u64,
    pub last: OffsetDateTime,
}

/// The trail in the database. Every call is committed before it returns.
#[async_trait]
pub trait AuditRecords: Send + Sync {
    /// Insert a batch in ONE transaction (one commit, one fsync): the caller batches.
    async fn insert(&self, records: &[AuditRecord]) -> Result<(), StorageError>;
    /// One page of rows matching `query`, newest first.
    async fn search(&self, query: &AuditQuery) -> Result<AuditPage, StorageError>;
    /// Who accessed `path` (or, with `prefix`, anything under it): per identity
    /// (display name, entity, accessor), most recent first.
    async fn who_accessed(
        &self,
        path: &str,
        prefix: bool,
        range: TimeRange,
    ) -> Result<Vec<AccessorSummary>, StorageError>;
    /// What `identity` (a display name or an entity ID) accessed: per path and
    /// operation, most recent first.
    async fn accessed_by(&self, identity: &str, range: TimeRange) -> Result<Vec<PathSummary>, StorageError>;
    /// Requests by tokens holding `policy`, per path, operation and whether they were
    /// denied: the most frequent `limit` groups.
    async fn policy_usage(&self, policy: &str, range: TimeRange, limit: u32) -> Result<Vec<PolicyUsage>, StorageError>;
    /// Delete what `retention` does not keep; returns how many rows went.
    async fn prune(&self, retention: Retention) -> Result<u64, StorageError>;
    async fn count(&self) -> Result<u64, StorageError>;
}
