//! The one error type of the console's server functions: an HTTP-like status and a
//! message for the user. Pages tell a 403 (show the forbidden page) from a 503 (sealed)
//! from a failure worth retrying by the status, not by parsing text.

use std::fmt;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleError {
    /// The status the same request through `/v1` would get; 0 when the server could
    /// not be reached at all.
    pub status: u16,
    pub message: String,
}

impl ConsoleError {
    pub fn new(status: u16, message: impl Into<String>) -> ConsoleError {
        ConsoleError { status, message: message.into() }
    }

    /// A problem with what the user entered.
    pub fn invalid(message: impl Into<String>) -> ConsoleError {
        ConsoleError::new(400, message)
    }

    /// No session, or one that expired.
    pub fn signed_out() -> ConsoleError {
        ConsoleError::new(401, "Your session has ended. Sign in again.")
    }

    pub fn is_forbidden(&self) -> bool {
        self.status == 403
    }

    pub fn is_signed_out(&self) -> bool {
        self.status == 401
    }

    pub fn is_sealed(&self) -> bool {
        self.status == 503
    }
}

impl fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConsoleError {}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(err: ServerFnErrorErr) -> Self {
        match err {
            ServerFnErrorErr::Request(_) => {
                ConsoleError::new(0, "The server could not be reached. Check your connection and try again.")
            }
            ServerFnErrorErr::ServerError(message) => ConsoleError::new(500, message),
            other => ConsoleError::new(500, other.to_string()),
        }
    }
}
