//! The SQL both backends run, built once with numbered placeholders (`?1` for SQLite,
//! `$1` for PostgreSQL). Values from outside only ever become bound parameters; the
//! statement text is made of the fixed fragments below.

use time::OffsetDateTime;

use super::query::{AuditQuery, Cursor};
use super::{AuditRecord, EntryType, Outcome, TimeRange};
use crate::storage::{StorageError, prefix_end};

pub(super) const TABLE: &str = "arcanum_audit_log";
/// Every distinct path of the trail (see `path_contains`).
const PATHS: &str = "arcanum_audit_paths";

/// Every column of a row, in `RawRow`'s order.
const COLUMNS: &str = "id, time_us, request_id, entry_type, operation, path, mount, display_name, entity_id, \
                       policies, token_accessor, remote_address, status, error, duration_ms, entry";

/// The columns an insert writes (all but `id`), and how many.
const INSERT_COLUMNS: &str = "time_us, request_id, entry_type, operation, path, mount, display_name, entity_id, \
                              policies, token_accessor, remote_address, status, error, duration_ms, entry";
pub(super) const INSERT_WIDTH: usize = 15;

/// A failed request, in SQL (see `AuditRecord::is_error`).
const IS_ERROR: &str = "(error <> '' OR status >= 400)";
const IS_SUCCESS: &str = "(error = '' AND (status IS NULL OR status < 400))";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

/// A bound value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Param {
    Text(String),
    Int(i64),
    OptInt(Option<i32>),
    OptFloat(Option<f64>),
}

/// A statement and its parameters.
#[derive(Debug)]
pub(super) struct Sql {
    pub text: String,
    pub params: Vec<Param>,
    dialect: Dialect,
}

impl Sql {
    fn new(dialect: Dialect, text: &str) -> Sql {
        Sql { text: text.to_string(), params: Vec::new(), dialect }
    }

    /// Bind `param`, returning its placeholder.
    fn bind(&mut self, param: Param) -> String {
        self.params.push(param);
        placeholder(self.dialect, self.params.len())
    }

    fn text(&mut self, value: &str) -> String {
        self.bind(Param::Text(value.to_string()))
    }

    fn push(&mut self, fragment: &str) {
        self.text.push_str(fragment);
    }
}

/// The `n`th (from 1) parameter's placeholder.
fn placeholder(dialect: Dialect, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => format!("?{n}"),
        Dialect::Postgres => format!("${n}"),
    }
}

/// `WHERE` conditions, AND-ed.
struct Conditions(Vec<String>);

impl Conditions {
    fn render(&self) -> String {
        match self.0.is_empty() {
            true => String::new(),
            false => format!(" WHERE {}", self.0.join(" AND ")),
        }
    }
}

pub(super) fn micros(time: OffsetDateTime) -> i64 {
    // ±9999 years in microseconds fits an i64 many times over.
    (time.unix_timestamp_nanos() / 1000) as i64
}

fn time_of(micros: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .map_err(|_| StorageError::Backend(format!("audit row time {micros} is out of range")))
}

fn range_conditions(sql: &mut Sql, range: &TimeRange, conds: &mut Vec<String>) {
    if let Some(since) = range.since {
        conds.push(format!("time_us >= {}", sql.bind(Param::Int(micros(since)))));
    }
    if let Some(until) = range.until {
        conds.push(format!("time_us < {}", sql.bind(Param::Int(micros(until)))));
    }
}

/// Paths under `prefix`, taken literally. A range rather than `LIKE`: no wildcard to
/// escape, case-sensitive in SQLite too, and it reads the path index in both databases
/// (paths sort byte-wise in both, see the migration).
fn prefix_condition(sql: &mut Sql, prefix: &str) -> Option<String> {
    let lower = sql.text(prefix);
    Some(match prefix_end(prefix) {
        Some(end) => format!("path >= {lower} AND path < {}", sql.text(&end)),
        None if prefix.is_empty() => return None,
        None => format!("path >= {lower}"),
    })
}

fn identity_condition(sql: &mut Sql, identity: &str) -> String {
    let (name, entity) = (sql.text(identity), sql.text(identity));
    format!("(display_name = {name} OR entity_id = {entity})")
}

/// The newest rows (within the query's time window) a search looks through first.
///
/// Why: a page is the newest matches, and which index finds them fastest depends on how
/// many rows match. For a filter most rows match (a busy identity, a whole mount), the
/// time index finds a page in the first few hundred rows; for a rare one (one secret),
/// the filter's own index does, then sorts its few rows. Neither database guesses this
/// well for a prefix range or an OR (both picked the filter index and sorted hundreds of
/// thousands of rows, seconds at a million entries). So the search first reads a bounded
/// window of the newest rows by time; only when that does not fill a page does the
/// planner's own plan run, and then the matches are few or old, which that plan is
/// quick at.
pub(super) const RECENT_ROWS: u32 = 20_000;

