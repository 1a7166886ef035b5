//! The HTTP adapter: Vault's wire format on `/v1`, the console on `/ui`. It turns HTTP
//! into logical requests and core calls, and core results back into HTTP; it decides
//! nothing about access.

mod error;
mod logical;
mod request;
mod response;
mod routes;
mod server;
mod sys_seal;

pub use error::{error_response, status_of};
pub use routes::{ApiOptions, api_layer, api_router};
pub use server::{Listener, serve};
