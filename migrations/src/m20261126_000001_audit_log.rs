//! The database audit device's table: one row per audit entry (request or response), its
//! searchable fields as columns beside the full, already hashed JSON entry.
//!
//! `time_us` is microseconds since the Unix epoch (UTC); with `id` it is the row's place
//! in the trail, newest first. Every index ends in `time_us` so a filtered search reads
//! its rows already in time order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ArcanumAuditLog {
    Table,
    Id,
    TimeUs,
    RequestId,
    EntryType,
    Operation,
    Path,
    Mount,
    DisplayName,
    EntityId,
    Policies,
    TokenAccessor,
    RemoteAddress,
    Status,
    Error,
    DurationMs,
    Entry,
}

use ArcanumAuditLog as Log;

/// The indexes, by name: the columns each search filters on, then time.
const INDEXES: &[(&str, &[Log])] = &[
    ("arcanum_audit_log_time", &[Log::TimeUs, Log::Id]),
    ("arcanum_audit_log_path", &[Log::Path, Log::TimeUs]),
    ("arcanum_audit_log_display_name", &[Log::DisplayName, Log::TimeUs]),
    ("arcanum_audit_log_entity_id", &[Log::EntityId, Log::TimeUs]),
    ("arcanum_audit_log_token_accessor", &[Log::TokenAccessor, Log::TimeUs]),
    ("arcanum_audit_log_request_id", &[Log::RequestId]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let text = |column: Log| ColumnDef::new(column).text().not_null().to_owned();
        let mut path = text(Log::Path);
        // A path prefix is searched as a range, so paths must sort byte-wise: SQLite's
        // default BINARY collation does; PostgreSQL needs "C".
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            path.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table(Log::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Log::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Log::TimeUs).big_integer().not_null())
                    .col(text(Log::RequestId))
                    .col(text(Log::EntryType))
                    .col(text(Log::Operation))
                    .col(&mut path)
                    .col(text(Log::Mount))
                    .col(text(Log::DisplayName))
                    .col(text(Log::EntityId))
                    // A JSON array of policy names.
                    .col(text(Log::Policies))
                    .col(text(Log::TokenAccessor))
                    .col(text(Log::RemoteAddress))
                    .col(ColumnDef::new(Log::Status).integer().null())
                    .col(text(Log::Error))
                    .col(ColumnDef::new(Log::DurationMs).double().null())
                    .col(text(Log::Entry))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in INDEXES {
            let mut index = Index::create().name(*name).table(Log::Table).if_not_exists().to_owned();
            for column in *columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Log::Table).to_owned()).await
    }
}
