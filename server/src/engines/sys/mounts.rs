//! `sys/mounts`, `sys/auth`, their `/tune`, and `sys/remount`: enabling, listing,
//! tuning and moving secret engines and auth methods.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::SystemBackend;
use crate::core::mounts::{MountConfig, MountRequest, Table, TuneRequest};
use crate::framework::{Field, FieldData, Path, parse_duration_seconds};
use crate::logical::{Error, Operation, Request, Response, Result};

fn table_of(req: &Request) -> Table {
    if req.path.starts_with("auth") { Table::Auth } else { Table::Secret }
}

/// The table and mount path a tune request names. `sys/mounts/auth/<path>/tune` is an
/// auth method's (the CLI's `bao auth tune` sends exactly that), as in OpenBao.
fn tune_target(req: &Request, d: &FieldData) -> Result<(Table, String)> {
    let path = d.string("path")?;
    match (table_of(req), path.strip_prefix("auth/")) {
        (Table::Secret, Some(rest)) if !rest.is_empty() => Ok((Table::Auth, rest.to_string())),
        (table, _) => Ok((table, path)),
    }
}

/// What `table` calls a missing mount (Terraform matches these words).
fn missing(table: Table, path: &str) -> Error {
    match table {
        Table::Secret => Error::invalid(format!("No secret engine mount at {path}")),
        Table::Auth => Error::invalid(format!("No auth engine at {path}")),
    }
}

/// A TTL given as seconds or a duration string; `what` names it in errors.
fn ttl_value(value: &Value, what: &str) -> Result<u64> {
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(|| Error::invalid(format!("{what} must not be negative"))),
        Value::String(s) if s.is_empty() || s == "system" => Ok(0),
        Value::String(s) => parse_duration_seconds(s)
            .map_err(|_| Error::invalid(format!("unable to parse {what} of {s}: time: invalid duration {s:?}"))),
        Value::Null => Ok(0),
        _ => Err(Error::invalid(format!("{what} must be a duration"))),
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(Value::String(s)) => s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect(),
        _ => vec![],
    }
}

/// `options` as Vault stores them: every value a string (`{"version": 2}` → `"2"`).
pub(super) fn options(value: Option<Value>) -> Result<Option<BTreeMap<String, String>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(
            map.into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k, text)
                })
                .collect(),
        )),
        // Like OpenBao's TypeKVPairs, "k=v" strings also do (`bao write sys/mounts/x
        // type=kv options=version=2` sends one).
        Some(Value::String(pair)) => kv_pairs(&[Value::String(pair)]).map(Some),
        Some(Value::Array(pairs)) => kv_pairs(&pairs).map(Some),
        Some(_) => Err(Error::invalid("options must be a map of strings")),
    }
}

fn kv_pairs(pairs: &[Value]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (index, pair) in pairs.iter().enumerate() {
        match pair.as_str().and_then(|text| text.split_once('=')) {
            Some((key, value)) if !key.is_empty() => {
                out.insert(key.to_string(), value.to_string());
            }
            _ => {
                return Err(Error::invalid(format!(
                    "Field validation failed: error converting input for field \"options\": invalid key pair at index {index} in field \"options\""
                )));
            }
        }
    }
    Ok(out)
}

/// The `config` object of an enable request.
fn mount_config(value: Option<Value>) -> Result<MountConfig> {
    let map = match value {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(Error::invalid("config must be a map")),
    };
    Ok(MountConfig {
        default_lease_ttl: map.get("default_lease_ttl").map(|v| ttl_value(v, "default TTL")).transpose()?.unwrap_or(0),
        max_lease_ttl: map.get("max_lease_ttl").map(|v| ttl_value(v, "max TTL")).transpose()?.unwrap_or(0),
        force_no_cache: map.get("force_no_cache").and_then(Value::as_bool).unwrap_or(false),
        audit_non_hmac_request_keys: string_list(map.get("audit_non_hmac_request_keys")),
        audit_non_hmac_response_keys: string_list(map.get("audit_non_hmac_response_keys")),
        listing_visibility: map.get("listing_visibility").and_then(Value::as_str).unwrap_or_default().to_string(),
        passthrough_request_headers: string_list(map.get("passthrough_request_headers")),
        allowed_response_headers: string_list(map.get("allowed_response_headers")),
        token_type: map.get("token_type").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string),
    })
}

