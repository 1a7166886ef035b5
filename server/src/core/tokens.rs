//! Token operations that reach beyond the token store: revocation clears the revoked
//! tokens' cubbyholes, and token TTLs follow the `auth/token/` mount's tuning.

use time::OffsetDateTime;

use super::Core;
use super::mounts::Table;
use super::router::RouteEntry;
use crate::logical::{Auth, Error};
use crate::token::{TokenEntry, TokenStore, calculate_ttl};

impl Core {
    /// Default and maximum TTL for tokens (the `auth/token/` mount's, as tuned).
    pub fn token_mount_ttls(&self) -> Result<(u64, u64), Error> {
        let state = self.unsealed()?;
        let router = state.router();
        let (entry, _) =
            router.route("auth/token/").ok_or_else(|| Error::internal("the token store is not mounted"))?;
        Ok((entry.entry.config.effective_default_ttl(), entry.entry.config.effective_max_ttl()))
    }

    /// Revoke a token and everything created under it, and clear their cubbyholes.
    pub async fn revoke_token_tree(&self, hash: &str) -> Result<(), Error> {
        let state = self.unsealed()?;
        let revoked = state.tokens.revoke_tree(hash).await?;
        self.clear_cubbyholes(&revoked).await
    }

    /// Renew a token by `increment` seconds (0: by its last TTL), within the token
    /// mount's TTLs. Answers the renewed entry and any warnings.
    pub async fn renew_token(&self, hash: &str, increment: u64) -> Result<(TokenEntry, Vec<String>), Error> {
        let (default_ttl, max_ttl) = self.token_mount_ttls()?;
        self.unsealed()?.tokens.renew(hash, increment, default_ttl, max_ttl).await
    }

    /// Revoke a token alone; its children become orphans.
    pub async fn revoke_token_orphan(&self, hash: &str) -> Result<(), Error> {
        let state = self.unsealed()?;
        state.tokens.revoke_orphan(hash).await?;
        self.clear_cubbyholes(&[hash.to_string()]).await
    }

    /// Revoke every token issued through the auth mount at `auth/<path>` (and their
    /// children), as disabling an auth method does in Vault.
    pub async fn revoke_tokens_of_auth_mount(&self, path: &str) -> Result<(), Error> {
        let state = self.unsealed()?;
        let revoked = state.tokens.revoke_path_prefix(&format!("auth/{path}")).await?;
        self.clear_cubbyholes(&revoked).await
    }

    /// Revoke expired tokens. Returns how many were revoked.
    pub async fn tidy_tokens(&self) -> Result<usize, Error> {
        let state = self.unsealed()?;
        let revoked = state.tokens.tidy().await?;
        self.clear_cubbyholes(&revoked).await?;
        Ok(revoked.len())
    }

    /// A login succeeded: create the token the auth method asked for, and tell the client
    /// about it in `auth`. Login tokens are orphans named after the mount and user.
    pub(crate) async fn issue_login_token(&self, mount: &RouteEntry, path: &str, auth: &mut Auth) -> Result<(), Error> {
        let state = self.unsealed()?;
        let mut policies = auth.policies.clone();
        if !auth.no_default_policy {
            policies.push("default".into());
        }
        let policies = crate::token::sanitize_policies(&policies);
        if policies.iter().any(|p| p == "root") {
            return Err(Error::invalid("auth methods cannot issue root tokens"));
        }
        let config = &mount.entry.config;
        let mount_max =
            if auth.max_ttl > 0 { auth.max_ttl.min(config.effective_max_ttl()) } else { config.effective_max_ttl() };
        let (ttl, warnings) =
            calculate_ttl(auth.ttl, auth.period, auth.explicit_max_ttl, config.effective_default_ttl(), mount_max, 0);
        for warning in warnings {
            tracing::debug!(%warning, "login token TTL capped");
        }
        let token = TokenStore::new_token_id()?;
        let now = OffsetDateTime::now_utc();
        let mount_name = mount.entry.path.trim_end_matches('/').replace('/', "-");
        let entry = TokenEntry {
            id_hash: state.tokens.hash(&token),
            accessor: crate::crypto::random_base62(24).map_err(Error::Internal)?,
            parent: String::new(),
            policies: policies.clone(),
            path: path.to_string(),
            meta: auth
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                .collect(),
            display_name: if auth.display_name.is_empty() {
                mount_name
            } else {
                format!("{mount_name}-{}", auth.display_name)
            },
            num_uses: auth.num_uses.max(0),
            creation_time: now.unix_timestamp(),
            issue_time: now,
            creation_ttl: ttl,
            ttl,
            expire_time: Some(now + time::Duration::seconds(ttl as i64)),
            explicit_max_ttl: auth.explicit_max_ttl,
            period: auth.period,
            max_ttl: if auth.explicit_max_ttl > 0 { mount_max.min(auth.explicit_max_ttl) } else { mount_max },
            renewable: auth.renewable,
            role: String::new(),
            entity_id: String::new(),
            bound_cidrs: auth.bound_cidrs.clone(),
            last_renewal: None,
            orphan: true,
            lease_id: String::new(),
        };
        let entry = state.tokens.insert(entry).await?;
        auth.client_token = token.to_string();
        auth.accessor = entry.accessor.clone();
        auth.token_policies = policies;
        auth.lease_duration = ttl;
        auth.token_type = "service".into();
        auth.orphan = true;
        auth.num_uses = entry.num_uses;
        Ok(())
    }

    async fn clear_cubbyholes(&self, hashes: &[String]) -> Result<(), Error> {
        let state = self.unsealed()?;
        let router = state.router();
        let Some(cubbyhole) = router.routes().find(|r| r.table == Table::Secret && r.entry.kind == "cubbyhole") else {
            return Ok(());
        };
        let base = Table::Secret.data_prefix(&cubbyhole.entry.uuid);
        for hash in hashes {
            self.barrier().delete_prefix(&format!("{base}{hash}/")).await?;
        }
        Ok(())
    }
}
