//! A search over the trail, and its parsing from API parameters. Everything from outside
//! is checked here, with the parameter named in the message; the backends then bind each
//! value as an SQL parameter, never splice it into the statement.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{EntryType, Outcome, TimeRange};

/// Rows per page unless the query says otherwise.
pub const DEFAULT_LIMIT: u32 = 100;
/// The most rows one page may ask for.
pub const MAX_LIMIT: u32 = 1000;
/// The longest text filter accepted: longer than any path or name the server makes.
const MAX_PARAM_LEN: usize = 4096;

/// Filters (all optional, AND-ed) and paging. Results come newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditQuery {
    pub range: TimeRange,
    /// Paths starting with this, taken literally (no wildcards).
    pub path_prefix: Option<String>,
    /// Request paths containing this text anywhere (free text on the path).
    pub path_contains: Option<String>,
    /// The mount point exactly, `secret/`.
    pub mount: Option<String>,
    pub operation: Option<String>,
    /// A display name or an entity ID.
    pub identity: Option<String>,
    pub token_accessor: Option<String>,
    pub remote_address: Option<String>,
    pub outcome: Option<Outcome>,
    pub entry_type: Option<EntryType>,
    /// Entries containing this text: a value's hash, which the API works out (never a
    /// request parameter, so never a value in clear).
    pub contains: Option<String>,
    /// Rows per page, 1 to `MAX_LIMIT` (out-of-range values are clamped).
    pub limit: u32,
    /// Continue after the page that handed this out.
    pub cursor: Option<Cursor>,
}

impl Default for AuditQuery {
    fn default() -> Self {
        AuditQuery {
            range: TimeRange::default(),
            path_prefix: None,
            path_contains: None,
            mount: None,
            operation: None,
            identity: None,
            token_accessor: None,
            remote_address: None,
            outcome: None,
            entry_type: None,
            contains: None,
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

/// The parameters `from_params` knows.
const PARAMS: &[&str] = &[
    "since",
    "until",
    "path_prefix",
    "path_contains",
    "mount",
    "operation",
    "identity",
    "token_accessor",
    "remote_address",
    "outcome",
    "entry_type",
    "limit",
    "cursor",
];

impl AuditQuery {
    /// A query from API parameters: strings (times in RFC 3339; `limit` may also be a
    /// number). Absent, null and empty parameters are not filters. Anything unknown or
    /// malformed is refused with a message naming the parameter.
    pub fn from_params(params: &Map<String, Value>) -> Result<AuditQuery, String> {
        let mut query = AuditQuery::default();
        for (name, value) in params {
            if name == "limit" {
                if let Some(limit) = parse_limit(value)? {
                    query.limit = limit;
                }
                continue;
            }
            if !PARAMS.contains(&name.as_str()) {
                return Err(unknown(name));
            }
            let Some(text) = text_param(name, value)? else { continue };
            match name.as_str() {
                "since" => query.range.since = Some(parse_time(name, &text)?),
                "until" => query.range.until = Some(parse_time(name, &text)?),
                "path_prefix" => query.path_prefix = Some(text),
                "path_contains" => query.path_contains = Some(text),
                "mount" => query.mount = Some(text),
                "operation" => query.operation = Some(text),
                "identity" => query.identity = Some(text),
                "token_accessor" => query.token_accessor = Some(text),
                "remote_address" => query.remote_address = Some(text),
                "outcome" => query.outcome = Some(parse_outcome(&text)?),
                "entry_type" => {
                    let kind = EntryType::parse(&text);
                    query.entry_type = Some(kind.ok_or("entry_type must be \"request\" or \"response\"")?);
                }
                "cursor" => query.cursor = Some(Cursor::parse(&text).map_err(|e| format!("cursor: {e}"))?),
                _ => return Err(unknown(name)),
            }
        }
        if let (Some(since), Some(until)) = (query.range.since, query.range.until)
            && since >= until
        {
            return Err("since must be before until".into());
        }
        Ok(query)
    }

    /// The page size to use: `limit` clamped to 1..=`MAX_LIMIT`.
    pub fn page_size(&self) -> u32 {
        self.limit.clamp(1, MAX_LIMIT)
    }
}

fn unknown(name: &str) -> String {
    format!("unknown parameter {name:?}; known parameters: {}", PARAMS.join(", "))
}

/// A string parameter; `None` when null or empty.
fn text_param(name: &str, value: &Value) -> Result<Option<String>, String> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s,
        _ => return Err(format!("{name} must be a string")),
    };
    if text.len() > MAX_PARAM_LEN {
        return Err(format!("{name} is longer than {MAX_PARAM_LEN} bytes"));
    }
    // PostgreSQL text cannot hold NUL, and no stored value has one.
    if text.contains('\0') {
        return Err(format!("{name} must not contain NUL"));
    }
    Ok((!text.is_empty()).then(|| text.clone()))
}

fn parse_time(name: &str, text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| format!("{name} must be an RFC 3339 time such as 2026-01-31T12:00:00Z, not {text:?}"))
}

fn parse_limit(value: &Value) -> Result<Option<u32>, String> {
    let out_of_range = || format!("limit must be a whole number from 1 to {MAX_LIMIT}");
    let limit = match value {
        Value::Null => return Ok(None),
        Value::String(s) if s.is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<u64>().map_err(|_| out_of_range())?,
        Value::Number(n) => n.as_u64().ok_or_else(out_of_range)?,
        _ => return Err(out_of_range()),
    };
    match u32::try_from(limit) {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(Some(limit)),
        _ => Err(out_of_range()),
    }
}

