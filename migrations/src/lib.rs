//! Arcanum's database schema. One migration per change; never edit a released one.
//!
//! The schema is deliberately tiny: everything Arcanum stores is an opaque, encrypted blob
//! under a path-like key (the barrier does the encryption), so the database never sees a
//! plaintext value, a key or a token. The others are the database audit device's trail,
//! whose entries are already hashed the way a file device's are, and its distinct paths.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_storage;
mod m20261126_000001_audit_log;
mod m20261127_000001_audit_log_remote_address;
mod m20261208_000001_audit_paths;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_storage::Migration),
            Box::new(m20261126_000001_audit_log::Migration),
            Box::new(m20261127_000001_audit_log_remote_address::Migration),
            Box::new(m20261208_000001_audit_paths::Migration),
        ]
    }

    /// Keep the migration bookkeeping table next to ours, with the same prefix.
    fn migration_table_name() -> DynIden {
        "arcanum_migrations".into_iden()
    }
}