/// One page of `query`, plus one row to tell whether another page follows. `paths` is
/// what the query's free text on the path resolved to (`paths_containing`), if it did.
pub(super) fn search(dialect: Dialect, query: &AuditQuery, paths: Option<&[String]>) -> Sql {
    let mut sql = Sql::new(dialect, "");
    let mut conds = window_conditions(&mut sql, query);
    conds.extend(filter_conditions(&mut sql, dialect, query, paths));
    let limit = sql.bind(Param::Int(i64::from(query.page_size()) + 1));
    let order = format!("ORDER BY time_us DESC, id DESC LIMIT {limit}");
    // PostgreSQL read the whole time index for a few named paths (0.2 s at a million
    // entries) where their own entries, through the path index, are few to sort: this
    // runs only when the newest rows held no page of them. A materialised CTE fences the
    // planner in: the entries of those paths first, then the newest of them.
    if dialect == Dialect::Postgres && paths.is_some() && query.path_contains.is_some() {
        sql.push(&format!(
            "WITH hits AS MATERIALIZED (SELECT {COLUMNS} FROM {TABLE}{}) SELECT {COLUMNS} FROM hits {order}",
            Conditions(conds).render()
        ));
        return sql;
    }
    sql.push(&format!("SELECT {COLUMNS} FROM {TABLE}{} {order}", Conditions(conds).render()));
    sql
}

/// `search` over only the newest `RECENT_ROWS` rows of the query's window (see there);
/// `None` when the query filters nothing beyond time, which the time index serves anyway.
/// Its answer is the true page only when it is a full page plus one.
pub(super) fn search_recent(dialect: Dialect, query: &AuditQuery, paths: Option<&[String]>) -> Option<Sql> {
    let mut sql = Sql::new(dialect, "");
    let window = window_conditions(&mut sql, query);
    let recent = sql.bind(Param::Int(i64::from(RECENT_ROWS)));
    let filters = filter_conditions(&mut sql, dialect, query, paths);
    if filters.is_empty() {
        return None;
    }
    let limit = sql.bind(Param::Int(i64::from(query.page_size()) + 1));
    sql.push(&format!(
        "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM {TABLE}{} ORDER BY time_us DESC, id DESC LIMIT {recent}) \
         AS recent{} ORDER BY time_us DESC, id DESC LIMIT {limit}",
        Conditions(window).render(),
        Conditions(filters).render()
    ));
    Some(sql)
}

/// The time window and the cursor: what the time index serves.
fn window_conditions(sql: &mut Sql, query: &AuditQuery) -> Vec<String> {
    let mut conds = Vec::new();
    range_conditions(sql, &query.range, &mut conds);
    if let Some(Cursor { time_us, id }) = query.cursor {
        let (t, i) = (sql.bind(Param::Int(time_us)), sql.bind(Param::Int(id)));
        conds.push(format!("(time_us, id) < ({t}, {i})"));
    }
    conds
}

/// Every other filter of `query`.
fn filter_conditions(sql: &mut Sql, dialect: Dialect, query: &AuditQuery, paths: Option<&[String]>) -> Vec<String> {
    let mut conds = Vec::new();
    if let Some(prefix) = &query.path_prefix {
        conds.extend(prefix_condition(sql, prefix));
    }
    // Free text on the path: looked for among the distinct paths, whose entries the
    // path index then finds (a substring of every entry's path took a scan of them all).
    // Paths found beforehand are named one by one, which both planners serve from the
    // path index; otherwise (too many matched) a subquery finds them.
    match (paths, &query.path_contains) {
        (Some(paths), Some(_)) => {
            let list: Vec<String> = paths.iter().map(|p| sql.text(p)).collect();
            conds.push(if list.is_empty() { "1 = 0".to_string() } else { format!("path IN ({})", list.join(", ")) });
        }
        (None, Some(part)) => {
            let matches = contains(sql, dialect, "path", part);
            conds.push(format!("path IN (SELECT path FROM {PATHS} WHERE {matches})"));
        }
        (_, None) => {}
    }
    let exact = [
        ("mount", &query.mount),
        ("operation", &query.operation),
        ("token_accessor", &query.token_accessor),
        ("remote_address", &query.remote_address),
    ];
    for (column, value) in exact {
        if let Some(value) = value {
            conds.push(format!("{column} = {}", sql.text(value)));
        }
    }
    if let Some(identity) = &query.identity {
        conds.push(identity_condition(sql, identity));
    }
    match query.outcome {
        Some(Outcome::Success) => conds.push(IS_SUCCESS.to_string()),
        Some(Outcome::Error) => conds.push(IS_ERROR.to_string()),
        None => {}
    }
    if let Some(kind) = query.entry_type {
        conds.push(format!("entry_type = {}", sql.text(kind.as_str())));
    }
    // A substring of the entry (a value's hash): no index serves it, so it scans what
    // the other filters leave, newest first, only until the page is full.
    if let Some(needle) = &query.contains {
        conds.push(contains(sql, dialect, "entry", needle));
    }
    conds
}

