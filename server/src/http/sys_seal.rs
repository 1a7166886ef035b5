//! The endpoints that answer without a token and while sealed: `sys/init`,
//! `sys/seal-status`, `sys/unseal`, `sys/health`, `sys/leader`, and Vault's
//! unauthenticated `sys/rekey/*` and `sys/generate-root/*`. Bodies are bare JSON, not the
//! envelope, as in Vault.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{Extensions, HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::error::error_response;
use super::request::body_fields;
use super::response::{json_response, no_content};
use crate::core::{Core, InitRequest};
use crate::logical::{Error, Result};

/// Go's JSON decoding, which Vault's clients are written against, treats `null` as the
/// zero value; hvac, for one, sends `"root_token_pgp_key": null`.
fn null_as_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Parse a JSON body into `T`, with the field at fault named on error.
fn parse<T: for<'de> Deserialize<'de> + Default>(body: &[u8]) -> Result<T> {
    let map = body_fields(body)?;
    if map.is_empty() {
        return Ok(T::default());
    }
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| Error::invalid(format!("invalid request body: {e}")))
}

fn ok_json(value: &impl serde::Serialize) -> Response {
    json_response(StatusCode::OK, value)
}

fn respond<T: serde::Serialize>(result: Result<T>) -> Response {
    match result {
        Ok(value) => ok_json(&value),
        Err(err) => error_response(err),
    }
}

