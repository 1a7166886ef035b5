//! Leases, as `sys/leases/*` shows them. Today every lease is a token's (a login's or
//! a created token's): the token store indexes it under `sys/expire/id/<lease id>` → the
//! token's keyed hash and drops the index entry when the token goes, so a lease lives
//! exactly as long as its token. Renewing the lease renews the token; revoking it
//! revokes the token and the tokens it created. Dynamic secrets will add leases of their
//! own to the same index.
//!
//! Expiry: a sweeper revokes tokens (and so their leases) as they expire, from the token
//! store's in-memory queue, which it fills from storage when the core unseals.

use std::sync::{Arc, Weak};
use std::time::Duration;

use time::OffsetDateTime;

use super::{Core, Unsealed};
use crate::logical::{Error, Storage};
use crate::token::{LEASE_PREFIX, TokenEntry, lease_key};

/// How often the sweeper looks for expired tokens.
const SWEEP_EVERY: Duration = Duration::from_secs(5);
/// A token whose revocation failed is tried again after this long.
const RETRY_AFTER: time::Duration = time::Duration::seconds(60);
/// The longest lease ID or prefix accepted.
const MAX_ID_LEN: usize = 1024;

/// A lease as `sys/leases/lookup` answers it.
#[derive(Clone, Debug, PartialEq)]
pub struct LeaseInfo {
    pub id: String,
    /// The request path that made it: `auth/userpass/login/alice`.
    pub path: String,
    pub issue_time: OffsetDateTime,
    pub expire_time: Option<OffsetDateTime>,
    pub last_renewal: Option<OffsetDateTime>,
    pub renewable: bool,
    /// Seconds left.
    pub ttl: u64,
}

impl LeaseInfo {
    fn of(entry: &TokenEntry, now: OffsetDateTime) -> LeaseInfo {
        LeaseInfo {
            id: entry.lease_id.clone(),
            path: entry.path.clone(),
            issue_time: entry.issue_time,
            expire_time: entry.expire_time,
            last_renewal: entry.last_renewal,
            renewable: entry.renewable,
            ttl: entry.ttl_left(now),
        }
    }
}

/// A lease ID or prefix as given: no leading `/`, no `..` or empty segment (a prefix
/// may end in `/`), not absurdly long. The message names the problem.
pub fn check_lease_path(what: &str, path: &str, prefix: bool) -> Result<(), Error> {
    let body = if prefix { path.strip_suffix('/').unwrap_or(path) } else { path };
    if path.len() > MAX_ID_LEN {
        return Err(Error::invalid(format!("{what} is longer than {MAX_ID_LEN} characters")));
    }
    if !body.is_empty() && body.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(Error::invalid(format!("{what} {path:?} is not valid: no empty, \".\" or \"..\" parts")));
    }
    Ok(())
}

impl Core {
    /// The token a lease ends, if both still exist and the token has not expired.
    async fn lease_token(&self, id: &str) -> Result<Option<TokenEntry>, Error> {
        let state = self.unsealed()?;
        let Some(hash) = self.barrier().get(&lease_key(id)).await? else { return Ok(None) };
        let hash = String::from_utf8(hash).map_err(|_| Error::internal("a lease index entry is corrupt"))?;
        let now = OffsetDateTime::now_utc();
        Ok(state.tokens.entry(&hash).await?.filter(|e| e.lease_id == id && !e.expired(now)))
    }

    pub async fn lookup_lease(&self, id: &str) -> Result<Option<LeaseInfo>, Error> {
        check_lease_path("lease_id", id, false)?;
        let now = OffsetDateTime::now_utc();
        Ok(self.lease_token(id).await?.map(|e| LeaseInfo::of(&e, now)))
    }

    /// The lease IDs and folders directly under `prefix` (`auth/userpass/login/`).
    pub async fn list_leases(&self, prefix: &str) -> Result<Vec<String>, Error> {
        check_lease_path("prefix", prefix, true)?;
        let folder = if prefix.is_empty() || prefix.ends_with('/') { prefix.to_string() } else { format!("{prefix}/") };
        Ok(self.barrier().list(&format!("{LEASE_PREFIX}{folder}")).await?)
    }

    /// Renew a lease. A token's lease renews through the token (`auth/token/renew*`),
    /// as in OpenBao; leases of dynamic secrets will renew here.
    pub async fn renew_lease(&self, id: &str) -> Result<(), Error> {
        check_lease_path("lease_id", id, false)?;
        match self.lease_token(id).await? {
            Some(token) if !token.renewable => Err(Error::invalid("lease is not renewable")),
            Some(_) => Err(Error::invalid("tokens cannot be renewed through this endpoint")),
            None => Err(Error::invalid("lease not found")),
        }
    }