/// `column` holds `part` anywhere, literally.
fn contains(sql: &mut Sql, dialect: Dialect, column: &str, part: &str) -> String {
    let part = sql.text(part);
    match dialect {
        Dialect::Sqlite => format!("instr({column}, {part}) > 0"),
        Dialect::Postgres => format!("strpos({column}, {part}) > 0"),
    }
}

/// Distinct paths named one by one in a search at most; beyond, a subquery finds them.
pub(super) const PATHS_LISTED: usize = 500;

/// The distinct paths containing `part`, up to one more than `PATHS_LISTED`.
pub(super) fn paths_containing(dialect: Dialect, part: &str) -> Sql {
    let mut sql = Sql::new(dialect, "");
    let matches = contains(&mut sql, dialect, "path", part);
    let limit = sql.bind(Param::Int(PATHS_LISTED as i64 + 1));
    sql.push(&format!("SELECT path FROM {PATHS} WHERE {matches} LIMIT {limit}"));
    sql
}

/// The paths `paths_containing` found, if few enough to name one by one.
pub(super) fn listable(paths: Vec<String>) -> Option<Vec<String>> {
    (paths.len() <= PATHS_LISTED).then_some(paths)
}

/// Requests on a path (or under a prefix) per identity and operation. Requests are
/// counted by request ID, so a request's two entries count once, and a login's response
/// entry (which names the identity its request entry cannot) counts too.
pub(super) fn who_accessed(dialect: Dialect, path: &str, prefix: bool, range: &TimeRange) -> Sql {
    let mut sql = Sql::new(dialect, "");
    let mut conds = Vec::new();
    if prefix {
        conds.extend(prefix_condition(&mut sql, path));
    } else {
        conds.push(format!("path = {}", sql.text(path)));
    }
    range_conditions(&mut sql, range, &mut conds);
    sql.push(&format!(
        "SELECT display_name, entity_id, token_accessor, operation, {AGGREGATES} FROM {TABLE}{} \
         GROUP BY display_name, entity_id, token_accessor, operation",
        Conditions(conds).render()
    ));
    sql
}

/// Requests by an identity per path and operation.
pub(super) fn accessed_by(dialect: Dialect, identity: &str, range: &TimeRange) -> Sql {
    let mut sql = Sql::new(dialect, "");
    let mut conds = vec![identity_condition(&mut sql, identity)];
    range_conditions(&mut sql, range, &mut conds);
    sql.push(&format!(
        "SELECT path, operation, {AGGREGATES} FROM {TABLE}{} GROUP BY path, operation",
        Conditions(conds).render()
    ));
    sql
}

/// Response entries of tokens holding `policy` (the column is a JSON array, so the
/// JSON-quoted name matches exactly one whole element), grouped by path, operation and
/// denial, the most frequent first.
pub(super) fn policy_usage(dialect: Dialect, policy: &str, range: &TimeRange, limit: u32) -> Sql {
    let mut sql = Sql::new(dialect, "");
    let quoted = serde_json::to_string(policy).unwrap_or_default();
    let mut conds = vec![format!("entry_type = {}", sql.text(EntryType::Response.as_str()))];
    conds.push(contains(&mut sql, dialect, "policies", &quoted));
    range_conditions(&mut sql, range, &mut conds);
    let limit = sql.bind(Param::Int(i64::from(limit)));
    sql.push(&format!(
        "SELECT path, operation, {DENIED} AS denied, COUNT(*) AS requests, MAX(time_us) AS last_us FROM {TABLE}{} \
         GROUP BY path, operation, {DENIED} ORDER BY requests DESC, path LIMIT {limit}",
        Conditions(conds).render()
    ));
    sql
}

/// 1 for a request the ACL refused, else 0 (an integer in both databases).
const DENIED: &str = "CASE WHEN status = 403 THEN 1 ELSE 0 END";