fn parse_outcome(text: &str) -> Result<Outcome, String> {
    match text {
        "success" => Ok(Outcome::Success),
        "error" => Ok(Outcome::Error),
        _ => Err(format!("outcome must be \"success\" or \"error\", not {text:?}")),
    }
}

/// Where a page ended: the last row's (time, id). Pages are read by keyset, so rows
/// inserted meanwhile neither shift nor repeat the rows that follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub(super) time_us: i64,
    pub(super) id: i64,
}

/// Marks the cursor format, so a future one can be told apart.
const CURSOR_VERSION: &str = "v1";

impl Cursor {
    /// Parse a cursor a page handed out.
    pub fn parse(text: &str) -> Result<Cursor, String> {
        let invalid = || "not a cursor from a previous page".to_string();
        if text.len() > 64 {
            return Err(invalid());
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let decoded = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = decoded.split(':');
        let (Some(CURSOR_VERSION), Some(time), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let time_us = time.parse().map_err(|_| invalid())?;
        let id = id.parse().map_err(|_| invalid())?;
        Ok(Cursor { time_us, id })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plain = format!("{CURSOR_VERSION}:{}:{}", self.time_us, self.id);
        f.write_str(&URL_SAFE_NO_PAD.encode(plain))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    fn parse(params: Value) -> Result<AuditQuery, String> {
        match params {
            Value::Object(map) => AuditQuery::from_params(&map),
            _ => Err("test params must be an object".into()),
        }
    }

    /// The parse fails, naming `param`.
    fn refused(params: Value, param: &str) {
        let err = parse(params.clone()).expect_err(&params.to_string());
        assert!(err.contains(param), "{params} -> {err}");
    }

    #[test]
    fn parses_every_parameter() {
        let cursor = Cursor { time_us: 1_700_000_000_000_000, id: 42 };
        let query = parse(json!({
            "since": "2026-01-01T00:00:00Z",
            "until": "2026-01-02T00:00:00+01:00",
            "path_prefix": "secret/data/",
            "mount": "secret/",
            "operation": "read",
            "identity": "alice",
            "path_contains": "stripe",
            "token_accessor": "hmac-sha256:x",
            "remote_address": "10.0.0.1",
            "outcome": "error",
            "entry_type": "response",
            "limit": "250",
            "cursor": cursor.to_string(),
        }))
        .unwrap();
        assert_eq!(
            query,
            AuditQuery {
                range: TimeRange {
                    since: Some(datetime!(2026-01-01 00:00:00 UTC)),
                    until: Some(datetime!(2026-01-01 23:00:00 UTC)),
                },
                path_prefix: Some("secret/data/".into()),
                path_contains: Some("stripe".into()),
                mount: Some("secret/".into()),
                operation: Some("read".into()),
                identity: Some("alice".into()),
                token_accessor: Some("hmac-sha256:x".into()),
                remote_address: Some("10.0.0.1".into()),
                outcome: Some(Outcome::Error),
                entry_type: Some(EntryType::Response),
                contains: None,
                limit: 250,
                cursor: Some(cursor),
            }
        );
        assert_eq!(parse(json!({"limit": 1000})).unwrap().limit, 1000);
        assert_eq!(parse(json!({"outcome": "success"})).unwrap().outcome, Some(Outcome::Success));
    }

    #[test]
    fn absent_null_and_empty_are_no_filter() {
        assert_eq!(parse(json!({})).unwrap(), AuditQuery::default());
        let blank = parse(json!({"identity": "", "since": null, "limit": "", "cursor": "", "outcome": ""})).unwrap();
        assert_eq!(blank, AuditQuery::default());
        assert_eq!(AuditQuery::default().page_size(), DEFAULT_LIMIT);
        assert_eq!(AuditQuery { limit: 0, ..AuditQuery::default() }.page_size(), 1);
        assert_eq!(AuditQuery { limit: 5000, ..AuditQuery::default() }.page_size(), MAX_LIMIT);
    }

    #[test]
    fn refuses_each_bad_parameter_by_name() {
        refused(json!({"pathh": "x"}), "\"pathh\"");
        refused(json!({"since": "yesterday"}), "since");
        refused(json!({"since": "2026-01-01"}), "since");
        refused(json!({"until": "2026-13-01T00:00:00Z"}), "until");
        refused(
            json!({"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}),
            "since must be before until",
        );
        refused(json!({"since": "2026-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}), "before until");
        for limit in [json!(0), json!(1001), json!(-1), json!(1.5), json!("ten"), json!(true), json!("99999999999")] {
            refused(json!({ "limit": limit }), "limit");
        }
        refused(json!({"outcome": "maybe"}), "outcome");
        refused(json!({"entry_type": "both"}), "entry_type");
        refused(json!({"cursor": "not a cursor!"}), "cursor");
        refused(json!({"cursor": URL_SAFE_NO_PAD.encode("v1:x:1")}), "cursor");
        refused(json!({"cursor": URL_SAFE_NO_PAD.encode("v2:1:1")}), "cursor");
        refused(json!({"cursor": URL_SAFE_NO_PAD.encode("v1:1:1:1")}), "cursor");
        refused(json!({"cursor": "A".repeat(100)}), "cursor");
        refused(json!({"path_prefix": 5}), "path_prefix must be a string");
        refused(json!({"identity": ["alice"]}), "identity");
        refused(json!({"identity": "a\u{0}b"}), "identity");
        refused(json!({"mount": "m".repeat(MAX_PARAM_LEN + 1)}), "mount");
    }

    #[test]
    fn cursors_round_trip() {
        for cursor in [Cursor { time_us: 0, id: 0 }, Cursor { time_us: -5, id: i64::MAX }] {
            assert_eq!(Cursor::parse(&cursor.to_string()), Ok(cursor));
        }
    }
}