impl SystemBackend {
    async fn list_mounts(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let table = table_of(&req);
        let core = self.core()?;
        let mounts = core.unsealed()?.router().table(table);
        let data: Map<String, Value> = mounts.entries.iter().map(|e| (e.path.clone(), e.to_json(table))).collect();
        Ok(Some(Response { data: Some(data), ..Default::default() }.legacy()))
    }

    async fn read_mount(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let (table, path) = tune_target(&req, &d)?;
        let path = crate::core::mounts::as_mount_path(&path);
        let mounts = self.core()?.unsealed()?.router().table(table);
        let entry = mounts.find_prefix(&path).ok_or_else(|| missing(table, &path))?;
        Ok(Some(Response::data(entry.to_json(table)).legacy()))
    }

    async fn enable(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let table = table_of(&req);
        let kind = d.string("type")?;
        self.core()?
            .mount(MountRequest {
                table,
                path: d.string("path")?,
                kind,
                description: d.string("description")?,
                config: mount_config(d.get("config")?)?,
                // As in OpenBao: no `options` at all is an empty map, an explicit null stays
                // null (hvac's auth enable omits it and reads back `{}`; the CLI sends null).
                options: match d.get("options")? {
                    None => Some(BTreeMap::new()),
                    given => options(given)?,
                },
                local: d.bool("local")?,
                seal_wrap: d.bool("seal_wrap")?,
                external_entropy_access: d.bool("external_entropy_access")?,
                plugin_version: d.string("plugin_version")?,
            })
            .await?;
        Ok(None)
    }

    async fn disable(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        self.core()?.unmount(table_of(&req), &d.string("path")?).await?;
        Ok(None)
    }

    async fn read_tune(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let (table, path) = tune_target(&req, &d)?;
        let path = crate::core::mounts::as_mount_path(&path);
        let mounts = self.core()?.unsealed()?.router().table(table);
        let entry = mounts
            .find(&path)
            .ok_or_else(|| Error::invalid(format!("cannot fetch sysview for path {:?}", table.route_prefix(&path))))?;
        let mut data = entry.tune_json();
        if table == Table::Auth && !data.contains_key("token_type") {
            data.insert("token_type".into(), json!("default-service"));
        }
        Ok(Some(Response { data: Some(data), ..Default::default() }.legacy()))
    }

    async fn write_tune(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let (table, path) = tune_target(&req, &d)?;
        // An empty TTL leaves it as it is (the Go client always sends both, "" when unset);
        // "system" resets it.
        let ttl = |name: &str, what: &str| -> Result<Option<u64>> {
            d.get(name)?.filter(|v| !v.is_null() && v.as_str() != Some("")).map(|v| ttl_value(&v, what)).transpose()
        };
        let list = |name: &str| -> Result<Option<Vec<String>>> { Ok(d.get(name)?.map(|v| string_list(Some(&v)))) };
        let tune = TuneRequest {
            default_lease_ttl: ttl("default_lease_ttl", "default TTL")?,
            max_lease_ttl: ttl("max_lease_ttl", "max TTL")?,
            description: d.opt_string("description")?,
            options: options(d.get("options")?)?,
            listing_visibility: d.opt_string("listing_visibility")?,
            passthrough_request_headers: list("passthrough_request_headers")?,
            allowed_response_headers: list("allowed_response_headers")?,
            audit_non_hmac_request_keys: list("audit_non_hmac_request_keys")?,
            audit_non_hmac_response_keys: list("audit_non_hmac_response_keys")?,
            token_type: d.opt_string("token_type")?,
            plugin_version: d.opt_string("plugin_version")?,
        };
        self.core()?.tune(table, &path, tune).await?;
        Ok(None)
    }

    async fn remount(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let (from, to) = (d.string("from")?, d.string("to")?);
        if from.is_empty() || to.is_empty() {
            return Err(Error::invalid("both 'from' and 'to' path must be specified as a string"));
        }
        let id = self.core()?.remount(&from, &to).await?;
        Ok(Some(
            Response::data(json!({ "migration_id": id }))
                .legacy()
                .with_warning("Mount move has been queued. Progress will be reported in Arcanum's server log, tagged with the returned migration_id"),
        ))
    }

    async fn remount_status(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let id = d.string("migration_id")?;
        let state = self.core()?.unsealed()?;
        let found = state.remounts.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned();
        Ok(found.map(|(from, to)| {
            Response::data(json!({
                "migration_id": id,
                "migration_info": { "source_mount": from, "target_mount": to, "status": "success" },
            }))
        }))
    }
}