/// A `policy_usage` row into its record.
pub(super) fn policy_usage_row(
    path: String,
    operation: String,
    denied: i64,
    requests: i64,
    last_us: i64,
) -> Result<super::PolicyUsage, StorageError> {
    Ok(super::PolicyUsage { path, operation, denied: denied != 0, count: to_u64(requests), last: time_of(last_us)? })
}

const AGGREGATES: &str = "COUNT(DISTINCT request_id) AS requests, \
     COUNT(DISTINCT CASE WHEN (error <> '' OR status >= 400) THEN request_id END) AS errors, \
     MIN(time_us) AS first_us, MAX(time_us) AS last_us";

/// An insert of `rows` rows; bind each row's `row_params` in turn.
pub(super) fn insert(dialect: Dialect, rows: usize) -> String {
    let mut text = format!("INSERT INTO {TABLE} ({INSERT_COLUMNS}) VALUES ");
    for row in 0..rows {
        let first = row * INSERT_WIDTH + 1;
        let placeholders: Vec<String> = (first..first + INSERT_WIDTH).map(|n| placeholder(dialect, n)).collect();
        let separator = if row == 0 { "" } else { ", " };
        text.push_str(&format!("{separator}({})", placeholders.join(", ")));
    }
    text
}

/// Remembering `paths` distinct paths (already known ones are left alone).
pub(super) fn insert_paths(dialect: Dialect, paths: usize) -> String {
    let values: Vec<String> = (1..=paths).map(|n| format!("({})", placeholder(dialect, n))).collect();
    format!("INSERT INTO {PATHS} (path) VALUES {} ON CONFLICT DO NOTHING", values.join(", "))
}

/// The distinct paths of `rows` (from `row_params`), for `insert_paths`.
pub(super) fn distinct_paths(rows: &[[Param; INSERT_WIDTH]]) -> Vec<Param> {
    let paths: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter_map(|row| match &row[PATH_PARAM] {
            Param::Text(path) => Some(path.as_str()),
            _ => None,
        })
        .collect();
    paths.into_iter().map(|path| Param::Text(path.to_string())).collect()
}

/// Forgetting the paths no entry has any more (after a prune).
pub(super) fn delete_orphan_paths() -> String {
    format!("DELETE FROM {PATHS} WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {TABLE}.path = {PATHS}.path)")
}

/// Where `row_params` puts the path.
const PATH_PARAM: usize = 4;

/// A record's values in `INSERT_COLUMNS` order. NUL (which PostgreSQL text cannot hold)
/// is replaced, and a duration that is not a number is stored as none, so one odd value
/// cannot lose a whole batch of the trail.
pub(super) fn row_params(r: &AuditRecord) -> [Param; INSERT_WIDTH] {
    let text = |s: &str| Param::Text(if s.contains('\0') { s.replace('\0', "\u{FFFD}") } else { s.to_string() });
    let policies = serde_json::to_string(&r.policies).unwrap_or_else(|_| "[]".into());
    [
        Param::Int(micros(r.time)),
        text(&r.request_id),
        Param::Text(r.entry_type.as_str().into()),
        text(&r.operation),
        text(&r.path),
        text(&r.mount),
        text(&r.display_name),
        text(&r.entity_id),
        text(&policies),
        text(&r.token_accessor),
        text(&r.remote_address),
        Param::OptInt(r.status.map(i32::from)),
        text(&r.error),
        Param::OptFloat(r.duration_ms.filter(|d| d.is_finite())),
        text(&r.entry),
    ]
}

pub(super) fn count() -> String {
    format!("SELECT COUNT(*) FROM {TABLE}")
}

pub(super) fn delete_before(dialect: Dialect, before: OffsetDateTime) -> Sql {
    let mut sql = Sql::new(dialect, "");
    let cut = sql.bind(Param::Int(micros(before)));
    sql.push(&format!("DELETE FROM {TABLE} WHERE time_us < {cut}"));
    sql
}

/// The newest row beyond the `keep` newest: it and everything older go.
pub(super) fn first_beyond(dialect: Dialect, keep: u64) -> Sql {
    let mut sql = Sql::new(dialect, "");
    let offset = sql.bind(Param::Int(i64::try_from(keep).unwrap_or(i64::MAX)));
    sql.push(&format!("SELECT time_us, id FROM {TABLE} ORDER BY time_us DESC, id DESC LIMIT 1 OFFSET {offset}"));
    sql
}

pub(super) fn delete_from(dialect: Dialect, Cursor { time_us, id }: Cursor) -> Sql {
    let mut sql = Sql::new(dialect, "");
    let (t, i) = (sql.bind(Param::Int(time_us)), sql.bind(Param::Int(id)));
    sql.push(&format!("DELETE FROM {TABLE} WHERE (time_us, id) <= ({t}, {i})"));
    sql
}

