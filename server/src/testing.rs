//! Test harnesses shared by unit, integration and acceptance tests: a core on in-memory
//! SQLite, and a private PostgreSQL database per test run.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, Database};

use crate::core::{Core, InitRequest};
use crate::storage::{Physical, SqliteStorage};

/// Where tests find PostgreSQL (trust auth on this machine).
pub fn postgres_admin_url() -> String {
    std::env::var("ARCANUM_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A PostgreSQL database created for one test and dropped when this is dropped.
pub struct TestPostgres {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl TestPostgres {
    pub async fn create() -> Result<TestPostgres, String> {
        let admin_url = postgres_admin_url();
        let name = format!("arcanum_test_{}", uuid::Uuid::new_v4().simple());
        let admin =
            Database::connect(&admin_url).await.map_err(|e| format!("cannot reach PostgreSQL at {admin_url}: {e}"))?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(|e| format!("cannot create database {name}: {e}"))?;
        let _ = admin.close().await;
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => return Err(format!("cannot derive a database URL from {admin_url}")),
        };
        Ok(TestPostgres { admin_url, name, url })
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside any runtime guarantee, so use a private one on a thread.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// A core over some storage, with what initialisation handed out.
pub struct TestCore {
    pub core: Arc<Core>,
    pub physical: Arc<dyn Physical>,
    pub keys: Vec<String>,
    pub root_token: String,
}

impl TestCore {
    /// Initialised (`shares`/`threshold`) on fresh in-memory SQLite, still sealed.
    pub async fn initialized(shares: u64, threshold: u64) -> TestCore {
        let physical: Arc<dyn Physical> = Arc::new(SqliteStorage::open_memory().await.expect("in-memory SQLite opens"));
        Self::initialized_on(physical, shares, threshold).await
    }

    pub async fn initialized_on(physical: Arc<dyn Physical>, shares: u64, threshold: u64) -> TestCore {
        let core = Core::new(physical.clone());
        let init = core
            .init(InitRequest { secret_shares: shares, secret_threshold: threshold, ..Default::default() }, None)
            .await
            .expect("initialisation succeeds");
        TestCore { core, physical, keys: init.keys, root_token: init.root_token.to_string() }
    }

    /// Initialised with one share and unsealed.
    pub async fn unsealed() -> TestCore {
        let t = Self::initialized(1, 1).await;
        t.core.unseal(Some(&t.keys[0]), false).await.expect("unseals");
        t
    }
}
