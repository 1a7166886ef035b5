//! The console backend: implements the app's narrow `Console` trait on the core, and
//! serves the Leptos app under `/ui` with its static assets under `/pkg`, behind the
//! session layer whose records `sessions` keeps.

mod sessions;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arcanum_app::api::dto;
use arcanum_app::api::session::IDLE_TIMEOUT;
use arcanum_app::api::{ApiAuth, ApiOperation, ApiRequest, ApiResponse, Console, ConsoleError, ConsoleHandle};
use arcanum_app::{App, shell};
use async_trait::async_trait;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::core::{Core, InitRequest};
use crate::http::ApiOptions;
use crate::logical::{Connection, Error, Operation, Request};

pub struct ConsoleService {
    core: Arc<Core>,
}

fn console_error(err: Error) -> ConsoleError {
    ConsoleError { status: crate::http::status_of(&err).as_u16(), message: err.to_string() }
}

#[async_trait]
impl Console for ConsoleService {
    async fn seal_status(&self) -> Result<dto::SealStatus, ConsoleError> {
        let s = self.core.seal_status().await.map_err(console_error)?;
        Ok(dto::SealStatus {
            initialized: s.initialized,
            sealed: s.sealed,
            threshold: s.t,
            shares: s.n,
            progress: s.progress as u32,
            version: s.version.to_string(),
            cluster_name: s.cluster_name,
            storage_type: s.storage_type.to_string(),
        })
    }

    async fn init(&self, secret_shares: u64, secret_threshold: u64) -> Result<dto::InitResult, ConsoleError> {
        let req = InitRequest { secret_shares, secret_threshold, ..Default::default() };
        let init = self.core.init(req, None).await.map_err(console_error)?;
        Ok(dto::InitResult {
            keys_base64: init.keys_base64,
            keys_hex: init.keys,
            root_token: init.root_token.to_string(),
        })
    }

    async fn unseal(&self, key: Option<String>, reset: bool) -> Result<dto::SealStatus, ConsoleError> {
        self.core.unseal(key.as_deref(), reset).await.map_err(console_error)?;
        self.seal_status().await
    }

    async fn call(&self, request: ApiRequest) -> Result<ApiResponse, ConsoleError> {
        let operation = match request.operation {
            ApiOperation::Read => Operation::Read,
            ApiOperation::List => Operation::List,
            ApiOperation::Create => Operation::Create,
            ApiOperation::Update => Operation::Update,
            ApiOperation::Patch => Operation::Patch,
            ApiOperation::Delete => Operation::Delete,
        };
        let mut req = Request::from_client(operation, request.path).map_err(console_error)?;
        req.data = request.data;
        req.client_token = request.token;
        req.connection = Connection {
            remote_addr: request.remote_addr.map(|a| a.ip().to_string()),
            remote_port: request.remote_addr.map(|a| a.port()),
            tls: false,
        };
        match self.core.handle_request(req).await {
            // As over HTTP: a read of nothing is a 404.
            Ok(None) if matches!(operation, Operation::Read | Operation::List) => {
                Err(ConsoleError::new(404, "Nothing is stored at this path."))
            }
            Ok(None) => Ok(ApiResponse::default()),
            Ok(Some(response)) => Ok(ApiResponse {
                data: response.data,
                auth: response.auth.map(|auth| ApiAuth {
                    client_token: auth.client_token,
                    accessor: auth.accessor,
                    policies: auth.token_policies.into_iter().chain(auth.identity_policies).collect(),
                }),
                warnings: response.warnings,
            }),
            Err(err) => Err(console_error(err)),
        }
    }

    fn check_policy(&self, text: &str) -> Result<(), dto::PolicyProblem> {
        crate::policy::parse_policy("check", text).map(drop).map_err(|e| dto::PolicyProblem {
            line: e.line as u32,
            column: e.column as u32,
            message: e.message,
        })
    }
}

/// Where the console's built assets (`pkg/arcanum.{js,wasm,css}`) are: `ARCANUM_UI_ROOT`,
/// else `site/` beside the binary's target directory (`target/debug/arcanum` →
/// `target/site`), else `target/site` under the working directory.
pub fn site_root() -> PathBuf {
    if let Some(root) = std::env::var_os("ARCANUM_UI_ROOT") {
        return PathBuf::from(root);
    }
    if let Some(beside) = std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.parent()?.join("site")))
        && beside.join("pkg").is_dir()
    {
        return beside;
    }
    PathBuf::from("target/site")
}

/// `/ui` (pages and server functions), `/pkg` (assets), `/favicon.svg`, and `/` → `/ui`.
pub fn router(core: Arc<Core>, site_root: &Path, tls: bool) -> Router {
    if !site_root.join("pkg").join("arcanum.wasm").is_file() {
        tracing::warn!(
            site_root = %site_root.display(),
            "the console's assets are missing (run `make build`); pages will render without styles or interactivity"
        );
    }
    let options = LeptosOptions::builder()
        .output_name("arcanum")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .build();
    let routes = generate_route_list(App);
    let store = sessions::BarrierSessionStore::new(core.barrier().clone(), Arc::downgrade(&core));
    store.sweep_in_background();
    let sessions = SessionManagerLayer::new(store)
        .with_name("arcanum_session")
        .with_path("/ui")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(tls)
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT));
    let handle = ConsoleHandle(Arc::new(ConsoleService { core }));
    let shell_options = options.clone();
    // Asset names carry no hash, so browsers must revalidate them.
    let revalidate = SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Pages set their own headers (see the app's `security` module); server function
    // answers, which can carry key shares, must not be cached either.
    let no_store = SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let pages = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(handle.clone()),
            move || shell(shell_options.clone()),
        )
        .route("/ui/", get(|| async { Redirect::permanent("/ui") }))
        .route("/ui/{*rest}", get(not_found))
        .layer(no_store)
        .layer(sessions)
        // The API's own guard: cross-site requests refused, body limit, timeout, and a
        // panic answered with a 500.
        .layer(axum::middleware::from_fn_with_state(ApiOptions::default(), crate::http::api_layer));
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui") }))
        .merge(pages)
        .nest_service(
            "/pkg",
            // Compressed on the way out: the wasm is a fifth of its size gzipped.
            ServiceBuilder::new()
                .layer(revalidate.clone())
                .layer(CompressionLayer::new().gzip(true).quality(CompressionLevel::Default))
                .service(ServeDir::new(site_root.join("pkg"))),
        )
        .route_service(
            "/favicon.svg",
            ServiceBuilder::new().layer(revalidate).service(ServeFile::new(site_root.join("favicon.svg"))),
        )
        .with_state(options)
}

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Html(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found · Arcanum</title>\
             <link rel=\"stylesheet\" href=\"/pkg/arcanum.css\"></head><body><main><h1>Page not found</h1>\
             <p><a href=\"/ui\">Back to the console</a></p></main></body></html>",
        ),
    )
}
