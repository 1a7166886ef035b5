//! `sys/audit-log/*`: what auditors ask of the database audit device. Search with
//! filters and paging, export as JSON lines or CSV, and two reports: who accessed a
//! secret, and what an identity accessed. All need sudo (an auditor's policy grants
//! `read` and `sudo` on `sys/audit-log/*`).
//!
//! Values are never stored, so a search by value hashes it with the database device's
//! salt (as `sys/audit-hash` would) and looks for the hash in the entries. A plain token
//! accessor is hashed the same way when the device hashes accessors.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

use super::SystemBackend;
use crate::audit::records::{self, AuditQuery, AuditRecord, AuditRecords, MAX_LIMIT, TimeRange};
use crate::audit::{Broker, Device};
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};
use crate::policy::advice::{Usage, advise};
use crate::policy::parse_policy;

/// Path/operation groups the advisor weighs at most (the most frequent).
const ADVICE_GROUPS: u32 = 20_000;
/// The advisor's window unless the request names one.
const ADVICE_DAYS: i64 = 30;

/// Rows one export answers at most; the `X-Arcanum-Next-Cursor` header continues it.
const EXPORT_MAX: u32 = 10_000;
/// Parameters the search passes on to the store's own parser.
const FILTERS: [(&str, &str); 13] = [
    ("since", "Entries at or after this time (RFC 3339)."),
    ("until", "Entries before this time (RFC 3339)."),
    ("path_prefix", "Request paths starting with this (literally)."),
    ("path_contains", "Request paths containing this text anywhere (case-sensitive)."),
    ("mount", "The mount point, e.g. secret/."),
    ("operation", "read, create, update, patch, delete or list."),
    ("identity", "A token display name (userpass-alice) or entity ID."),
    ("token_accessor", "A token accessor, plain or as the entries show it."),
    ("remote_address", "The client's IP address."),
    ("outcome", "success or error."),
    ("entry_type", "request or response."),
    ("limit", "Entries per page (at most 1000; exports at most 10000)."),
    ("cursor", "Continue after the page that returned this next_cursor."),
];

struct Store {
    records: Arc<dyn AuditRecords>,
    device: Arc<Device>,
}

impl SystemBackend {
    /// The database device and its store; a clear 400 when none is enabled.
    fn audit_store(&self) -> Result<Store> {
        let broker: Arc<Broker> = self.core()?.unsealed()?.audit.clone();
        let device = broker.database_device().ok_or_else(|| {
            Error::invalid("no database audit device is enabled; enable one with `bao audit enable database`")
        })?;
        let records = broker.records().map_err(|e| Error::invalid(e.to_string()))?;
        Ok(Store { records, device })
    }

    async fn search_audit_log(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let store = self.audit_store()?;
        let query = parse_query(&store, req.data, MAX_LIMIT)?;
        let page = store.records.search(&query).await?;
        let records: Vec<Value> = page.records.iter().map(record_json).collect();
        Ok(Some(Response::data(json!({ "records": records, "next_cursor": page.next_cursor }))))
    }

    async fn export_audit_log(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let store = self.audit_store()?;
        let mut params = req.data;
        let format = match params.remove("format") {
            None | Some(Value::Null) => "jsonl".to_string(),
            Some(Value::String(f)) if f == "jsonl" || f == "csv" => f,
            Some(other) => return Err(Error::invalid(format!("format must be jsonl or csv, not {other}"))),
        };
        let wanted = match params.remove("limit") {
            None | Some(Value::Null) => EXPORT_MAX,
            Some(value) => value
                .as_u64()
                .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                .filter(|n| (1..=u64::from(EXPORT_MAX)).contains(n))
                .map(|n| n as u32)
                .ok_or_else(|| Error::invalid(format!("limit must be a whole number from 1 to {EXPORT_MAX}")))?,
        };
        let mut query = parse_query(&store, params, MAX_LIMIT)?;
        let mut rows: Vec<AuditRecord> = Vec::new();
        let mut next = None;
        while (rows.len() as u32) < wanted {
            query.limit = (wanted - rows.len() as u32).min(MAX_LIMIT);
            let page = store.records.search(&query).await?;
            rows.extend(page.records);
            next = page.next_cursor.clone();
            match page.next_cursor.map(|c| records::Cursor::parse(&c)) {
                Some(Ok(cursor)) => query.cursor = Some(cursor),
                _ => break,
            }
        }
        let (body, content_type) = match format.as_str() {
            "csv" => (records::to_csv(&rows), "text/csv; charset=utf-8"),
            _ => (records::to_json_lines(&rows), "application/x-ndjson"),
        };
        let headers = match next {
            Some(cursor) => json!({ "X-Arcanum-Next-Cursor": cursor }),
            None => json!({}),
        };
        Ok(Some(
            Response::data(json!({
                "http_content_type": content_type,
                "http_raw_body": body,
                "http_headers": headers,
            }))
            .raw(),
        ))
    }

