//! `arcanum server`: open storage, build the core, start the listeners. In dev mode:
//! a throw-away SQLite file, initialised and unsealed with one key share.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;

use crate::config::{Config, ListenerConfig, StorageConfig};
use crate::core::Core;
use crate::http::{ApiOptions, Listener, api_router, serve};
use crate::storage::{CachedPhysical, Physical, SqlStorage, SqliteStorage};

/// How to run, from the command line.
pub enum Mode {
    Config(PathBuf),
    Dev { root_token_id: Option<String>, listen: SocketAddr },
}

/// Run until a shutdown signal. Errors are start-up failures, already worded for the
/// operator.
pub async fn run(mode: Mode) -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    match mode {
        Mode::Config(path) => {
            let config =
                Config::load(&path).map_err(|e| format!("error loading configuration from {}: {e}", path.display()))?;
            for warning in &config.warnings {
                tracing::warn!("{warning}");
            }
            let physical = open_storage(&config.storage, !config.disable_cache).await?;
            let core = Core::new(physical);
            core.declare_audit_devices(config.audit.iter().map(declared_audit).collect());
            reopen_audit_on_sighup(&core);
            let listeners = config.listeners.iter().map(|l| listener(&core, l, config.ui)).collect();
            let first = &config.listeners[0];
            let scheme = if first.tls_disable { "http" } else { "https" };
            eprintln!("==> Arcanum server started");
            eprintln!("    API:      {scheme}://{}/v1/", first.address);
            if config.ui {
                eprintln!("    Console:  {scheme}://{}/ui/", first.address);
            }
            eprintln!("    Storage:  {}", describe_storage(&config.storage));
            serve(listeners).await
        }
        Mode::Dev { root_token_id, listen } => {
            let dir = DevDir::create()?;
            let path = dir.0.join("arcanum.db");
            let storage = StorageConfig::Sqlite { path };
            let physical = open_storage(&storage, true).await?;
            let core = Core::new(physical);
            reopen_audit_on_sighup(&core);
            let init =
                core.init_dev(root_token_id).await.map_err(|e| format!("cannot initialise the dev server: {e}"))?;
            let dev_listener = ListenerConfig {
                address: listen,
                tls_disable: true,
                tls_cert_file: None,
                tls_key_file: None,
                disable_unauthed_rekey_endpoints: true,
                disable_unauthed_generate_root_endpoints: true,
            };
            print_dev_banner(listen, &describe_storage(&storage), &init.keys_base64[0], &init.root_token);
            let result = serve(vec![listener(&core, &dev_listener, true)]).await;
            drop(dir);
            result
        }
    }
}

fn declared_audit(declared: &crate::config::AuditDeclaration) -> crate::audit::EnableRequest {
    crate::audit::EnableRequest {
        path: declared.path.clone(),
        kind: declared.kind.clone(),
        description: declared.description.clone(),
        options: declared.options.clone(),
        local: declared.local,
    }
}

/// SIGHUP reopens the audit devices' files, as Vault does, so that logrotate can move
/// them away.
fn reopen_audit_on_sighup(core: &Arc<Core>) {
    let core = Arc::downgrade(core);
    tokio::spawn(async move {
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; audit files will not be reopened on it");
            return;
        };
        while hangups.recv().await.is_some() {
            let Some(core) = core.upgrade() else { return };
            tracing::info!("SIGHUP: reopening audit devices");
            core.reopen_audit_devices().await;
        }
    });
}

/// Entries cached in front of the database (still encrypted), by bytes.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

async fn open_storage(config: &StorageConfig, cache: bool) -> Result<Arc<dyn Physical>, String> {
    let storage: Arc<dyn Physical> = match config {
        StorageConfig::Sqlite { path } => Arc::new(SqliteStorage::open(path).await.map_err(|e| e.to_string())?),
        StorageConfig::Postgres { connection_url } => {
            Arc::new(SqlStorage::open_postgres(connection_url).await.map_err(|e| e.to_string())?)
        }
    };
    Ok(if cache { Arc::new(CachedPhysical::new(storage, CACHE_BYTES)) } else { storage })
}

fn describe_storage(config: &StorageConfig) -> String {
    match config {
        StorageConfig::Sqlite { path } => format!("sqlite ({})", path.display()),
        StorageConfig::Postgres { connection_url } => {
            format!("postgresql ({})", crate::storage::redact_url(connection_url))
        }
    }
}

/// One listener's router: the API, and the console if enabled.
fn listener(core: &Arc<Core>, config: &ListenerConfig, ui: bool) -> Listener {
    let options = ApiOptions {
        unauthenticated_rekey: !config.disable_unauthed_rekey_endpoints,
        unauthenticated_generate_root: !config.disable_unauthed_generate_root_endpoints,
        ..ApiOptions::default()
    };
    let mut app: Router = api_router(core.clone(), options);
    let tls = match (&config.tls_cert_file, &config.tls_key_file) {
        (Some(cert), Some(key)) if !config.tls_disable => Some((cert.clone(), key.clone())),
        _ => None,
    };
    if ui {
        app = app.merge(crate::console::router(core.clone(), &crate::console::site_root(), tls.is_some()));
    }
    Listener { address: config.address, tls, app }
}

fn print_dev_banner(listen: SocketAddr, storage: &str, unseal_key: &str, root_token: &str) {
    eprintln!(
        "==> Arcanum dev server started. Do not use dev mode in production.\n\
         \n\
         \x20   API:          http://{listen}/v1/\n\
         \x20   Console:      http://{listen}/ui/\n\
         \x20   Storage:      {storage} (removed on exit)\n\
         \n\
         The server is initialised with a single unseal key and is unsealed. To use the CLI:\n\
         \n\
         \x20   export BAO_ADDR='http://{listen}'\n\
         \x20   export BAO_TOKEN='{root_token}'\n\
         \n\
         Unseal Key: {unseal_key}\n\
         Root Token: {root_token}\n"
    );
}

/// A private temporary directory for dev mode's database, removed on drop.
struct DevDir(PathBuf);

impl DevDir {
    fn create() -> Result<DevDir, String> {
        let suffix = crate::crypto::random_base62(8)?;
        let dir = std::env::temp_dir().join(format!("arcanum-dev-{suffix}"));
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(DevDir(dir))
    }
}

impl Drop for DevDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
