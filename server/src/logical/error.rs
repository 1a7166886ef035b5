//! One error type with Vault's semantics. Mapping to HTTP status codes and the
//! `{"errors":[...]}` body happens only in `http::error`.

use crate::storage::StorageError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The token may not do this, or the path does not exist for it: never says which.
    #[error("permission denied")]
    PermissionDenied,
    /// A 403 that names its reason (`bad token` when looking up an invalid token).
    #[error("{0}")]
    Forbidden(String),
    /// No mount or engine path matches.
    #[error("unsupported path")]
    UnsupportedPath,
    /// No mount serves the path (OpenBao's router names it: `no handler for route "x/y".
    /// route entry not found.`).
    #[error("no handler for route {0:?}. route entry not found.")]
    NoRoute(String),
    /// The path exists but does not take this operation.
    #[error("unsupported operation")]
    UnsupportedOperation,
    /// The caller sent something wrong; the message names the problem.
    #[error("{0}")]
    InvalidRequest(String),
    /// A login with a wrong password for a user that exists: a 400 like any bad request,
    /// but the core counts it towards locking the user out.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// The server is sealed (or not yet initialised): only the seal endpoints answer.
    #[error("Vault is sealed")]
    Sealed,
    /// Too many requests; retry after this many seconds.
    #[error("rate limit quota exceeded")]
    RateLimited { retry_after: u64 },
    /// A fault on our side (storage, corruption, a bug). The message goes to the client,
    /// so it names the problem without details of the database or any secret.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The HTTP status this error answers with (also recorded by audit devices).
    pub fn status_code(&self) -> u16 {
        match self {
            Error::PermissionDenied | Error::Forbidden(_) => 403,
            Error::UnsupportedPath | Error::NoRoute(_) => 404,
            Error::UnsupportedOperation => 405,
            Error::InvalidRequest(_) | Error::InvalidCredentials => 400,
            Error::Sealed => 503,
            Error::RateLimited { .. } => 429,
            Error::Internal(_) => 500,
        }
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidRequest(msg.into())
    }

    pub fn internal(msg: impl std::fmt::Display) -> Self {
        Error::Internal(msg.to_string())
    }
}

/// Storage faults are ours, never the caller's. A barrier sealed under a request is a
/// 503 like any sealed request; a damaged entry is named; database errors are logged in
/// full and reported without their detail.
impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Sealed => Error::Sealed,
            StorageError::Corrupt { .. } => Error::Internal(err.to_string()),
            StorageError::InvalidKey(key) => Error::InvalidRequest(format!("invalid storage key {key:?}")),
            StorageError::AlreadyExists(key) => Error::InvalidRequest(format!("{key:?} already exists")),
            StorageError::Unavailable(_) | StorageError::Backend(_) => {
                tracing::error!(error = %err, "storage failure");
                Error::Internal("the storage backend failed; the server log has the details".into())
            }
        }
    }
}
