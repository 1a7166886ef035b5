//! The mount tables: which secret engines and auth methods are enabled where, with their
//! settings. Persisted behind the barrier (`core/mounts`, `core/auth`); each mount's data
//! lives under its own uuid (`logical/<uuid>/`, `auth/<uuid>/`), so moving a mount is
//! only a change of table entry.

mod ops;
mod table;

pub use ops::{MountRequest, TuneRequest, as_mount_path};
pub use table::{MountConfig, MountEntry, MountTable, Table};

/// The system-wide default and maximum lease TTL (768h), as in Vault.
pub const SYSTEM_MAX_TTL: u64 = 768 * 3600;
