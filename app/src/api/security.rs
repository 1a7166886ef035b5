//! Response headers for console pages: a strict Content Security Policy (scripts only
//! from this origin's module bundle or carrying this response's nonce, plus wasm; no
//! inline styles, no plugins, no framing), and no caching or referrers.

use http::{HeaderName, HeaderValue, header};
use leptos::nonce::{provide_nonce, use_nonce};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

pub fn apply_headers() {
    provide_nonce();
    let Some(response) = use_context::<ResponseOptions>() else { return };
    let nonce = use_nonce().map(|n| n.to_string()).unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    let headers: [(HeaderName, &str); 4] = [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
    for (name, value) in headers {
        response.insert_header(name, HeaderValue::from_static(value));
    }
}