    async fn who_accessed(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let store = self.audit_store()?;
        let path = d.string("path")?;
        if path.is_empty() {
            return Err(Error::invalid("path is required: the secret's full path, e.g. secret/data/app"));
        }
        let prefix = d.bool("prefix")?;
        let range = time_range(&req.data)?;
        let rows = store.records.who_accessed(&path, prefix, range).await?;
        let identities: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "display_name": r.display_name,
                    "entity_id": r.entity_id,
                    "token_accessor": r.token_accessor,
                    "count": r.count,
                    "errors": r.errors,
                    "operations": r.operations,
                    "first": rfc3339(r.first),
                    "last": rfc3339(r.last),
                })
            })
            .collect();
        Ok(Some(Response::data(json!({ "path": path, "prefix": prefix, "identities": identities }))))
    }

    async fn accessed_by(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let store = self.audit_store()?;
        let identity = d.string("identity")?;
        if identity.is_empty() {
            return Err(Error::invalid("identity is required: a display name such as userpass-alice, or an entity ID"));
        }
        let range = time_range(&req.data)?;
        let rows = store.records.accessed_by(&identity, range).await?;
        let paths: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "path": r.path,
                    "operation": r.operation,
                    "count": r.count,
                    "errors": r.errors,
                    "first": rfc3339(r.first),
                    "last": rfc3339(r.last),
                })
            })
            .collect();
        Ok(Some(Response::data(json!({ "identity": identity, "paths": paths }))))
    }
}

impl SystemBackend {
    /// The least-privilege advisor: the policy's rules that no request used in the last
    /// `days`, its capabilities nobody used, and the requests it saw denied.
    async fn policy_advice(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let store = self.audit_store()?;
        let name = d.string("policy")?;
        if name.is_empty() {
            return Err(Error::invalid("policy is required: the name of an ACL policy"));
        }
        let days = match d.opt_int("days")? {
            None => ADVICE_DAYS,
            Some(days @ 1..=3650) => days,
            Some(_) => return Err(Error::invalid("days must be from 1 to 3650")),
        };
        let core = self.core()?;
        let stored = core.policy(&name).await?.ok_or_else(|| Error::invalid(format!("no policy named {name:?}")))?;
        if stored.name == "root" {
            return Err(Error::invalid("the root policy has no rules to weigh: it allows everything"));
        }
        let policy = parse_policy(&stored.name, &stored.policy)?;
        let since = time::OffsetDateTime::now_utc() - time::Duration::days(days);
        let range = TimeRange { since: Some(since), until: None };
        let usage = store.records.policy_usage(&stored.name, range, ADVICE_GROUPS).await?;
        let truncated = usage.len() as u32 >= ADVICE_GROUPS;
        let usage: Vec<Usage> = usage
            .into_iter()
            .map(|u| Usage { path: u.path, operation: u.operation, denied: u.denied, count: u.count, last: u.last })
            .collect();
        let advice = advise(&policy, &usage);
        let mut data = serde_json::to_value(&advice).map_err(|e| Error::Internal(e.to_string()))?;
        data["policy"] = json!(stored.name);
        data["days"] = json!(days);
        data["since"] = json!(rfc3339(since));
        data["truncated"] = json!(truncated);
        Ok(Some(Response::data(data)))
    }
}