pub async fn init_status(State(core): State<Arc<Core>>) -> Response {
    respond(core.seal_status().await.map(|s| json!({ "initialized": s.initialized })))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct InitBody {
    #[serde(deserialize_with = "null_as_default")]
    secret_shares: u64,
    #[serde(deserialize_with = "null_as_default")]
    secret_threshold: u64,
    pgp_keys: Option<Vec<String>>,
    #[serde(deserialize_with = "null_as_default")]
    root_token_pgp_key: String,
    #[serde(deserialize_with = "null_as_default")]
    stored_shares: u64,
    #[serde(deserialize_with = "null_as_default")]
    recovery_shares: u64,
    #[serde(deserialize_with = "null_as_default")]
    recovery_threshold: u64,
    recovery_pgp_keys: Option<Vec<String>>,
}

pub async fn init(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let result = async {
        let b: InitBody = parse(&body)?;
        let req = InitRequest {
            secret_shares: b.secret_shares,
            secret_threshold: b.secret_threshold,
            pgp_keys: b.pgp_keys,
            root_token_pgp_key: b.root_token_pgp_key,
            stored_shares: b.stored_shares,
            recovery_shares: b.recovery_shares,
            recovery_threshold: b.recovery_threshold,
            recovery_pgp_keys: b.recovery_pgp_keys,
        };
        let init = core.init(req, None).await?;
        Ok(json!({ "keys": init.keys, "keys_base64": init.keys_base64, "root_token": init.root_token.as_str() }))
    };
    respond(result.await)
}

pub async fn seal_status(State(core): State<Arc<Core>>) -> Response {
    respond(core.seal_status().await)
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct UnsealRequest {
    key: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    reset: bool,
    #[serde(deserialize_with = "null_as_default")]
    migrate: bool,
}

pub async fn unseal(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let result = async {
        let req: UnsealRequest = parse(&body)?;
        if req.migrate {
            return Err(Error::invalid("seal migration is not supported"));
        }
        core.unseal(req.key.as_deref(), req.reset).await
    };
    respond(result.await)
}

pub async fn leader(State(core): State<Arc<Core>>) -> Response {
    ok_json(&core.leader())
}

/// `sys/seal`: sealing a sealed (or uninitialised) server is a no-op, as in Vault;
/// otherwise it runs through the pipeline, which wants `update` and `sudo`.
pub async fn seal(
    State(core): State<Arc<Core>>,
    extensions: Extensions,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if core.is_sealed() {
        return no_content();
    }
    super::logical::handle(State(core), extensions, method, uri, headers, body).await
}

/// `sys/step-down`: without HA there is no standby to hand over to.
pub async fn step_down() -> Response {
    no_content()
}

/// `sys/health`: the status code says the state; query flags re-map the codes.
pub async fn health(State(core): State<Arc<Core>>, method: Method, RawQuery(query): RawQuery) -> Response {
    let result = async {
        let flags = HealthFlags::parse(query.as_deref().unwrap_or(""))?;
        let status = core.health().await?;
        let code = if !status.initialized {
            flags.uninit
        } else if status.sealed {
            flags.sealed
        } else {
            flags.active
        };
        Ok((code, status))
    };
    match result.await {
        Ok((code, status)) => {
            let code = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
            if method == Method::HEAD || code == StatusCode::NO_CONTENT {
                let mut response = no_content();
                *response.status_mut() = code;
                response
            } else {
                json_response(code, &status)
            }
        }
        Err(err) => error_response(err),
    }
}

struct HealthFlags {
    active: u16,
    sealed: u16,
    uninit: u16,
}

impl HealthFlags {
    fn parse(query: &str) -> Result<HealthFlags> {
        let mut flags = HealthFlags { active: 200, sealed: 503, uninit: 501 };
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let target = match key.as_ref() {
                "activecode" => &mut flags.active,
                "sealedcode" => &mut flags.sealed,
                "uninitcode" => &mut flags.uninit,
                // Without HA there is never a standby, so these change nothing, but a
                // malformed value is still the caller's mistake.
                "standbycode" => {
                    parse_code(&key, &value)?;
                    continue;
                }
                "standbyok" => {
                    parse_bool(&key, &value)?;
                    continue;
                }
                _ => continue,
            };
            *target = parse_code(&key, &value)?;
        }
        Ok(flags)
    }
}

fn parse_code(key: &str, value: &str) -> Result<u16> {
    value
        .parse::<u16>()
        .ok()
        .filter(|c| (200..=599).contains(c))
        .ok_or_else(|| Error::invalid(format!("bad {key}: {value:?} is not an HTTP status code from 200 to 599")))
}

fn parse_bool(key: &str, value: &str) -> Result<bool> {
    match value {
        "" | "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(Error::invalid(format!("bad {key}: {value:?} is not true or false"))),
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RekeyInit {
    #[serde(deserialize_with = "null_as_default")]
    secret_shares: u64,
    #[serde(deserialize_with = "null_as_default")]
    secret_threshold: u64,
    pgp_keys: Option<Vec<String>>,
    #[serde(deserialize_with = "null_as_default")]
    backup: bool,
    #[serde(deserialize_with = "null_as_default")]
    require_verification: bool,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ShareUpdate {
    #[serde(deserialize_with = "null_as_default")]
    key: String,
    #[serde(deserialize_with = "null_as_default")]
    nonce: String,
}

pub async fn rekey_init(State(core): State<Arc<Core>>, method: Method, body: Bytes) -> Response {
    let result = async {
        match method {
            Method::GET => core.rekey_status().await.map(Some),
            Method::DELETE => core.rekey_cancel().await.map(|_| None),
            _ => {
                let req: RekeyInit = parse(&body)?;
                let pgp = req.pgp_keys.unwrap_or_default();
                core.rekey_init(req.secret_shares, req.secret_threshold, req.require_verification, pgp, req.backup)
                    .await
                    .map(Some)
            }
        }
    };
    match result.await {
        Ok(Some(status)) => ok_json(&status),
        Ok(None) => no_content(),
        Err(err) => error_response(err),
    }
}

pub async fn rekey_update(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let result = async {
        let req: ShareUpdate = parse(&body)?;
        core.rekey_update(&req.key, &req.nonce).await
    };
    respond(result.await)
}

pub async fn rekey_verify(State(core): State<Arc<Core>>, method: Method, body: Bytes) -> Response {
    let result = async {
        match method {
            Method::GET => core.rekey_verify_status().await,
            Method::DELETE => core.rekey_verify_cancel().await,
            _ => {
                let req: ShareUpdate = parse(&body)?;
                core.rekey_verify_update(&req.key, &req.nonce).await
            }
        }
    };
    respond(result.await)
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GenerateRootInit {
    otp: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pgp_key: String,
}

pub async fn generate_root_attempt(State(core): State<Arc<Core>>, method: Method, body: Bytes) -> Response {
    let result = async {
        match method {
            Method::GET => core.generate_root_status().await.map(Some),
            Method::DELETE => core.generate_root_cancel().await.map(|_| None),
            _ => {
                let req: GenerateRootInit = parse(&body)?;
                core.generate_root_init(req.otp.as_deref(), &req.pgp_key).await.map(Some)
            }
        }
    };
    match result.await {
        Ok(Some(status)) => ok_json(&status),
        Ok(None) => no_content(),
        Err(err) => error_response(err),
    }
}

pub async fn generate_root_update(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let result = async {
        let req: ShareUpdate = parse(&body)?;
        core.generate_root_update(&req.key, &req.nonce).await
    };
    respond(result.await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_flags_override_codes_and_reject_junk() {
        let f = HealthFlags::parse("sealedcode=200&uninitcode=299&standbyok=true").unwrap();
        assert_eq!((f.active, f.sealed, f.uninit), (200, 200, 299));
        assert!(HealthFlags::parse("activecode=abc").is_err());
        assert!(HealthFlags::parse("sealedcode=99").is_err());
        assert!(HealthFlags::parse("standbycode=x").is_err());
        assert!(HealthFlags::parse("standbyok=maybe").is_err());
        assert!(HealthFlags::parse("perfstandbyok=whatever").is_ok());
    }
}
