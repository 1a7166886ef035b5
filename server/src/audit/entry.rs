//! Audit entries in Vault's JSON format: one `request` entry before a request runs and
//! one `response` entry after, each hashed under the writing device's salt.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::hash::{Hashed, Salt};
use super::records::{AuditRecord, EntryType};
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
    pub mount: Option<Arc<MountRef>>,
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
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions { hmac_accessor: true, log_raw: false, elide_list_responses: false }
    }
}

/// Formats entries for one device.
pub struct Formatter<'a> {
    pub salt: &'a Salt,
    pub options: &'a FormatOptions,
    /// The caller's token and accessor as this device shows them, worked out once per
    /// request (`Device::token_hashes`).
    pub token: &'a TokenHashes,
    /// Fill the record's columns (the database device indexes them); other devices
    /// write the JSON line alone, and building columns they drop is a tenth of the
    /// cost of an entry.
    pub columns: bool,
}

/// A token and its accessor as one device writes them.
#[derive(Clone, Debug, Default)]
pub struct TokenHashes {
    pub token: Option<String>,
    pub accessor: Option<String>,
    /// The token's issue time as entries show it: formatted once, not per entry.
    pub issue_time: Option<String>,
}

// The entry's shape, field for field in Vault's order. Borrowed from the request and
// response, so formatting copies nothing it does not write.

#[derive(Serialize)]
struct Entry<'a> {
    time: String,
    #[serde(rename = "type")]
    kind: &'static str,
    auth: AuthOut<'a>,
    request: RequestOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<ResponseOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct AuthOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accessor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policies: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_policies: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a std::collections::BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity_id: Option<&'a str>,
    token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_ttl: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_issue_time: Option<&'a str>,
}

#[derive(Serialize)]
struct MountOut<'a> {
    mount_point: &'a str,
    mount_type: &'a str,
    mount_accessor: &'a str,
    mount_class: &'static str,
}

#[derive(Serialize)]
struct Namespace {
    id: &'static str,
}

#[derive(Serialize)]
struct RequestOut<'a> {
    id: &'a str,
    operation: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    mount: Option<MountOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_token_accessor: Option<&'a str>,
    namespace: Namespace,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Hashed<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_port: Option<u16>,
}

#[derive(Serialize)]
struct ResponseOut<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    mount: Option<MountOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<ResponseAuthOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Hashed<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warnings: Option<&'a [String]>,
}

#[derive(Serialize)]
struct ResponseAuthOut<'a> {
    client_token: String,
    accessor: String,
    display_name: &'a str,
    policies: &'a [String],
    token_policies: &'a [String],
    metadata: &'a Map<String, Value>,
    entity_id: &'a str,
    token_type: &'a str,
    token_ttl: u64,
}

impl<'a> Formatter<'a> {
    pub fn request(&self, input: &AuditInput, error: Option<&str>, now: OffsetDateTime) -> AuditRecord {
        let entry = Entry {
            time: timestamp(now),
            kind: "request",
            auth: self.auth(input),
            request: self.request_body(input),
            response: None,
            error,
        };
        let mut record = self.record(input, EntryType::Request, now);
        record.error = error.unwrap_or_default().to_string();
        finish(&entry, record)
    }

    pub fn response(&self, input: &AuditInput, outcome: &Outcome, now: OffsetDateTime) -> AuditRecord {
        let entry = Entry {
            time: timestamp(now),
            kind: "response",
            auth: self.auth(input),
            request: self.request_body(input),
            response: Some(self.response_body(input, outcome)),
            error: outcome.error.as_deref(),
        };
        let mut record = self.record(input, EntryType::Response, now);
        record.status = Some(outcome.status);
        record.error = outcome.error.clone().unwrap_or_default();
        record.duration_ms = Some(outcome.duration_ms);
        // A login has no token yet: the entry is about the identity it logged in.
        if self.columns
            && input.token.is_none()
            && let Some(auth) = outcome.response.and_then(|r| r.auth.as_ref())
        {
            record.display_name = auth.display_name.clone();
            record.entity_id = auth.entity_id.clone();
            record.policies = auth.policies.clone();
            record.token_accessor = self.accessor(&auth.accessor);
        }
        finish(&entry, record)
    }

    /// A value as this device shows it: hashed, unless `log_raw`.
    pub fn hash(&self, value: &str) -> String {
        if self.options.log_raw { value.to_string() } else { self.salt.hash(value) }
    }

    /// An accessor as this device shows it: hashed if `hmac_accessor` (the default).
    pub fn accessor(&self, accessor: &str) -> String {
        if self.options.hmac_accessor && !self.options.log_raw {
            self.salt.hash(accessor)
        } else {
            accessor.to_string()
        }
    }

