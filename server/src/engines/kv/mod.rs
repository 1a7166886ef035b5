//! The KV secrets engine (Vault's `kv` type), versions 1 and 2.
//!
//! `factory` picks the version from the mount's `version` option: absent, `""` or `"1"`
//! is the unversioned passthrough store ([`v1`]), `"2"` the versioned store ([`v2`]);
//! any other value refuses the mount.
//!
//! Storage layout, all inside the mount's barrier-encrypted view:
//! - `v1/<path>`: a KV v1 secret, the JSON object as written.
//! - `config`: KV v2 mount settings (JSON).
//! - `metadata/<path>`: KV v2 key metadata (JSON): the key's settings, its custom
//!   metadata and the map of retained versions. A LIST is one storage list of this prefix.
//! - `versions/<sha256(path)>/<n>`: the data of version `n` (JSON). Hashing gives every
//!   key a folder of its own, so `a` and `a/1` never share entries and a key's versions
//!   can be swept whatever its name.
//!
//! Invariants: a version's data is written before the metadata that names it, and
//! metadata is deleted before its versions, so a crash can leave unreferenced version
//! data (swept when the key is deleted) but never metadata naming missing data. Every
//! read-modify-write of one key holds that key's lock. A v2 mount first moves any `v1/`
//! entries (a v1 mount tuned to version 2) into version 1 of each key.

mod v1;
mod v2;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use time::OffsetDateTime;

use crate::framework::{Backend, Framework, SpecialPaths, parse_duration_seconds};
use crate::logical::{BackendConfig, Error, Operation, Request, Response, Result};

/// Where KV v1 keeps its entries; a v2 mount migrates them from here.
const V1_PREFIX: &str = "v1/";

/// Unix time in nanoseconds. Injectable so tests can move time.
type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

fn system_clock() -> Clock {
    Arc::new(|| i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos()).unwrap_or(i64::MAX))
}

/// Build one mounted KV engine.
pub fn factory(config: BackendConfig) -> Result<Arc<dyn Backend>, Error> {
    build(config, system_clock())
}

fn build(config: BackendConfig, clock: Clock) -> Result<Arc<dyn Backend>, Error> {
    let version = config.mount.options.get("version").map(String::as_str).unwrap_or("");
    match version {
        "" | "1" => Ok(Arc::new(KvBackend::V1(v1::backend(config)))),
        "2" => {
            let (engine, framework) = v2::backend(config, clock);
            Ok(Arc::new(KvBackend::V2(engine, framework)))
        }
        other => {
            Err(Error::invalid(format!("invalid KV version {other:?}: the version option must be \"1\" or \"2\"")))
        }
    }
}

/// The path table of either version, plus the two things a table cannot say.
enum KvBackend {
    V1(Framework<v1::KvV1>),
    V2(Arc<v2::KvV2>, Framework<v2::KvV2>),
}

#[async_trait]
impl Backend for KvBackend {
    async fn handle(&self, mut req: Request) -> Result<Option<Response>> {
        // A LIST names a folder: Vault's HTTP layer turns `LIST secret/metadata` into
        // `metadata/`, and clients rely on it.
        if req.operation == Operation::List && !req.path.is_empty() && !req.path.ends_with('/') {
            req.path.push('/');
        }
        match self {
            KvBackend::V1(framework) => {
                if matches!(req.operation, Operation::Create | Operation::Update) {
                    v1::box_body(&mut req);
                }
                framework.handle(req).await
            }
            KvBackend::V2(engine, framework) => {
                engine.ensure_upgraded().await?;
                framework.handle(req).await
            }
        }
    }

    fn special_paths(&self) -> &SpecialPaths {
        match self {
            KvBackend::V1(framework) => Backend::special_paths(framework),
            KvBackend::V2(_, framework) => Backend::special_paths(framework),
        }
    }

    /// The table of whichever version is mounted, so OpenAPI documents KV mounts too.
    fn path_docs(&self) -> Vec<crate::framework::openapi::PathDoc> {
        match self {
            KvBackend::V1(framework) => framework.path_docs(),
            KvBackend::V2(_, framework) => framework.path_docs(),
        }
    }

    async fn exists(&self, req: &Request) -> Result<Option<bool>> {
        match self {
            KvBackend::V1(framework) => framework.exists(req).await,
            KvBackend::V2(engine, framework) => {
                engine.ensure_upgraded().await?;
                framework.exists(req).await
            }
        }
    }
}

/// A key that can name a stored entry: storage keys are non-empty, never end in `/`
/// (that is a folder) and hold no NUL.
fn is_entry_key(key: &str) -> bool {
    !key.is_empty() && !key.ends_with('/') && !key.contains('\0')
}

/// The longest key a write accepts, in bytes. Storage keys index a database column
/// (PostgreSQL's B-tree refuses entries over about 2.7 KB), so a longer key would fail
/// there as a server error; this makes it a clear 400 instead.
const MAX_KEY_BYTES: usize = 2048;

/// The 400 for a write to something that cannot be an entry.
fn check_writable(key: &str) -> Result<()> {
    if key.contains('\0') {
        return Err(Error::invalid("keys may not contain NUL characters"));
    }
    if !is_entry_key(key) {
        return Err(Error::invalid("cannot write to a path ending in '/'"));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(Error::invalid(format!("the key is {} bytes long; the limit is {MAX_KEY_BYTES}", key.len())));
    }
    Ok(())
}

/// A storage folder for a LIST of `path`: `""` is the root, anything else ends in `/`.
fn folder(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') { path.to_string() } else { format!("{path}/") }
}

