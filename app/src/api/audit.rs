//! The audit trail viewer: a filtered, paged view of the database audit device through
//! `sys/audit-log/*` (so only for users whose policies grant it, with `sudo`), and
//! export of the same filter as CSV or JSON lines.

use leptos::prelude::*;

use super::dto::AuditPage;
use super::error::ConsoleError;

/// Rows per page.
pub const PAGE_SIZE: u32 = 50;

/// One page of response entries, newest first, matching the filters (all optional;
/// `path_contains` is free text anywhere in the path): `window` `1h`, `24h`, `7d` or `30d` back from now; `cursor` from the previous page.
#[server(prefix = "/ui/api", endpoint = "audit/search")]
#[allow(clippy::too_many_arguments)]
pub async fn search_audit(
    #[server(default)] window: String,
    #[server(default)] identity: String,
    #[server(default)] path_prefix: String,
    #[server(default)] path_contains: String,
    #[server(default)] operation: String,
    #[server(default)] outcome: String,
    #[server(default)] remote_address: String,
    #[server(default)] cursor: String,
) -> Result<AuditPage, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;
    use serde_json::json;

    let path = [path_prefix.as_str(), path_contains.as_str()];
    let mut params = server::filters(&window, &identity, path, &operation, &outcome, &remote_address)?;
    params.insert("limit".into(), json!(PAGE_SIZE.to_string()));
    if !cursor.is_empty() {
        params.insert("cursor".into(), json!(cursor));
    }
    let answer = data_of(call(Read, "sys/audit-log/search", params).await?);
    Ok(page_of(&answer))
}

