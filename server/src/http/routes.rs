//! The `/v1` router: the endpoints that answer while sealed first, then everything else
//! into the pipeline, with the limits and headers every API response carries.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use futures::FutureExt;

use super::error::errors_response;
use super::{logical, sys_seal};
use crate::core::Core;

/// Per-listener API settings.
#[derive(Clone, Copy, Debug)]
pub struct ApiOptions {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Serve Vault's unauthenticated `sys/rekey/*` (OpenBao's
    /// `disable_unauthed_rekey_endpoints = false`). Off by default, as in OpenBao: anyone
    /// could cancel a running rekey. The authenticated `sys/rotate/root/*` is always on.
    pub unauthenticated_rekey: bool,
    /// The same for `sys/generate-root/*` (`disable_unauthed_generate_root_endpoints`).
    pub unauthenticated_generate_root: bool,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            max_body_bytes: 32 * 1024 * 1024,
            request_timeout: Duration::from_secs(90),
            unauthenticated_rekey: false,
            unauthenticated_generate_root: false,
        }
    }
}

pub fn api_router(core: Arc<Core>, options: ApiOptions) -> Router {
    let mut v1 = Router::new()
        .route("/sys/init", get(sys_seal::init_status).put(sys_seal::init).post(sys_seal::init))
        .route("/sys/seal-status", get(sys_seal::seal_status))
        .route("/sys/unseal", post(sys_seal::unseal).put(sys_seal::unseal))
        .route("/sys/seal", post(sys_seal::seal).put(sys_seal::seal))
        .route("/sys/step-down", post(sys_seal::step_down).put(sys_seal::step_down))
        .route("/sys/health", get(sys_seal::health).head(sys_seal::health))
        .route("/sys/leader", get(sys_seal::leader));
    v1 = if options.unauthenticated_rekey {
        v1.route("/sys/rekey/init", all_but_patch(sys_seal::rekey_init))
            .route("/sys/rekey/update", post(sys_seal::rekey_update).put(sys_seal::rekey_update))
            .route("/sys/rekey/verify", all_but_patch(sys_seal::rekey_verify))
    } else {
        v1.route("/sys/rekey/init", axum::routing::any(disabled))
            .route("/sys/rekey/update", axum::routing::any(disabled))
            .route("/sys/rekey/verify", axum::routing::any(disabled))
    };
    v1 = if options.unauthenticated_generate_root {
        v1.route("/sys/generate-root/attempt", all_but_patch(sys_seal::generate_root_attempt)).route(
            "/sys/generate-root/update",
            post(sys_seal::generate_root_update).put(sys_seal::generate_root_update),
        )
    } else {
        v1.route("/sys/generate-root/attempt", axum::routing::any(disabled))
            .route("/sys/generate-root/update", axum::routing::any(disabled))
    };
    let v1 = v1
        .method_not_allowed_fallback(|| async {
            errors_response(StatusCode::METHOD_NOT_ALLOWED, vec!["unsupported operation".into()])
        })
        .fallback(logical::handle)
        .with_state(core);
    Router::new()
        .nest("/v1", v1)
        .layer(middleware::from_fn_with_state(options, api_layer))
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
}

/// GET, PUT, POST and DELETE to one handler (the handler looks at the method).
fn all_but_patch<H, T>(handler: H) -> MethodRouter<Arc<Core>>
where
    H: axum::handler::Handler<T, Arc<Core>> + Clone,
    T: 'static,
{
    get(handler.clone()).put(handler.clone()).post(handler.clone()).delete(handler)
}

async fn disabled() -> Response {
    errors_response(
        StatusCode::METHOD_NOT_ALLOWED,
        vec![
            "unsupported operation: the unauthenticated endpoint is disabled on this listener; use the \
              authenticated sys/rotate/root/* or sys/generate-root-token/*"
                .into(),
        ],
    )
}

/// Whether a browser says this request comes from another site. Such requests are
/// refused outright: a web page must not be able to make a visitor's browser change the
/// server (initialise it, feed it shares) by posting a form. Other clients send no
/// `Sec-Fetch-Site`; an `Origin` naming another host is refused too.
pub fn is_cross_site(headers: &axum::http::HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let origin_host = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|o| url::Url::parse(o).ok())
        .and_then(|u| Some(format!("{}{}", u.host_str()?, u.port().map(|p| format!(":{p}")).unwrap_or_default())));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    matches!((origin_host, host), (Some(origin), Some(host)) if origin != host)
}

/// Every API answer: not cacheable, HSTS as Vault sends it, a clear 413 over the body
/// limit, a 503 past the request timeout; cross-site browser requests refused. The
/// console's pages and server functions pass through it too.
pub async fn api_layer(State(options): State<ApiOptions>, req: Request, next: Next) -> Response {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let mut response = if declared.is_some_and(|len| len > options.max_body_bytes as u64) {
        too_large(options)
    } else if is_cross_site(req.headers()) {
        errors_response(StatusCode::FORBIDDEN, vec!["cross-site browser requests are refused".into()])
    } else {
        // A bug that panics in a handler answers this request with a 500 and is logged;
        // the connection and the server carry on.
        let handled = std::panic::AssertUnwindSafe(next.run(req)).catch_unwind();
        match tokio::time::timeout(options.request_timeout, handled).await {
            Ok(Ok(response)) if response.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(options),
            Ok(Ok(response)) => response,
            Ok(Err(_)) => {
                tracing::error!("a request handler panicked");
                errors_response(StatusCode::INTERNAL_SERVER_ERROR, vec!["internal error".into()])
            }
            Err(_) => errors_response(StatusCode::SERVICE_UNAVAILABLE, vec!["the request timed out".into()]),
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    headers.entry(header::CONTENT_TYPE).or_insert(HeaderValue::from_static("application/json"));
    response
}

fn too_large(options: ApiOptions) -> Response {
    errors_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        vec![format!("the request body is larger than the limit of {} bytes", options.max_body_bytes)],
    )
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use tower::ServiceExt;

    use super::*;

    async fn boom() -> &'static str {
        panic!("a bug")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_and_the_router_keeps_serving() {
        let router = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "ok" }))
            .layer(middleware::from_fn_with_state(ApiOptions::default(), api_layer));
        let call =
            |path: &'static str| router.clone().oneshot(axum::http::Request::get(path).body(Body::empty()).unwrap());
        let boom = call("/boom").await.unwrap();
        assert_eq!(boom.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(boom.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], b"{\"errors\":[\"internal error\"]}\n", "Vault ends its JSON with a newline");
        assert_eq!(call("/fine").await.unwrap().status(), StatusCode::OK);
    }
}
