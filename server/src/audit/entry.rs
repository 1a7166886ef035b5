//! Audit entries in Vault's JSON format: one `request` entry before a request runs and
//! one `response` entry after, each hashed under the writing device's salt.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::hash::Salt;
use crate::logical::{Operation, Response};
use crate::token::TokenEntry;

/// The mount a request was routed to, as entries name it.
#[derive(Clone, Debug, Default)]
pub struct MountRef {
    /// `secret/`, `auth/userpass/`.
    pub point: String,
    pub kind: String,
    pub accessor: String,
    /// `secret` or `auth`.
    pub class: &'static str,
    pub non_hmac_request_keys: Vec<String>,
    pub non_hmac_response_keys: Vec<String>,
}

/// What the trail knows of one request, gathered as the pipeline runs. Holds the token
/// and data in clear: it lives only in memory and every device hashes what it writes.
#[derive(Clone)]
pub struct AuditInput {
    pub request_id: String,
    pub operation: Operation,
    /// The full path, `secret/data/app`.
    pub path: String,
    pub data: Map<String, Value>,
    pub remote_address: Option<String>,
    pub remote_port: Option<u16>,
    pub client_token: Option<String>,
    pub token: Option<Arc<TokenEntry>>,
    pub mount: Option<MountRef>,
}

/// How a request ended, for the response entry.
pub struct Outcome<'a> {
    pub response: Option<&'a Response>,
    pub error: Option<String>,
    /// The HTTP status the client gets.
    pub status: u16,
    pub duration_ms: f64,
}

/// What a device's options change in its entries.
#[derive(Clone, Debug)]
pub struct FormatOptions {
    pub hmac_accessor: bool,
    pub log_raw: bool,
    pub elide_list_responses: bool,
    /// Written before each JSON entry (Vault's `prefix`).
    pub prefix: String,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions { hmac_accessor: true, log_raw: false, elide_list_responses: false, prefix: String::new() }
    }
}

/// One formatted entry: the line a log device writes, and the columns the database
/// device indexes. Both come from the hashed entry, so neither holds a secret.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Formatted {
    pub line: String,
    pub summary: Summary,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    #[serde(with = "time::serde::rfc3339::option")]
    pub time: Option<OffsetDateTime>,
    pub request_id: String,
    /// `request` or `response`.
    pub entry_type: String,
    pub operation: String,
    pub path: String,
    pub mount: String,
    pub display_name: String,
    pub entity_id: String,
    pub policies: Vec<String>,
    /// As the entry shows it: hashed unless `hmac_accessor = false` or `log_raw`.
    pub token_accessor: String,
    pub remote_address: String,
    pub status: Option<u16>,
    pub error: String,
    pub duration_ms: Option<f64>,
}

/// Formats entries for one device.
pub struct Formatter<'a> {
    pub salt: &'a Salt,
    pub options: &'a FormatOptions,
}