    /// Revoke a lease: its token and the tokens that one created. A lease that is
    /// already gone is not an error (as in Vault).
    pub async fn revoke_lease(&self, id: &str) -> Result<(), Error> {
        check_lease_path("lease_id", id, false)?;
        if let Some(entry) = self.lease_token(id).await? {
            self.revoke_token_tree(&entry.id_hash).await?;
        }
        Ok(())
    }

    /// Revoke every lease under `prefix`. Returns how many were revoked.
    pub async fn revoke_lease_prefix(&self, prefix: &str) -> Result<usize, Error> {
        check_lease_path("prefix", prefix, true)?;
        let start = if prefix.is_empty() || prefix.ends_with('/') { prefix.to_string() } else { format!("{prefix}/") };
        let mut folders = vec![start];
        let mut revoked = 0;
        while let Some(folder) = folders.pop() {
            for key in self.list_leases(&folder).await? {
                let path = format!("{folder}{key}");
                if key.ends_with('/') {
                    folders.push(path);
                } else if let Some(entry) = self.lease_token(&path).await? {
                    self.revoke_token_tree(&entry.id_hash).await?;
                    revoked += 1;
                }
            }
        }
        Ok(revoked)
    }

    /// Start revoking tokens as they expire, for as long as `state` is the unsealed
    /// state (sealing ends it; the next unseal starts another).
    pub(super) fn sweep_expired_tokens(&self, state: &Arc<Unsealed>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (core, state) = (self.handle(), Arc::downgrade(state));
        runtime.spawn(async move {
            if let Some(state) = state.upgrade() {
                match state.tokens.queue_expiring().await {
                    Ok(n) => tracing::debug!(tokens = n, "token expiry queue loaded"),
                    Err(e) => tracing::error!(error = %e, "cannot load the token expiry queue; expired tokens wait for a lookup"),
                }
            }
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(core) = core.upgrade() else { return };
                let Some(state) = current(&core, &state) else { return };
                core.expire_due(&state).await;
            }
        });
    }

    /// Revoke every token whose time has come; one renewed meanwhile goes back in the
    /// queue at its new expiry.
    async fn expire_due(&self, state: &Unsealed) {
        let now = OffsetDateTime::now_utc();
        for hash in state.tokens.expiry.take_due(now) {
            let result = match state.tokens.entry(&hash).await {
                Ok(Some(entry)) => match entry.expire_time {
                    Some(at) if at > now => {
                        state.tokens.expiry.push(at, &hash);
                        Ok(())
                    }
                    Some(_) => self.revoke_token_tree(&hash).await,
                    None => Ok(()),
                },
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "an expired token could not be revoked; trying again later");
                state.tokens.expiry.push(now + RETRY_AFTER, &hash);
            }
        }
    }
}

/// `state` if it is still the core's unsealed state.
fn current(core: &Core, state: &Weak<Unsealed>) -> Option<Arc<Unsealed>> {
    let state = state.upgrade()?;
    let now = core.unsealed().ok()?;
    Arc::ptr_eq(&state, &now).then_some(state)
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::testing::TestCore;

    #[tokio::test]
    async fn the_sweeper_revokes_expired_tokens_with_their_leases_and_requeues_renewed_ones() {
        let t = TestCore::unsealed().await;
        let state = t.core.unsealed().unwrap();
        let now = OffsetDateTime::now_utc();
        let make = |name: &str, expires: OffsetDateTime| {
            let mut entry = TokenEntry::orphan(state.tokens.hash(name), name.into(), vec!["default".into()], now);
            entry.expire_time = Some(expires);
            entry.ttl = 60;
            entry
        };
        let expired = state.tokens.insert(make("s.expired", now - Duration::seconds(1))).await.unwrap();
        // Renewed after it was queued: the queue still holds its old expiry.
        let renewed = state.tokens.insert(make("s.renewed", now + Duration::hours(1))).await.unwrap();
        state.tokens.expiry.push(now - Duration::seconds(1), &renewed.id_hash);
        assert!(!expired.lease_id.is_empty() && !renewed.lease_id.is_empty());

        // (The core's own sweeper may get there first; the outcome is the same.)
        t.core.expire_due(&state).await;
        assert!(state.tokens.entry(&expired.id_hash).await.unwrap().is_none(), "the expired token is revoked");
        assert!(t.core.barrier().get(&lease_key(&expired.lease_id)).await.unwrap().is_none(), "and its lease");
        assert!(state.tokens.entry(&renewed.id_hash).await.unwrap().is_some(), "the renewed one stays");
        assert_eq!(state.tokens.expiry.len(), 1, "queued again at its new expiry");
        assert!(t.core.lookup_lease(&renewed.lease_id).await.unwrap().is_some());
    }
}
