//! The tokens page: token accessors with who holds them and for how long, and revoking
//! one with its children. Through `auth/token/accessors` (root-protected: `sudo` and
//! `list`), `lookup-accessor` and `revoke-accessor`, so a token itself never passes.

use leptos::prelude::*;

use super::dto::TokenPage;
use super::error::ConsoleError;

/// Tokens per page (one lookup each).
pub const PAGE_SIZE: usize = 50;

/// The page of tokens starting at `offset` in the accessor list.
#[server(prefix = "/ui/api", endpoint = "tokens/list")]
pub async fn list_tokens(#[server(default)] offset: usize) -> Result<TokenPage, ConsoleError> {
    use serde_json::{Map, Value, json};

    use super::client::{Caller, data_of};
    use super::console::ApiOperation::{List, Update};

    let caller = Caller::signed_in().await?;
    let listed = data_of(caller.call(List, "auth/token/accessors", Map::new()).await?);
    let accessors: Vec<String> = listed
        .get("keys")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let total = accessors.len();
    let offset = offset.min(total);
    let page = &accessors[offset..(offset + PAGE_SIZE).min(total)];
    // The page's lookups run side by side, each a request through the pipeline.
    let mut lookups = tokio::task::JoinSet::new();
    for accessor in page {
        let caller = caller.clone();
        let data = Map::from_iter([("accessor".into(), json!(accessor))]);
        lookups.spawn(async move { caller.call(Update, "auth/token/lookup-accessor", data).await });
    }
    let mut tokens = Vec::with_capacity(page.len());
    let mut gone = 0;
    while let Some(lookup) = lookups.join_next().await {
        let lookup = lookup.map_err(|_| ConsoleError::new(500, "a token lookup stopped unexpectedly"))?;
        match lookup {
            Ok(response) => tokens.push(server::token_info(&data_of(response))),
            // Expired or revoked since the list: not an error for the page.
            Err(e) if e.status == 400 || e.status == 404 => gone += 1,
            Err(e) => return Err(e),
        }
    }
    tokens.sort_by(|a, b| b.issue_time.cmp(&a.issue_time));
    Ok(TokenPage { tokens, total, offset, gone })
}

/// Revoke the token behind `accessor`, and every token it created (as Vault's
/// `revoke-accessor` does).
#[server(prefix = "/ui/api", endpoint = "tokens/revoke")]
pub async fn revoke_token(accessor: String) -> Result<(), ConsoleError> {
    use serde_json::{Map, json};

    use super::client::call;
    use super::console::ApiOperation::Update;

    if accessor.trim().is_empty() {
        return Err(ConsoleError::invalid("Pick the token to revoke."));
    }
    let data = Map::from_iter([("accessor".into(), json!(accessor.trim()))]);
    call(Update, "auth/token/revoke-accessor", data).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
mod server {
    use serde_json::{Map, Value};

    use crate::api::dto::TokenInfo;

    /// A lookup's data as the page shows it.
    pub fn token_info(data: &Map<String, Value>) -> TokenInfo {
        let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        TokenInfo {
            accessor: text("accessor"),
            display_name: text("display_name"),
            policies: data
                .get("policies")
                .and_then(Value::as_array)
                .map(|p| p.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            ttl: data.get("ttl").and_then(Value::as_u64).unwrap_or_default(),
            issue_time: text("issue_time"),
            path: text("path"),
            orphan: data.get("orphan").and_then(Value::as_bool).unwrap_or_default(),
            renewable: data.get("renewable").and_then(Value::as_bool).unwrap_or_default(),
        }
    }
}