impl Formatter<'_> {
    pub fn request(&self, input: &AuditInput, error: Option<&str>, now: OffsetDateTime) -> Formatted {
        let mut entry = Map::new();
        entry.insert("time".into(), json!(timestamp(now)));
        entry.insert("type".into(), json!("request"));
        entry.insert("auth".into(), self.auth(input));
        entry.insert("request".into(), self.request_body(input));
        if let Some(error) = error {
            entry.insert("error".into(), json!(error));
        }
        let mut summary = self.summary(input, "request", now);
        summary.error = error.unwrap_or_default().to_string();
        self.finish(entry, summary)
    }

    pub fn response(&self, input: &AuditInput, outcome: &Outcome, now: OffsetDateTime) -> Formatted {
        let mut entry = Map::new();
        entry.insert("time".into(), json!(timestamp(now)));
        entry.insert("type".into(), json!("response"));
        entry.insert("auth".into(), self.auth(input));
        entry.insert("request".into(), self.request_body(input));
        entry.insert("response".into(), self.response_body(input, outcome));
        if let Some(error) = &outcome.error {
            entry.insert("error".into(), json!(error));
        }
        let mut summary = self.summary(input, "response", now);
        summary.status = Some(outcome.status);
        summary.error = outcome.error.clone().unwrap_or_default();
        summary.duration_ms = Some(outcome.duration_ms);
        // A login has no token yet: the entry is about the identity it logged in.
        if input.token.is_none()
            && let Some(auth) = outcome.response.and_then(|r| r.auth.as_ref())
        {
            summary.display_name = auth.display_name.clone();
            summary.entity_id = auth.entity_id.clone();
            summary.policies = auth.policies.clone();
            summary.token_accessor = self.accessor(&auth.accessor);
        }
        self.finish(entry, summary)
    }

    fn finish(&self, entry: Map<String, Value>, summary: Summary) -> Formatted {
        let json = Value::Object(entry).to_string();
        let line = if self.options.prefix.is_empty() { json } else { format!("{}{json}", self.options.prefix) };
        Formatted { line, summary }
    }

    fn hash(&self, value: &str) -> String {
        if self.options.log_raw { value.to_string() } else { self.salt.hash(value) }
    }

    fn accessor(&self, accessor: &str) -> String {
        if self.options.hmac_accessor && !self.options.log_raw {
            self.salt.hash(accessor)
        } else {
            accessor.to_string()
        }
    }

    fn hashed(&self, mut value: Value, keep: &[String]) -> Value {
        if !self.options.log_raw {
            self.salt.hash_value(&mut value, keep);
        }
        value
    }

    fn auth(&self, input: &AuditInput) -> Value {
        let mut auth = Map::new();
        if let Some(token) = &input.client_token {
            auth.insert("client_token".into(), json!(self.hash(token)));
        }
        match &input.token {
            Some(entry) => {
                auth.insert("accessor".into(), json!(self.accessor(&entry.accessor)));
                auth.insert("display_name".into(), json!(entry.display_name));
                auth.insert("policies".into(), json!(entry.policies));
                auth.insert("token_policies".into(), json!(entry.policies));
                if !entry.meta.is_empty() {
                    auth.insert("metadata".into(), json!(entry.meta));
                }
                if !entry.entity_id.is_empty() {
                    auth.insert("entity_id".into(), json!(entry.entity_id));
                }
                auth.insert("token_type".into(), json!("service"));
                auth.insert("token_ttl".into(), json!(entry.ttl));
                auth.insert("token_issue_time".into(), json!(timestamp(entry.issue_time)));
            }
            None => {
                auth.insert("token_type".into(), json!("default"));
            }
        }
        Value::Object(auth)
    }

    fn request_body(&self, input: &AuditInput) -> Value {
        let mut request = Map::new();
        request.insert("id".into(), json!(input.request_id));
        request.insert("operation".into(), json!(input.operation.as_str()));
        if let Some(mount) = &input.mount {
            request.insert("mount_point".into(), json!(mount.point));
            request.insert("mount_type".into(), json!(mount.kind));
            request.insert("mount_accessor".into(), json!(mount.accessor));
            request.insert("mount_class".into(), json!(mount.class));
        }
        if let Some(token) = &input.client_token {
            request.insert("client_token".into(), json!(self.hash(token)));
        }
        if let Some(entry) = &input.token {
            request.insert("client_token_accessor".into(), json!(self.accessor(&entry.accessor)));
        }
        request.insert("namespace".into(), json!({"id": "root"}));
        request.insert("path".into(), json!(input.path));
        if !input.data.is_empty() {
            let keep = input.mount.as_ref().map(|m| m.non_hmac_request_keys.as_slice()).unwrap_or_default();
            request.insert("data".into(), self.hashed(Value::Object(input.data.clone()), keep));
        }
        if let Some(address) = &input.remote_address {
            request.insert("remote_address".into(), json!(address));
        }
        if let Some(port) = input.remote_port {
            request.insert("remote_port".into(), json!(port));
        }
        Value::Object(request)
    }

    fn response_body(&self, input: &AuditInput, outcome: &Outcome) -> Value {
        let mut body = Map::new();
        if let Some(mount) = &input.mount {
            body.insert("mount_point".into(), json!(mount.point));
            body.insert("mount_type".into(), json!(mount.kind));
            body.insert("mount_accessor".into(), json!(mount.accessor));
            body.insert("mount_class".into(), json!(mount.class));
        }
        let Some(response) = outcome.response else { return Value::Object(body) };
        if let Some(auth) = &response.auth {
            body.insert(
                "auth".into(),
                json!({
                    "client_token": self.hash(&auth.client_token),
                    "accessor": self.accessor(&auth.accessor),
                    "display_name": auth.display_name,
                    "policies": auth.policies,
                    "token_policies": auth.token_policies,
                    "metadata": auth.metadata,
                    "entity_id": auth.entity_id,
                    "token_type": auth.token_type,
                    "token_ttl": auth.lease_duration,
                }),
            );
        }
        if let Some(data) = &response.data {
            let keep = input.mount.as_ref().map(|m| m.non_hmac_response_keys.as_slice()).unwrap_or_default();
            let data = if self.options.elide_list_responses && input.operation == Operation::List {
                elide_keys(data)
            } else {
                Value::Object(data.clone())
            };
            body.insert("data".into(), self.hashed(data, keep));
        }
        if !response.warnings.is_empty() {
            body.insert("warnings".into(), json!(response.warnings));
        }
        Value::Object(body)
    }

    fn summary(&self, input: &AuditInput, entry_type: &str, now: OffsetDateTime) -> Summary {
        let token = input.token.as_deref();
        Summary {
            time: Some(now),
            request_id: input.request_id.clone(),
            entry_type: entry_type.to_string(),
            operation: input.operation.as_str().to_string(),
            path: input.path.clone(),
            mount: input.mount.as_ref().map(|m| m.point.clone()).unwrap_or_default(),
            display_name: token.map(|t| t.display_name.clone()).unwrap_or_default(),
            entity_id: token.map(|t| t.entity_id.clone()).unwrap_or_default(),
            policies: token.map(|t| t.policies.clone()).unwrap_or_default(),
            token_accessor: token.map(|t| self.accessor(&t.accessor)).unwrap_or_default(),
            remote_address: input.remote_address.clone().unwrap_or_default(),
            ..Default::default()
        }
    }
}

/// A list response with `keys` replaced by their count (Vault's `elide_list_responses`).
fn elide_keys(data: &Map<String, Value>) -> Value {
    let mut data = data.clone();
    if let Some(Value::Array(keys)) = data.get("keys") {
        let count = keys.len();
        data.insert("keys".into(), json!(count));
    }
    Value::Object(data)
}

pub fn timestamp(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_default()
}
