//! The audit trail viewer: a filtered, paged view of the database audit device through
//! `sys/audit-log/*` (so only for users whose policies grant it, with `sudo`), and
//! export of the same filter as CSV or JSON lines.

use leptos::prelude::*;

use super::dto::AuditPage;
use super::error::ConsoleError;

/// Rows per page.
pub const PAGE_SIZE: u32 = 50;

/// One page of response entries, newest first, matching the filters (all optional):
/// `window` `1h`, `24h`, `7d` or `30d` back from now; `cursor` from the previous page.
#[server(prefix = "/ui/api", endpoint = "audit/search")]
#[allow(clippy::too_many_arguments)]
pub async fn search_audit(
    #[server(default)] window: String,
    #[server(default)] identity: String,
    #[server(default)] path_prefix: String,
    #[server(default)] operation: String,
    #[server(default)] outcome: String,
    #[server(default)] remote_address: String,
    #[server(default)] cursor: String,
) -> Result<AuditPage, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;
    use serde_json::{Value, json};

    let mut params = server::filters(&window, &identity, &path_prefix, &operation, &outcome, &remote_address)?;
    params.insert("limit".into(), json!(PAGE_SIZE.to_string()));
    if !cursor.is_empty() {
        params.insert("cursor".into(), json!(cursor));
    }
    let answer = data_of(call(Read, "sys/audit-log/search", params).await?);
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
    Ok(AuditPage { rows, next_cursor })
}

/// The filtered trail (up to 10,000 entries) as `csv` or `jsonl`, for download.
#[server(prefix = "/ui/api", endpoint = "audit/export")]
#[allow(clippy::too_many_arguments)]
pub async fn export_audit(
    format: String,
    #[server(default)] window: String,
    #[server(default)] identity: String,
    #[server(default)] path_prefix: String,
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
    let mut params = server::filters(&window, &identity, &path_prefix, &operation, &outcome, &remote_address)?;
    params.insert("format".into(), json!(format));
    let answer = data_of(call(Read, "sys/audit-log/export", params).await?);
    Ok(answer.get("http_raw_body").and_then(|b| b.as_str()).unwrap_or_default().to_string())
}

#[cfg(feature = "ssr")]
mod server {
    use serde_json::{Map, Value, json};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    use crate::api::error::ConsoleError;

    /// The API's filter parameters for the viewer's fields; one row per request (its
    /// response entry, which carries the outcome).
    pub fn filters(
        window: &str,
        identity: &str,
        path_prefix: &str,
        operation: &str,
        outcome: &str,
        remote_address: &str,
    ) -> Result<Map<String, Value>, ConsoleError> {
        let mut params = Map::new();
        params.insert("entry_type".into(), json!("response"));
        let back = match window {
            "" => None,
            "1h" => Some(time::Duration::hours(1)),
            "24h" => Some(time::Duration::hours(24)),
            "7d" => Some(time::Duration::days(7)),
            "30d" => Some(time::Duration::days(30)),
            other => {
                return Err(ConsoleError::invalid(format!("\"{other}\" is not a time window: use 1h, 24h, 7d or 30d.")));
            }
        };
        if let Some(back) = back {
            let since = (OffsetDateTime::now_utc() - back).format(&Rfc3339).unwrap_or_default();
            params.insert("since".into(), json!(since));
        }
        for (name, value) in [
            ("identity", identity),
            ("path_prefix", path_prefix),
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
}
