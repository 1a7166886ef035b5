//! ACL policies.

use leptos::prelude::*;

use super::error::ConsoleError;

/// The names of all ACL policies (needs list on `sys/policies/acl`).
#[server(prefix = "/ui/api", endpoint = "policies/list")]
pub async fn list_policies() -> Result<Vec<String>, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::List;

    let answer = data_of(call(List, "sys/policies/acl", Default::default()).await?);
    Ok(answer
        .get("keys")
        .and_then(|k| k.as_array())
        .map(|keys| keys.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
        .unwrap_or_default())
}
