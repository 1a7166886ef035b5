//! What the console asks of the server: serde DTOs shared by both sides, the server
//! functions pages call, and (server side only) the one trait the server implements,
//! the session and the calls through the request pipeline.

pub mod advisor;
pub mod audit;
pub mod auth;
pub mod dto;
pub mod error;
pub mod kv;
pub mod leases;
pub mod mounts;
pub mod policies;
pub mod staleness;
pub mod sys;
pub mod tokens;

#[cfg(feature = "ssr")]
pub mod client;
#[cfg(feature = "ssr")]
mod console;
#[cfg(feature = "ssr")]
pub mod diff;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod session;

#[cfg(feature = "ssr")]
pub use console::{ApiAuth, ApiOperation, ApiRequest, ApiResponse, Console, ConsoleHandle};
pub use error::ConsoleError;