    fn auth<'b>(&'b self, input: &'b AuditInput) -> AuthOut<'b> {
        let entry = input.token.as_deref();
        AuthOut {
            client_token: self.token.token.as_deref(),
            accessor: self.token.accessor.as_deref(),
            display_name: entry.map(|e| e.display_name.as_str()),
            policies: entry.map(|e| e.policies.as_slice()),
            token_policies: entry.map(|e| e.policies.as_slice()),
            metadata: entry.map(|e| &e.meta).filter(|m| !m.is_empty()),
            entity_id: entry.map(|e| e.entity_id.as_str()).filter(|id| !id.is_empty()),
            token_type: if entry.is_some() { "service" } else { "default" },
            token_ttl: entry.map(|e| e.ttl),
            token_issue_time: entry.and(self.token.issue_time.as_deref()),
        }
    }

    fn request_body<'b>(&'b self, input: &'b AuditInput) -> RequestOut<'b> {
        let keep = input.mount.as_ref().map(|m| m.non_hmac_request_keys.as_slice()).unwrap_or_default();
        RequestOut {
            id: &input.request_id,
            operation: input.operation.as_str(),
            mount: input.mount.as_deref().map(mount_out),
            client_token: self.token.token.as_deref(),
            client_token_accessor: self.token.accessor.as_deref(),
            namespace: Namespace { id: "root" },
            path: &input.path,
            data: (!input.data.is_empty()).then(|| Hashed {
                map: &input.data,
                salt: (!self.options.log_raw).then_some(self.salt),
                keep,
                elide_keys: false,
            }),
            remote_address: input.remote_address.as_deref(),
            remote_port: input.remote_port,
        }
    }

    fn response_body<'b>(&'b self, input: &'b AuditInput, outcome: &Outcome<'b>) -> ResponseOut<'b> {
        let keep = input.mount.as_ref().map(|m| m.non_hmac_response_keys.as_slice()).unwrap_or_default();
        let response = outcome.response;
        ResponseOut {
            mount: input.mount.as_deref().map(mount_out),
            auth: response.and_then(|r| r.auth.as_ref()).map(|auth| ResponseAuthOut {
                client_token: self.hash(&auth.client_token),
                accessor: self.accessor(&auth.accessor),
                display_name: &auth.display_name,
                policies: &auth.policies,
                token_policies: &auth.token_policies,
                metadata: &auth.metadata,
                entity_id: &auth.entity_id,
                token_type: &auth.token_type,
                token_ttl: auth.lease_duration,
            }),
            data: response.and_then(|r| r.data.as_ref()).map(|data| Hashed {
                map: data,
                salt: (!self.options.log_raw).then_some(self.salt),
                keep,
                elide_keys: self.options.elide_list_responses && input.operation == Operation::List,
            }),
            warnings: response.map(|r| r.warnings.as_slice()).filter(|w| !w.is_empty()),
        }
    }

    /// The entry's columns; `entry` itself is filled in by `finish`.
    fn record(&self, input: &AuditInput, entry_type: EntryType, now: OffsetDateTime) -> AuditRecord {
        if !self.columns {
            return AuditRecord::bare(now, input.request_id.clone(), entry_type);
        }
        let token = input.token.as_deref();
        AuditRecord {
            time: now,
            request_id: input.request_id.clone(),
            entry_type,
            operation: input.operation.as_str().to_string(),
            path: input.path.clone(),
            mount: input.mount.as_ref().map(|m| m.point.clone()).unwrap_or_default(),
            display_name: token.map(|t| t.display_name.clone()).unwrap_or_default(),
            entity_id: token.map(|t| t.entity_id.clone()).unwrap_or_default(),
            policies: token.map(|t| t.policies.clone()).unwrap_or_default(),
            token_accessor: self.token.accessor.clone().unwrap_or_default(),
            remote_address: input.remote_address.clone().unwrap_or_default(),
            status: None,
            error: String::new(),
            duration_ms: None,
            entry: String::new(),
        }
    }
}

/// The record with its entry as JSON, written once into a buffer sized for a typical
/// entry.
fn finish(entry: &Entry, mut record: AuditRecord) -> AuditRecord {
    let mut json = Vec::with_capacity(2048);
    // Writing into a Vec cannot fail, and every map key is a string.
    let _ = serde_json::to_writer(&mut json, entry);
    record.entry = String::from_utf8(json).unwrap_or_default();
    record
}

fn mount_out(mount: &MountRef) -> MountOut<'_> {
    MountOut {
        mount_point: &mount.point,
        mount_type: &mount.kind,
        mount_accessor: &mount.accessor,
        mount_class: mount.class,
    }
}

pub fn timestamp(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_default()
}
