//! A logical request: what the pipeline and engines see, whatever transport it came from.

use serde_json::{Map, Value};

use super::Operation;

/// Where a request came from, for audit and for bound CIDRs.
#[derive(Clone, Debug, Default)]
pub struct Connection {
    pub remote_addr: Option<String>,
    pub remote_port: Option<u16>,
    pub tls: bool,
}

#[derive(Clone)]
pub struct Request {
    /// Unique per request; returned as `request_id`.
    pub id: String,
    pub operation: Operation,
    /// Before routing: the full path after `/v1/`. After routing: relative to the mount.
    pub path: String,
    /// Set by the router: the mount the request was sent to, e.g. `sys/` or `secret/`.
    pub mount_point: String,
    /// Body fields (and query parameters for reads and lists).
    pub data: Map<String, Value>,
    /// The client token as presented, if any. Never logged.
    pub client_token: Option<String>,
    /// The caller's token entry, once the pipeline has checked it (none on login paths).
    pub token: Option<std::sync::Arc<crate::token::TokenEntry>>,
    /// Whether the caller may use `sudo` on this path (or is root).
    pub sudo: bool,
    pub connection: Connection,
}

/// Everything but the token, which must never reach a log.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("id", &self.id)
            .field("operation", &self.operation)
            .field("path", &self.path)
            .field("mount_point", &self.mount_point)
            .field("data_keys", &self.data.keys().collect::<Vec<_>>())
            .field("client_token", &self.client_token.as_ref().map(|_| "<redacted>"))
            .field("token_accessor", &self.token.as_ref().map(|t| t.accessor.as_str()))
            .field("sudo", &self.sudo)
            .field("connection", &self.connection)
            .finish()
    }
}

impl Request {
    /// A request for `path` as a client named it: a list names a folder (Vault adds the
    /// slash clients leave off), and nothing can be written to a folder.
    pub fn from_client(operation: Operation, mut path: String) -> crate::logical::Result<Request> {
        if operation == Operation::List && !path.is_empty() && !path.ends_with('/') {
            path.push('/');
        }
        if path.ends_with('/') && operation == Operation::Update {
            return Err(crate::logical::Error::invalid("cannot write to a path ending in '/'"));
        }
        Ok(Request::new(operation, path))
    }

    pub fn new(operation: Operation, path: impl Into<String>) -> Self {
        Request {
            id: uuid::Uuid::new_v4().to_string(),
            operation,
            path: path.into(),
            mount_point: String::new(),
            data: Map::new(),
            client_token: None,
            token: None,
            sudo: false,
            connection: Connection::default(),
        }
    }

    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.client_token = Some(token.into());
        self
    }

    pub fn with_data(mut self, data: Value) -> Self {
        if let Value::Object(map) = data {
            self.data = map;
        }
        self
    }
}
