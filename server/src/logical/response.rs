//! A logical response. The HTTP layer wraps it in Vault's JSON envelope.

use serde_json::{Map, Value};

/// A login's result: what the auth method asks the core to put in a new token, and,
/// once the core has created it, what the client is told about it.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    // Set by the auth method.
    /// Shown as `display_name` (`<mount>-<name>`, as Vault forms it).
    pub display_name: String,
    pub policies: Vec<String>,
    pub metadata: Map<String, Value>,
    /// Seconds; 0 means the mount's default.
    pub ttl: u64,
    /// Seconds; 0 means the mount's maximum.
    pub max_ttl: u64,
    pub explicit_max_ttl: u64,
    pub period: u64,
    pub renewable: bool,
    pub num_uses: i64,
    pub no_default_policy: bool,
    pub bound_cidrs: Vec<String>,
    /// The identity the method vouched for (e.g. the userpass user name).
    pub alias_name: String,

    // Set by the core once the token exists.
    pub client_token: String,
    pub accessor: String,
    pub token_policies: Vec<String>,
    pub identity_policies: Vec<String>,
    /// Seconds until the token expires; 0 for tokens that never do.
    pub lease_duration: u64,
    pub entity_id: String,
    pub token_type: String,
    pub orphan: bool,
}

/// A lease on returned data (KV v1's `ttl`, dynamic secrets later).
#[derive(Clone, Debug, Default)]
pub struct Lease {
    pub id: String,
    pub duration: u64,
    pub renewable: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Response {
    pub data: Option<Map<String, Value>>,
    pub auth: Option<Auth>,
    pub lease: Option<Lease>,
    pub warnings: Vec<String>,
    /// A few `sys/` endpoints also repeat their data at the top level of the envelope,
    /// as Vault did before the envelope existed; clients still read it there.
    pub legacy_top_level: bool,
    /// A status other than 200 for a response that has a body: KV v2 answers a deleted
    /// version with 404 and its metadata; a background task's start is 202.
    pub status: Option<u16>,
    /// Send `data` itself as the body, without the envelope (Vault's `HTTPRawBody`): the
    /// OpenAPI document is a bare document, which generators and hvac read as such.
    /// `?help=1` answers the same way.
    pub raw_body: bool,
}

impl Response {
    /// A response carrying `data`, which must be a JSON object.
    pub fn data(data: Value) -> Self {
        let data = match data {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("value".into(), other);
                map
            }
        };
        Response { data: Some(data), ..Default::default() }
    }

    /// A response with only warnings (200 with `data: null`).
    pub fn warnings(warnings: Vec<String>) -> Self {
        Response { warnings, ..Default::default() }
    }

    /// `{"keys": [...]}`, as every LIST answers.
    pub fn list(keys: Vec<String>) -> Self {
        Response::data(serde_json::json!({ "keys": keys }))
    }

    pub fn with_warning(mut self, warning: impl Into<String>) -> Self {
        self.warnings.push(warning.into());
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn raw(mut self) -> Self {
        self.raw_body = true;
        self
    }

    pub fn legacy(mut self) -> Self {
        self.legacy_top_level = true;
        self
    }
}
