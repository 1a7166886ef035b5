//! The audit trail viewer filters by the client's address, which no index served: a
//! search for a rarely seen address read the table newest first until it found a page
//! (200 ms at a million entries on PostgreSQL). Like the others, the index ends in time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ArcanumAuditLog {
    Table,
    RemoteAddress,
    TimeUs,
}

const NAME: &str = "arcanum_audit_log_remote_address";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(ArcanumAuditLog::Table)
                    .if_not_exists()
                    .col(ArcanumAuditLog::RemoteAddress)
                    .col(ArcanumAuditLog::TimeUs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(NAME).table(ArcanumAuditLog::Table).to_owned()).await
    }
}