fn tune_fields(path: Path<SystemBackend>) -> Path<SystemBackend> {
    path.field(Field::raw("default_lease_ttl", "Default lease TTL (seconds or a duration; \"system\" resets)."))
        .field(Field::raw("max_lease_ttl", "Maximum lease TTL."))
        .field(Field::string("description", "Description."))
        .field(Field::raw("options", "Engine options (KV's version)."))
        .field(Field::string("listing_visibility", "\"\", \"hidden\" or \"unauth\"."))
        .field(Field::raw("passthrough_request_headers", "Headers passed to the engine."))
        .field(Field::raw("allowed_response_headers", "Headers the engine may set."))
        .field(Field::raw("audit_non_hmac_request_keys", "Request keys audit logs keep in clear."))
        .field(Field::raw("audit_non_hmac_response_keys", "Response keys audit logs keep in clear."))
        .field(Field::string("token_type", "Auth mounts: the type of tokens issued."))
        .field(Field::string("plugin_version", "Plugin version."))
}

fn enable_fields(path: Path<SystemBackend>) -> Path<SystemBackend> {
    path.field(Field::string("type", "The engine type (kv, kv-v2, userpass, ...)."))
        .field(Field::string("description", "Description."))
        .field(Field::raw("config", "Lease TTLs and other settings."))
        .field(Field::raw("options", "Engine options (KV's version)."))
        .field(Field::bool("local", "Not replicated (accepted for compatibility)."))
        .field(Field::bool("seal_wrap", "Accepted for compatibility."))
        .field(Field::bool("external_entropy_access", "Accepted for compatibility."))
        .field(Field::string("plugin_version", "Plugin version."))
        .field(Field::raw("plugin_name", "Ignored (older clients send it)."))
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    use Operation::*;
    let mut paths = Vec::new();
    for (root, what) in [("mounts", "secret engines"), ("auth", "auth methods")] {
        let (list, one, tune): (&'static str, &'static str, &'static str) = match root {
            "mounts" => ("mounts", "mounts/{path*}", "mounts/{path*}/tune"),
            _ => ("auth", "auth/{path*}", "auth/{path*}/tune"),
        };
        paths.push(
            Path::new(list).on(Read, SystemBackend::list_mounts).help(
                if root == "mounts" { "List mounted secret engines." } else { "List enabled auth methods." },
                what,
            ),
        );
        paths.push(
            tune_fields(Path::new(tune))
                .on(Read, SystemBackend::read_tune)
                .on(Update, SystemBackend::write_tune)
                .help("Read or change a mount's settings.", ""),
        );
        paths.push(
            enable_fields(Path::new(one))
                .on(Read, SystemBackend::read_mount)
                .on(Update, SystemBackend::enable)
                .on(Delete, SystemBackend::disable)
                .help("Read, enable or disable a mount.", "Disabling deletes the mount's data."),
        );
    }
    paths.push(
        Path::new("remount")
            .field(Field::string("from", "The mount's current path."))
            .field(Field::string("to", "The new path."))
            .on(Update, SystemBackend::remount)
            .help("Move a mount to another path; its data moves with it.", "Needs sudo."),
    );
    paths.push(
        Path::new("remount/status/{migration_id}")
            .on(Read, SystemBackend::remount_status)
            .help("The state of a mount move.", ""),
    );
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_and_options_are_read_like_vaults() {
        assert_eq!(ttl_value(&json!("1h"), "x").unwrap(), 3600);
        assert_eq!(ttl_value(&json!(60), "x").unwrap(), 60);
        assert_eq!(ttl_value(&json!("system"), "x").unwrap(), 0);
        let err = ttl_value(&json!("abc"), "default TTL").unwrap_err().to_string();
        assert_eq!(err, "unable to parse default TTL of abc: time: invalid duration \"abc\"");
        assert_eq!(options(Some(json!({"version": 2}))).unwrap().unwrap()["version"], "2");
        assert_eq!(options(Some(Value::Null)).unwrap(), None);
        assert_eq!(options(Some(json!("version=2"))).unwrap().unwrap()["version"], "2");
        assert_eq!(options(Some(json!(["a=1", "b=x=y"]))).unwrap().unwrap()["b"], "x=y");
        assert!(options(Some(json!("novalue"))).unwrap_err().to_string().contains("invalid key pair"));
    }
}
