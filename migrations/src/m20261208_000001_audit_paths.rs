//! Every distinct path in the audit trail, for the viewer's free text on the path: no
//! index serves a substring, and scanning a million entries for one took 0.4 to 0.8 s.
//! The distinct paths are far fewer than the entries, so a substring is looked for
//! there, and the entries of the paths that match are then found through the path index.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ArcanumAuditPaths {
    Table,
    Path,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut path = ColumnDef::new(ArcanumAuditPaths::Path).text().not_null().primary_key().to_owned();
        // Byte-wise, like the trail's own path column.
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            path.extra("COLLATE \"C\"");
        }
        manager
            .create_table(Table::create().table(ArcanumAuditPaths::Table).if_not_exists().col(&mut path).to_owned())
            .await?;
        manager
            .get_connection()
            // (`WHERE true` tells SQLite's parser the ON CONFLICT is the insert's.)
            .execute_unprepared(
                "INSERT INTO arcanum_audit_paths (path) SELECT DISTINCT path FROM arcanum_audit_log WHERE true \
                 ON CONFLICT DO NOTHING",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ArcanumAuditPaths::Table).to_owned()).await
    }
}
