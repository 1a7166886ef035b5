//! Listeners: plain TCP or TLS through rustls, all serving one router, stopped together
//! on SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;

pub struct Listener {
    pub address: SocketAddr,
    /// Certificate and key PEM files; `None` serves plain HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// What this listener serves (listeners may differ in API options).
    pub app: Router,
}

/// Bind every listener first (so a taken port fails start-up cleanly), then serve until
/// a shutdown signal.
pub async fn serve(listeners: Vec<Listener>) -> Result<(), String> {
    let handle: Handle<SocketAddr> = Handle::new();
    let mut servers = Vec::new();
    for listener in listeners {
        let tcp = std::net::TcpListener::bind(listener.address)
            .map_err(|e| format!("cannot listen on {}: {e}", listener.address))?;
        tcp.set_nonblocking(true).map_err(|e| format!("cannot listen on {}: {e}", listener.address))?;
        let service = listener.app.into_make_service_with_connect_info::<SocketAddr>();
        let handle = handle.clone();
        match listener.tls {
            Some((cert, key)) => {
                let config = RustlsConfig::from_pem_file(&cert, &key).await.map_err(|e| {
                    format!("cannot load the TLS certificate {} and key {}: {e}", cert.display(), key.display())
                })?;
                let server = axum_server::from_tcp_rustls(tcp, config)
                    .map_err(|e| format!("cannot listen on {}: {e}", listener.address))?
                    .handle(handle);
                servers.push(tokio::spawn(async move { server.serve(service).await }));
            }
            None => {
                let server = axum_server::from_tcp(tcp)
                    .map_err(|e| format!("cannot listen on {}: {e}", listener.address))?
                    .handle(handle);
                servers.push(tokio::spawn(async move { server.serve(service).await }));
            }
        }
    }
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        handle.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    for server in servers {
        match server.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("the listener failed: {e}")),
            Err(e) => return Err(format!("the listener task failed: {e}")),
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
