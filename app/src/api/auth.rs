//! Sign-in, sign-out and "who am I". Signing in checks the token through the pipeline
//! and keeps it in the server-side session; the browser gets the identity, never the
//! token.

use leptos::prelude::*;

use super::dto::Identity;
use super::error::ConsoleError;

/// Sign in with an existing token (pasted by the user).
#[server(prefix = "/ui/api", endpoint = "auth/token")]
pub async fn sign_in_with_token(token: String) -> Result<Identity, ConsoleError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(ConsoleError::invalid("Enter a token."));
    }
    server::begin(token.to_string(), false).await
}

/// Sign in through a userpass auth method mounted at `mount` (default `userpass`).
#[server(prefix = "/ui/api", endpoint = "auth/userpass")]
pub async fn sign_in_with_userpass(
    mount: String,
    username: String,
    password: String,
) -> Result<Identity, ConsoleError> {
    use super::client::call_as;
    use super::console::ApiOperation;

    let mount = server::auth_mount(&mount, "userpass")?;
    let username = username.trim();
    if username.is_empty() || username.contains('/') || username == "." || username == ".." {
        return Err(ConsoleError::invalid("Enter a username (it cannot contain \"/\" or be \".\" or \"..\")."));
    }
    if password.is_empty() {
        return Err(ConsoleError::invalid("Enter a password."));
    }
    let mut data = serde_json::Map::new();
    data.insert("password".into(), password.into());
    let login = call_as(None, ApiOperation::Update, &format!("auth/{mount}/login/{username}"), data).await?;
    let auth = login.auth.ok_or_else(|| ConsoleError::new(500, "the login answered without a token"))?;
    let token = auth.client_token;
    match server::begin(token.clone(), true).await {
        Ok(identity) => Ok(identity),
        Err(err) => {
            // No session holds the token: it must not outlive this failed sign-in.
            let _ = call_as(Some(token), ApiOperation::Update, "auth/token/revoke-self", Default::default()).await;
            Err(err)
        }
    }
}

/// End the session. A token the console obtained at sign-in is revoked with it; a token
/// the user brought is left alone (it may serve other tools).
#[server(prefix = "/ui/api", endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), ConsoleError> {
    use super::session;

    if let Some(user) = session::current().await? {
        session::revoke_if_issued(&user).await;
    }
    session::end().await
}

/// The signed-in user, or `None`. A session whose token stopped working (expired,
/// revoked elsewhere) is ended here.
#[server(prefix = "/ui/api", endpoint = "auth/whoami")]
pub async fn who_am_i() -> Result<Option<Identity>, ConsoleError> {
    use super::session;

    let Some(user) = session::current().await? else { return Ok(None) };
    match server::identity_of(&user).await {
        Ok(identity) => Ok(Some(identity)),
        Err(err) if err.is_forbidden() => {
            session::end().await?;
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

#[cfg(feature = "ssr")]
mod server {
    use serde_json::{Map, Value, json};
    use time::OffsetDateTime;

    use crate::api::client::{call_as, data_of};
    use crate::api::console::ApiOperation;
    use crate::api::dto::{Identity, Navigation};
    use crate::api::error::ConsoleError;
    use crate::api::session::{self, SignedIn};

    /// An auth mount path as typed (`userpass`, `/people/`), checked to be one path.
    pub fn auth_mount(typed: &str, default: &str) -> Result<String, ConsoleError> {
        let mount = typed.trim().trim_matches('/');
        let mount = if mount.is_empty() { default } else { mount };
        if mount.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            return Err(ConsoleError::invalid(format!("\"{mount}\" is not a mount path.")));
        }
        Ok(mount.to_string())
    }

    /// Check `token` and start a session for whoever it belongs to.
    pub async fn begin(token: String, issued_by_console: bool) -> Result<Identity, ConsoleError> {
        let lookup = call_as(Some(token.clone()), ApiOperation::Read, "auth/token/lookup-self", Map::new())
            .await
            .map_err(|err| match err.status {
                403 => ConsoleError::new(403, "This token is not valid: it may have expired or been revoked."),
                _ => err,
            })?;
        let data = data_of(lookup);
        let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let now = OffsetDateTime::now_utc();
        let user = SignedIn {
            accessor: text("accessor"),
            display_name: text("display_name"),
            policies: data
                .get("policies")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            token,
            issued_by_console,
            signed_in_at: now,
            seen_at: now,
        };
        session::begin(&user).await?;
        identity_of(&user).await
    }

    /// Paths whose capabilities decide the navigation.
    const MOUNTS: &str = "sys/mounts";
    const POLICIES: &str = "sys/policies/acl";
    const AUDIT: &str = "sys/audit-log/search";
    const TOKENS: &str = "auth/token/accessors";
    const LEASES: &str = "sys/leases/lookup/";

    /// The user's identity with the sections their policies open.
    pub async fn identity_of(user: &SignedIn) -> Result<Identity, ConsoleError> {
        let mut data = Map::new();
        data.insert("paths".into(), json!([MOUNTS, POLICIES, AUDIT, TOKENS, LEASES]));
        let answer = call_as(Some(user.token.clone()), ApiOperation::Update, "sys/capabilities-self", data).await?;
        let capabilities = data_of(answer);
        let can = |path: &str, wanted: &str| {
            capabilities
                .get(path)
                .and_then(Value::as_array)
                .is_some_and(|caps| caps.iter().any(|c| c.as_str() == Some(wanted) || c.as_str() == Some("root")))
        };
        Ok(Identity {
            display_name: user.display_name.clone(),
            policies: user.policies.clone(),
            nav: Navigation {
                mounts: can(MOUNTS, "read"),
                policies: can(POLICIES, "list"),
                audit: can(AUDIT, "read") && can(AUDIT, "sudo"),
                tokens: can(TOKENS, "list") && can(TOKENS, "sudo"),
                leases: can(LEASES, "list") && can(LEASES, "sudo"),
            },
        })
    }
}
