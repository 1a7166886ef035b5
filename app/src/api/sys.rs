//! Server functions for the seal: status, initialise, unseal. Like Vault's own
//! `sys/init` and `sys/unseal` they need no token: the key shares are the authority.

use leptos::prelude::*;

use super::dto::{InitResult, SealStatus};
use super::error::ConsoleError;

#[server(prefix = "/ui/api", endpoint = "sys/seal-status")]
pub async fn get_seal_status() -> Result<SealStatus, ConsoleError> {
    super::console::console()?.seal_status().await
}

/// Initialise with `secret_shares` shares, any `secret_threshold` of which unseal.
/// Taken as text so a typo gets a message that names the field.
#[server(prefix = "/ui/api", endpoint = "sys/init")]
pub async fn initialize(secret_shares: String, secret_threshold: String) -> Result<InitResult, ConsoleError> {
    refuse_plain_form_posts().await?;
    let shares = parse_count("Key shares", &secret_shares)?;
    let threshold = parse_count("Key threshold", &secret_threshold)?;
    super::console::console()?.init(shares, threshold).await
}

#[server(prefix = "/ui/api", endpoint = "sys/unseal")]
pub async fn submit_unseal_key(key: String) -> Result<SealStatus, ConsoleError> {
    if key.trim().is_empty() {
        return Err(ConsoleError::invalid("Enter a key share."));
    }
    super::console::console()?.unseal(Some(key), false).await
}

#[server(prefix = "/ui/api", endpoint = "sys/unseal-reset")]
pub async fn reset_unseal() -> Result<SealStatus, ConsoleError> {
    super::console::console()?.unseal(None, true).await
}

/// A form posted without the app (before the page became interactive) would get a
/// redirect back, and the keys in the answer would be thrown away unseen.
#[cfg(feature = "ssr")]
async fn refuse_plain_form_posts() -> Result<(), ConsoleError> {
    let headers: http::HeaderMap =
        leptos_axum::extract().await.map_err(|e| ConsoleError::new(500, format!("cannot read the request: {e}")))?;
    let wants_html = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return Err(ConsoleError::invalid(
            "initialisation needs the console's JavaScript, which has not loaded: reload the page",
        ));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn parse_count(label: &str, value: &str) -> Result<u64, ConsoleError> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|_| ConsoleError::invalid(format!("{label} must be a whole number from 1 to 255.")))
}
