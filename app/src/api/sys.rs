//! Server functions for the seal: status, initialise, unseal. Like Vault's own
//! `sys/init` and `sys/unseal` they need no token: the key shares are the authority.

use leptos::prelude::*;

use super::dto::{InitResult, SealStatus};

#[server(prefix = "/ui/api", endpoint = "sys/seal-status")]
pub async fn get_seal_status() -> Result<SealStatus, ServerFnError> {
    Ok(super::console::console()?.seal_status().await?)
}

/// Initialise with `secret_shares` shares, any `secret_threshold` of which unseal.
/// Taken as text so a typo gets a message that names the field.
#[server(prefix = "/ui/api", endpoint = "sys/init")]
pub async fn initialize(secret_shares: String, secret_threshold: String) -> Result<InitResult, ServerFnError> {
    refuse_plain_form_posts().await?;
    let shares = parse_count("Key shares", &secret_shares)?;
    let threshold = parse_count("Key threshold", &secret_threshold)?;
    Ok(super::console::console()?.init(shares, threshold).await?)
}

#[server(prefix = "/ui/api", endpoint = "sys/unseal")]
pub async fn submit_unseal_key(key: String) -> Result<SealStatus, ServerFnError> {
    if key.trim().is_empty() {
        return Err(ServerFnError::ServerError("Enter a key share.".into()));
    }
    Ok(super::console::console()?.unseal(Some(key), false).await?)
}

#[server(prefix = "/ui/api", endpoint = "sys/unseal-reset")]
pub async fn reset_unseal() -> Result<SealStatus, ServerFnError> {
    Ok(super::console::console()?.unseal(None, true).await?)
}

/// A form posted without the app (before the page became interactive) would get a
/// redirect back, and the keys in the answer would be thrown away unseen.
#[cfg(feature = "ssr")]
async fn refuse_plain_form_posts() -> Result<(), ServerFnError> {
    let headers: http::HeaderMap = leptos_axum::extract().await?;
    let wants_html = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return Err(ServerFnError::ServerError(
            "initialisation needs the console's JavaScript, which has not loaded: reload the page".into(),
        ));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn parse_count(label: &str, value: &str) -> Result<u64, ServerFnError> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|_| ServerFnError::ServerError(format!("{label} must be a whole number from 1 to 255.")))
}