/// Go's `time.RFC3339Nano` in UTC: the fraction loses trailing zeros, and goes when zero.
fn format_time(nanos: i64) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)) else {
        return String::new();
    };
    let fraction = match t.nanosecond() {
        0 => String::new(),
        n => format!(".{n:09}").trim_end_matches('0').to_string(),
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Go's `Duration.String()` for whole seconds: `0s`, `45s`, `2m3s`, `1h0m0s`, `-1s`.
fn go_duration(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let abs = secs.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs % 3600 / 60, abs % 60);
    match (h, m) {
        (0, 0) => format!("{sign}{s}s"),
        (0, _) => format!("{sign}{m}m{s}s"),
        _ => format!("{sign}{h}h{m}m{s}s"),
    }
}

/// The longest duration Go can represent (about 292 years), so stored durations always
/// fit in nanoseconds.
const MAX_DURATION_SECS: i64 = i64::MAX / 1_000_000_000;

/// A signed duration in seconds from `3600`, `"3600"`, `"1h"` or `"-1s"`. `Ok(None)`
/// for null (treated as not sent).
fn parse_signed_duration(field: &str, value: &Value) -> Result<Option<i64>> {
    let fail = |why: String| Error::invalid(format!("error converting input for field {field:?}: {why}"));
    let secs: i64 = match value {
        Value::Null => return Ok(None),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i,
            (None, Some(f)) if f.is_finite() && f.abs() < MAX_DURATION_SECS as f64 => f.trunc() as i64,
            _ => return Err(fail(format!("{n} is out of range"))),
        },
        Value::String(s) => {
            let s = s.trim();
            let (negative, unsigned) = match s.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, s.strip_prefix('+').unwrap_or(s)),
            };
            let secs = parse_duration_seconds(unsigned).map_err(|e| fail(format!("time: {e}")))?;
            let secs = i64::try_from(secs).map_err(|_| fail(format!("{s:?} is out of range")))?;
            if negative { -secs } else { secs }
        }
        other => return Err(fail(format!("expected a duration, got {other}"))),
    };
    if secs.unsigned_abs() > MAX_DURATION_SECS.unsigned_abs() {
        return Err(fail(format!("{secs}s is longer than the longest duration ({MAX_DURATION_SECS}s)")));
    }
    Ok(Some(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_render_like_go_rfc3339nano() {
        // 2026-11-25T03:55:56.29593961Z
        let base = 1_795_578_956i64 * 1_000_000_000;
        assert_eq!(format_time(base + 295_939_610), "2026-11-25T03:55:56.29593961Z");
        assert_eq!(format_time(base), "2026-11-25T03:55:56Z");
        assert_eq!(format_time(base + 1), "2026-11-25T03:55:56.000000001Z");
        assert_eq!(format_time(base + 500_000_000), "2026-11-25T03:55:56.5Z");
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(i64::MAX), "2262-04-11T23:47:16.854775807Z");
    }

    #[test]
    fn durations_render_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(2), "2s");
        assert_eq!(go_duration(123), "2m3s");
        assert_eq!(go_duration(3600), "1h0m0s");
        assert_eq!(go_duration(90061), "25h1m1s");
        assert_eq!(go_duration(-1), "-1s");
        assert_eq!(go_duration(i64::MIN), "-2562047788015215h30m8s");
    }

    #[test]
    fn signed_durations_parse_with_vaults_tolerances() {
        let p = |v: Value| parse_signed_duration("dva", &v);
        assert_eq!(p(json!(3600)).unwrap(), Some(3600));
        assert_eq!(p(json!("3600")).unwrap(), Some(3600));
        assert_eq!(p(json!("1h0m0s")).unwrap(), Some(3600));
        assert_eq!(p(json!("-1s")).unwrap(), Some(-1));
        assert_eq!(p(json!("-1")).unwrap(), Some(-1));
        assert_eq!(p(json!(-5)).unwrap(), Some(-5));
        assert_eq!(p(json!(1.9)).unwrap(), Some(1));
        assert_eq!(p(json!("")).unwrap(), Some(0));
        assert_eq!(p(json!(null)).unwrap(), None);
        let err = p(json!("abc")).unwrap_err().to_string();
        assert!(err.starts_with("error converting input for field \"dva\": time: invalid duration"), "{err}");
        assert!(p(json!(true)).is_err());
        assert!(p(json!([1])).is_err());
        assert!(p(json!(1e300)).is_err());
        assert!(p(json!("999999999999h")).is_err());
        assert!(p(json!(i64::MAX)).is_err());
    }

    #[test]
    fn keys_and_folders() {
        assert!(is_entry_key("a/b c/ключ"));
        assert!(!is_entry_key("") && !is_entry_key("a/") && !is_entry_key("a\0b"));
        assert_eq!(check_writable("a/").unwrap_err().to_string(), "cannot write to a path ending in '/'");
        assert!(check_writable(&"ключ".repeat(256)).is_ok(), "2048 bytes");
        let err = check_writable(&"k".repeat(2049)).unwrap_err().to_string();
        assert_eq!(err, "the key is 2049 bytes long; the limit is 2048");
        assert_eq!(folder(""), "");
        assert_eq!(folder("a"), "a/");
        assert_eq!(folder("a/"), "a/");
    }

    #[test]
    fn the_version_option_picks_the_engine() {
        for ok in [&[][..], &[("version", "1")][..], &[("version", "")][..], &[("version", "2")][..]] {
            assert!(factory(BackendConfig::for_tests(ok)).is_ok());
        }
        let err = factory(BackendConfig::for_tests(&[("version", "3")])).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("invalid KV version \"3\": the version option must be \"1\" or \"2\""));
    }
}
