//! A logical response. The HTTP layer wraps it in Vault's JSON envelope.

use serde::Serialize;
use serde_json::{Map, Value};

/// Authentication produced by a login or token creation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Auth {
    pub client_token: String,
    pub accessor: String,
    pub policies: Vec<String>,
    pub token_policies: Vec<String>,
    pub metadata: Option<Map<String, Value>>,
    pub lease_duration: u64,
    pub renewable: bool,
    pub entity_id: String,
    pub token_type: String,
    pub orphan: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Response {
    pub data: Option<Map<String, Value>>,
    pub auth: Option<Auth>,
    pub warnings: Vec<String>,
    /// A few `sys/` endpoints also repeat their data at the top level of the envelope,
    /// as Vault did before the envelope existed; clients still read it there.
    pub legacy_top_level: bool,
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

    pub fn with_warning(mut self, warning: impl Into<String>) -> Self {
        self.warnings.push(warning.into());
        self
    }

    pub fn legacy(mut self) -> Self {
        self.legacy_top_level = true;
        self
    }
}
