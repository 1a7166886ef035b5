//! KV version 2: versioned secrets with metadata, check-and-set, soft delete, undelete,
//! destroy, version trimming and automatic deletion, laid out as OpenBao's `kv` plugin
//! serves them (`config`, `data/`, `metadata/`, `detailed-metadata/`, `delete/`,
//! `undelete/`, `destroy/`, `subkeys/`).
//!
//! Invariants: every read-modify-write of a key (data write, patch, delete, metadata
//! change, version delete/undelete/destroy) holds that key's lock, so check-and-set
//! admits exactly one writer per version. Reads take no lock; a version that vanishes
//! between reading its metadata and its data (trimmed or destroyed by a writer) is
//! looked up again. Every other path answers 404 with a warning saying where to go, as
//! OpenBao does.

mod config;
mod custom_metadata;
mod data;
mod metadata;
mod store;
mod subkeys;
mod upgrade;
mod versions;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::OnceCell;

use super::Clock;
use crate::framework::{Field, FieldData, Framework, Path};
use crate::logical::{BackendConfig, Error, KeyLocks, Operation, Request, Response, Result};
use store::Store;

pub struct KvV2 {
    store: Store,
    locks: KeyLocks,
    clock: Clock,
    /// Set once any KV v1 entries of this mount have become versions.
    upgraded: OnceCell<()>,
}

pub(super) fn backend(config: BackendConfig, clock: Clock) -> (Arc<KvV2>, Framework<KvV2>) {
    let engine = Arc::new(KvV2 {
        store: Store::new(config.storage),
        locks: KeyLocks::default(),
        clock,
        upgraded: OnceCell::new(),
    });
    (engine.clone(), Framework::new(engine, paths()).help(BACKEND_HELP))
}

fn paths() -> Vec<Path<KvV2>> {
    let mut paths = Vec::new();
    paths.extend(config::paths());
    paths.extend(data::paths());
    paths.extend(metadata::paths());
    paths.extend(versions::paths());
    paths.extend(subkeys::paths());
    // The roots themselves (`GET secret/data`): only listing `metadata/` means anything.
    for root in ["data", "metadata", "delete", "undelete", "destroy"] {
        paths.push(every_operation(Path::new(root), KvV2::root_warning).help(ROOT_SYNOPSIS, ""));
    }
    paths.push(every_operation(Path::new("{path?*}"), KvV2::invalid_path).help(INVALID_SYNOPSIS, INVALID_DESCRIPTION));
    paths
}

fn every_operation<H>(path: Path<KvV2>, handler: H) -> Path<KvV2>
where
    H: crate::framework::Handler<KvV2> + Clone,
{
    [Operation::Read, Operation::Update, Operation::Patch, Operation::Delete, Operation::List]
        .into_iter()
        .fold(path, |path, op| path.on(op, handler.clone()))
}

/// The `path` field every key path declares.
fn path_field() -> Field {
    Field::string("path", "Location of the secret.")
}

impl KvV2 {
    fn now(&self) -> i64 {
        (self.clock)()
    }

    async fn root_warning(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let warning = "Non-listing operations on the root of a K/V v2 mount are not supported.";
        Ok(Some(Response::warnings(vec![warning.into()]).with_status(404)))
    }

    async fn invalid_path(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let command = match req.operation {
            Operation::Create | Operation::Update => "put",
            Operation::Patch => "patch",
            Operation::List | Operation::Scan => "list",
            Operation::Delete => "delete",
            Operation::Read | Operation::Help => "get",
        };
        let warning = format!(
            "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints \
             to use. If using the OpenBao CLI, use 'bao kv {command}' for this operation."
        );
        Ok(Some(Response::warnings(vec![warning]).with_status(404)))
    }
}

/// 404 with no body: a PATCH of a key (or current version) that does not exist.
fn not_found() -> Response {
    Response::default().with_status(404)
}

/// `options.cas` of a data write or patch: Go's weak decoding into an int (`"1"` and
/// `1` alike, null as 0), compared wide so a negative never matches.
fn parse_cas(value: &Value) -> Result<i128> {
    let fail = || Error::invalid("error parsing check-and-set parameter");
    match value {
        Value::Null => Ok(0),
        Value::Bool(b) => Ok(i128::from(*b)),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Ok(i128::from(i)),
            (_, Some(u), _) => Ok(i128::from(u)),
            (_, _, Some(f)) if f.is_finite() && f.abs() < 1e30 => Ok(f.trunc() as i128),
            _ => Err(fail()),
        },
        Value::String(s) if s.trim().is_empty() => Ok(0),
        Value::String(s) => s.trim().parse::<i128>().map_err(|_| fail()),
        _ => Err(fail()),
    }
}

const BACKEND_HELP: &str = "The kv backend (version 2) stores versioned key/value secrets. Each write creates a \
new version; versions can be read, soft-deleted, undeleted and destroyed, and each key carries metadata (settings \
and custom metadata). Everything is encrypted by the barrier before it is stored.";

const ROOT_SYNOPSIS: &str = "The root of a K/V v2 path group: only LIST metadata/ is supported here.";

const INVALID_SYNOPSIS: &str = "Not a K/V v2 path.";

const INVALID_DESCRIPTION: &str = r#"
K/V v2 paths are config, data/<path>, metadata/<path>, detailed-metadata/<path>,
delete/<path>, undelete/<path>, destroy/<path> and subkeys/<path>. Every other path
answers 404 with a warning naming the `bao kv` command to use instead.
"#;

#[cfg(test)]
mod unit {
    use serde_json::json;

    use super::*;

    #[test]
    fn cas_decodes_weakly() {
        for (value, expected) in [
            (json!(1), 1),
            (json!("1"), 1),
            (json!(" 2 "), 2),
            (json!(null), 0),
            (json!(""), 0),
            (json!(-1), -1),
            (json!(true), 1),
            (json!(2.9), 2),
            (json!(u64::MAX), i128::from(u64::MAX)),
        ] {
            assert_eq!(parse_cas(&value).unwrap(), expected, "{value}");
        }
        for bad in [json!("x"), json!([1]), json!({"a": 1}), json!(1e300)] {
            assert_eq!(parse_cas(&bad).unwrap_err().to_string(), "error parsing check-and-set parameter");
        }
    }
}
