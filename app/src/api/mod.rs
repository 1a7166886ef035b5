//! What the console asks of the server: serde DTOs shared by both sides, the server
//! functions pages call, and (server side only) the one trait the server implements.

pub mod dto;
pub mod sys;

#[cfg(feature = "ssr")]
mod console;
#[cfg(feature = "ssr")]
pub mod security;

#[cfg(feature = "ssr")]
pub use console::{Console, ConsoleError, ConsoleHandle};

use leptos::prelude::ServerFnError;

/// The message of a server function error, without the framework's prefix.
pub fn error_message(err: &ServerFnError) -> String {
    match err {
        ServerFnError::ServerError(msg) => msg.clone(),
        ServerFnError::Request(_) => "The server could not be reached. Check your connection and try again.".into(),
        other => other.to_string(),
    }
}
