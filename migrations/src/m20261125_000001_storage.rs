//! The physical key/value table: `key` (a `/`-separated path) → `value` (an encrypted blob).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ArcanumStorage {
    Table,
    Key,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut key = ColumnDef::new(ArcanumStorage::Key);
        key.text().not_null().primary_key();
        // Listing by prefix is a range scan on the key, so keys must sort byte-wise.
        // SQLite's default BINARY collation does; PostgreSQL needs "C".
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            key.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table(ArcanumStorage::Table)
                    .if_not_exists()
                    .col(&mut key)
                    .col(ColumnDef::new(ArcanumStorage::Value).blob().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ArcanumStorage::Table).to_owned()).await
    }
}
