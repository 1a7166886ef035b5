//! The contract between the core and every engine or auth method: requests, responses,
//! operations, errors and the storage an engine sees. Nothing here knows about HTTP.

mod error;
mod locks;
mod operation;
mod request;
mod response;
mod storage;
mod system;

pub use error::{Error, Result};
pub use locks::KeyLocks;
pub use operation::Operation;
pub use request::{Connection, Request};
pub use response::{Auth, Lease, Response};
pub use storage::{Storage, StorageView};
pub use system::{BackendConfig, MountInfo, StaticSystemView, SystemView};