/// A row as both databases return it, before checking.
pub(super) struct RawRow {
    pub id: i64,
    pub time_us: i64,
    pub request_id: String,
    pub entry_type: String,
    pub operation: String,
    pub path: String,
    pub mount: String,
    pub display_name: String,
    pub entity_id: String,
    pub policies: String,
    pub token_accessor: String,
    pub remote_address: String,
    pub status: Option<i64>,
    pub error: String,
    pub duration_ms: Option<f64>,
    pub entry: String,
}

impl RawRow {
    /// The record, and its place for a cursor. A row edited into nonsense is an error
    /// naming it, not a panic.
    pub(super) fn into_record(self) -> Result<(AuditRecord, Cursor), StorageError> {
        let id = self.id;
        let bad = |what: &str| StorageError::Backend(format!("audit row {id} has an invalid {what}"));
        let record = AuditRecord {
            time: time_of(self.time_us)?,
            request_id: self.request_id,
            entry_type: EntryType::parse(&self.entry_type).ok_or_else(|| bad("entry_type"))?,
            operation: self.operation,
            path: self.path,
            mount: self.mount,
            display_name: self.display_name,
            entity_id: self.entity_id,
            policies: serde_json::from_str(&self.policies).map_err(|_| bad("policies"))?,
            token_accessor: self.token_accessor,
            remote_address: self.remote_address,
            status: self.status.map(u16::try_from).transpose().map_err(|_| bad("status"))?,
            error: self.error,
            duration_ms: self.duration_ms,
            entry: self.entry,
        };
        Ok((record, Cursor { time_us: self.time_us, id }))
    }
}

/// Rows fetched for a page (one more than asked) into the page.
pub(super) fn page(rows: Vec<RawRow>, size: u32) -> Result<super::AuditPage, StorageError> {
    let size = size as usize;
    let more = rows.len() > size;
    let mut records = Vec::with_capacity(rows.len().min(size));
    let mut last = None;
    for row in rows.into_iter().take(size) {
        let (record, at) = row.into_record()?;
        records.push(record);
        last = Some(at);
    }
    let next_cursor = if more { last.map(|c| c.to_string()) } else { None };
    Ok(super::AuditPage { records, next_cursor })
}

/// One aggregate row of `who_accessed` or `accessed_by`, after its key columns.
pub(super) struct Aggregate {
    pub requests: i64,
    pub errors: i64,
    pub first_us: i64,
    pub last_us: i64,
}

/// Per-identity summaries from rows grouped by identity and operation.
pub(super) fn accessor_summaries(
    rows: Vec<([String; 4], Aggregate)>,
) -> Result<Vec<super::AccessorSummary>, StorageError> {
    use std::collections::BTreeMap;
    let mut by_identity: BTreeMap<(String, String, String), super::AccessorSummary> = BTreeMap::new();
    for ([display_name, entity_id, token_accessor, operation], agg) in rows {
        let (first, last) = (time_of(agg.first_us)?, time_of(agg.last_us)?);
        let key = (display_name, entity_id, token_accessor);
        let summary = by_identity.entry(key.clone()).or_insert_with(|| super::AccessorSummary {
            display_name: key.0,
            entity_id: key.1,
            token_accessor: key.2,
            count: 0,
            errors: 0,
            operations: Vec::new(),
            first,
            last,
        });
        summary.count += to_u64(agg.requests);
        summary.errors += to_u64(agg.errors);
        summary.operations.push(operation);
        summary.first = summary.first.min(first);
        summary.last = summary.last.max(last);
    }
    let mut summaries: Vec<_> = by_identity.into_values().collect();
    for summary in &mut summaries {
        summary.operations.sort();
        summary.operations.dedup();
    }
    // Stable: identities last seen at the same instant stay in name order.
    summaries.sort_by_key(|s| std::cmp::Reverse(s.last));
    Ok(summaries)
}

pub(super) fn path_summaries(rows: Vec<([String; 2], Aggregate)>) -> Result<Vec<super::PathSummary>, StorageError> {
    let mut summaries = rows
        .into_iter()
        .map(|([path, operation], agg)| {
            Ok(super::PathSummary {
                path,
                operation,
                count: to_u64(agg.requests),
                errors: to_u64(agg.errors),
                first: time_of(agg.first_us)?,
                last: time_of(agg.last_us)?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    summaries.sort_by(|a, b| b.last.cmp(&a.last).then_with(|| a.path.cmp(&b.path)).then(a.operation.cmp(&b.operation)));
    Ok(summaries)
}

pub(super) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