/// A search answer as a page of rows.
#[cfg(feature = "ssr")]
fn page_of(answer: &serde_json::Map<String, serde_json::Value>) -> AuditPage {
    use serde_json::Value;

    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let rows = answer
        .get("records")
        .and_then(Value::as_array)
        .map(|records| {
            records
                .iter()
                .map(|r| super::dto::AuditRow {
                    time: text(r, "time"),
                    request_id: text(r, "request_id"),
                    operation: text(r, "operation"),
                    path: text(r, "path"),
                    display_name: text(r, "display_name"),
                    remote_address: text(r, "remote_address"),
                    status: r.get("status").and_then(Value::as_u64).map(|s| s as u16),
                    error: text(r, "error"),
                    duration_ms: r.get("duration_ms").and_then(Value::as_f64),
                    entry: r
                        .get("entry")
                        .map(|e| serde_json::to_string_pretty(e).unwrap_or_default())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let next_cursor = answer.get("next_cursor").and_then(Value::as_str).map(str::to_string);
    AuditPage { rows, next_cursor }
}

/// The filtered trail (up to 10,000 entries) as `csv` or `jsonl`, for download.
#[server(prefix = "/ui/api", endpoint = "audit/export")]
#[allow(clippy::too_many_arguments)]
pub async fn export_audit(
    format: String,
    #[server(default)] window: String,
    #[server(default)] identity: String,
    #[server(default)] path_prefix: String,
    #[server(default)] path_contains: String,
    #[server(default)] operation: String,
    #[server(default)] outcome: String,
    #[server(default)] remote_address: String,
) -> Result<String, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;
    use serde_json::json;

    if !matches!(format.as_str(), "csv" | "jsonl") {
        return Err(ConsoleError::invalid("Export as csv or jsonl."));
    }
    let path = [path_prefix.as_str(), path_contains.as_str()];
    let mut params = server::filters(&window, &identity, path, &operation, &outcome, &remote_address)?;
    params.insert("format".into(), json!(format));
    let answer = data_of(call(Read, "sys/audit-log/export", params).await?);
    Ok(answer.get("http_raw_body").and_then(|b| b.as_str()).unwrap_or_default().to_string())
}

#[cfg(feature = "ssr")]
mod server {
    use serde_json::{Map, Value, json};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    use crate::api::client::{call, data_of};
    use crate::api::console::ApiOperation::Read;
    use crate::api::dto::{AuditPage, ReportLine};
    use crate::api::error::ConsoleError;

    /// The API's filter parameters for the viewer's fields; one row per request (its
    /// response entry, which carries the outcome).
    pub fn filters(
        window_name: &str,
        identity: &str,
        [path_prefix, path_contains]: [&str; 2],
        operation: &str,
        outcome: &str,
        remote_address: &str,
    ) -> Result<Map<String, Value>, ConsoleError> {
        let mut params = window(window_name)?;
        params.insert("entry_type".into(), json!("response"));
        for (name, value) in [
            ("identity", identity),
            ("path_prefix", path_prefix),
            ("path_contains", path_contains),
            ("operation", operation),
            ("outcome", outcome),
            ("remote_address", remote_address),
        ] {
            if !value.trim().is_empty() {
                params.insert(name.into(), json!(value.trim()));
            }
        }
        Ok(params)
    }

    /// `since` for a time window (`1h`, `24h`, `7d`, `30d`; empty: all time).
    pub fn window(name: &str) -> Result<Map<String, Value>, ConsoleError> {
        let back = match name {
            "" => None,
            "1h" => Some(time::Duration::hours(1)),
            "24h" => Some(time::Duration::hours(24)),
            "7d" => Some(time::Duration::days(7)),
            "30d" => Some(time::Duration::days(30)),
            other => {
                return Err(ConsoleError::invalid(format!(
                    "\"{other}\" is not a time window: use 1h, 24h, 7d or 30d."
                )));
            }
        };
        let mut params = Map::new();
        if let Some(back) = back {
            let since = (OffsetDateTime::now_utc() - back).format(&Rfc3339).unwrap_or_default();
            params.insert("since".into(), json!(since));
        }
        Ok(params)
    }

    /// A report's rows; `subject` names the field that says who or what.
    pub fn lines(rows: Option<&Value>, subject: &str) -> Vec<ReportLine> {
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let number = |v: &Value, key: &str| v.get(key).and_then(Value::as_u64).unwrap_or_default();
        rows.and_then(Value::as_array)
            .map(|rows| {
                rows.iter()
                    .map(|r| ReportLine {
                        subject: text(r, subject),
                        operations: match r.get("operations").and_then(Value::as_array) {
                            Some(ops) => ops.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
                            None => text(r, "operation"),
                        },
                        count: number(r, "count"),
                        errors: number(r, "errors"),
                        first: text(r, "first"),
                        last: text(r, "last"),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The requests whose entries hold `value`, newest first.
    pub async fn search_value(value: &str, window_name: &str) -> Result<AuditPage, ConsoleError> {
        let mut params = window(window_name)?;
        params.insert("entry_type".into(), json!("response"));
        params.insert("value".into(), json!(value));
        params.insert("limit".into(), json!(super::PAGE_SIZE.to_string()));
        let answer = data_of(call(Read, "sys/audit-log/search", params).await?);
        Ok(super::page_of(&answer))
    }
}

/// "Who accessed this secret": every identity that touched `path` (or anything under it
/// with `prefix` "on") in `window`, with operations, counts and first and last times.
#[server(prefix = "/ui/api", endpoint = "audit/who-accessed")]
pub async fn who_accessed(
    path: String,
    #[server(default)] prefix: String,
    #[server(default)] window: String,
) -> Result<Vec<super::dto::ReportLine>, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;
    use serde_json::json;

    if path.trim().is_empty() {
        return Err(ConsoleError::invalid("Enter the secret's full path, e.g. secret/data/app/db."));
    }
    let mut params = server::window(&window)?;
    params.insert("path".into(), json!(path.trim()));
    params.insert("prefix".into(), json!(prefix == "on"));
    let answer = data_of(call(Read, "sys/audit-log/who-accessed", params).await?);
    Ok(server::lines(answer.get("identities"), "display_name"))
}

/// "What did this identity access": every path `identity` touched in `window`.
#[server(prefix = "/ui/api", endpoint = "audit/accessed-by")]
pub async fn accessed_by(
    identity: String,
    #[server(default)] window: String,
) -> Result<Vec<super::dto::ReportLine>, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;
    use serde_json::json;

    if identity.trim().is_empty() {
        return Err(ConsoleError::invalid("Enter a display name such as userpass-alice, or an entity ID."));
    }
    let mut params = server::window(&window)?;
    params.insert("identity".into(), json!(identity.trim()));
    let answer = data_of(call(Read, "sys/audit-log/accessed-by", params).await?);
    Ok(server::lines(answer.get("paths"), "path"))
}

/// Requests whose entries hold `value` (a secret, a token): found by hashing it with
/// the device's salt on the server; the value itself is never stored or logged.
#[server(prefix = "/ui/api", endpoint = "audit/find-value")]
pub async fn find_value(value: String, #[server(default)] window: String) -> Result<AuditPage, ConsoleError> {
    if value.is_empty() {
        return Err(ConsoleError::invalid("Enter the value to look for."));
    }
    server::search_value(&value, &window).await
}