/// The store's query from request parameters, with `value` and a plain
/// `token_accessor` hashed by the device first.
fn parse_query(store: &Store, mut params: Map<String, Value>, limit: u32) -> Result<AuditQuery> {
    let value = match params.remove("value") {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) if !v.is_empty() => Some(v),
        Some(_) => return Err(Error::invalid("value must be a non-empty string")),
    };
    if let Some(Value::String(accessor)) = params.get_mut("token_accessor")
        && !accessor.is_empty()
        && !accessor.starts_with("hmac-sha256:")
        && store.device.format.hmac_accessor
        && !store.device.format.log_raw
    {
        *accessor = store.device.salt.hash(accessor);
    }
    let mut query = AuditQuery::from_params(&params).map_err(Error::InvalidRequest)?;
    if query.limit > limit {
        return Err(Error::invalid(format!("limit must be at most {limit}")));
    }
    query.contains = value.map(|v| if store.device.format.log_raw { v } else { store.device.salt.hash(&v) });
    Ok(query)
}

fn time_range(params: &Map<String, Value>) -> Result<TimeRange> {
    let only: Map<String, Value> = params
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "since" | "until"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(AuditQuery::from_params(&only).map_err(Error::InvalidRequest)?.range)
}

fn rfc3339(time: time::OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_default()
}

fn record_json(r: &AuditRecord) -> Value {
    json!({
        "time": rfc3339(r.time),
        "request_id": r.request_id,
        "type": r.entry_type.as_str(),
        "operation": r.operation,
        "path": r.path,
        "mount": r.mount,
        "display_name": r.display_name,
        "entity_id": r.entity_id,
        "policies": r.policies,
        "token_accessor": r.token_accessor,
        "remote_address": r.remote_address,
        "status": r.status,
        "error": r.error,
        "duration_ms": r.duration_ms,
        "entry": serde_json::from_str::<Value>(&r.entry).unwrap_or(Value::String(r.entry.clone())),
    })
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    let with_filters = |mut path: Path<SystemBackend>| {
        for (name, help) in FILTERS {
            path = path.field(Field::raw(name, help));
        }
        path.field(Field::string("value", "A value to find, hashed with the device's salt before the search."))
    };
    vec![
        with_filters(Path::new("audit-log/search")).on(Operation::Read, SystemBackend::search_audit_log).help(
            "Search the database audit device.",
            "Entries newest first, with next_cursor to page on. Needs sudo.",
        ),
        with_filters(Path::new("audit-log/export"))
            .field(Field::string("format", "jsonl (default) or csv."))
            .on(Operation::Read, SystemBackend::export_audit_log)
            .help(
                "Export matching entries as JSON lines or CSV.",
                "At most 10000 entries per call; the X-Arcanum-Next-Cursor header continues. Needs sudo.",
            ),
        Path::new("audit-log/who-accessed")
            .field(Field::string("path", "The secret's full path, e.g. secret/data/app."))
            .field(Field::bool("prefix", "Everything under path, not only path itself."))
            .field(Field::raw("since", "From this time (RFC 3339)."))
            .field(Field::raw("until", "Before this time (RFC 3339)."))
            .on(Operation::Read, SystemBackend::who_accessed)
            .help("Who accessed a secret.", "Per identity: requests, failures, operations, first and last time."),
        Path::new("audit-log/accessed-by")
            .field(Field::string("identity", "A display name (userpass-alice) or entity ID."))
            .field(Field::raw("since", "From this time (RFC 3339)."))
            .field(Field::raw("until", "Before this time (RFC 3339)."))
            .on(Operation::Read, SystemBackend::accessed_by)
            .help("What an identity accessed.", "Per path and operation: requests, failures, first and last time."),
        Path::new("audit-log/policy-advice")
            .field(Field::string("policy", "The ACL policy to weigh."))
            .field(Field::int("days", "How far back to look (1 to 3650; default 30)."))
            .on(Operation::Read, SystemBackend::policy_advice)
            .help(
                "The least-privilege advisor for a policy.",
                "Its rules and capabilities no request used in the window, and the requests denied to tokens \
                 holding it, from the database audit device.",
            ),
    ]
}
