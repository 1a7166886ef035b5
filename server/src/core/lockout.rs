//! User lockout, as OpenBao does it: after 5 wrong passwords for the same user on the
//! same mount (counted within 15 minutes of each other), every login of that user is
//! refused for 15 minutes, even with the right password. Locked users are stored (so a
//! restart does not unlock them) and listed by `sys/locked-users`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Core;
use crate::logical::{Error, Storage};

const THRESHOLD: u32 = 5;
const LOCKOUT: Duration = Duration::from_secs(15 * 60);
const COUNTER_RESET: Duration = Duration::from_secs(15 * 60);
const LOCKED_PREFIX: &str = "core/login/lockedUsers/";

#[derive(Default)]
pub(crate) struct Lockout {
    /// (mount accessor, alias) → (failures, time of the last one).
    failures: Mutex<HashMap<(String, String), (u32, OffsetDateTime)>>,
}

fn locked_key(accessor: &str, alias: &str) -> Result<String, Error> {
    if accessor.contains('/') || alias.is_empty() {
        return Err(Error::invalid("invalid lockout key"));
    }
    Ok(format!("{LOCKED_PREFIX}{accessor}/{}", hex::encode(alias.as_bytes())))
}

impl Core {
    /// Refuse a login of a locked user (403 `permission denied`, whatever the password).
    pub(crate) async fn check_lockout(&self, accessor: &str, alias: &str) -> Result<(), Error> {
        if lockout_disabled() {
            return Ok(());
        }
        let alias = alias.to_lowercase();
        let storage = self.barrier().clone();
        let key = locked_key(accessor, &alias)?;
        let Some(bytes) = storage.get(&key).await? else { return Ok(()) };
        let since: i64 = String::from_utf8_lossy(&bytes).parse().unwrap_or(0);
        let locked_until = OffsetDateTime::from_unix_timestamp(since).unwrap_or(OffsetDateTime::UNIX_EPOCH) + LOCKOUT;
        if OffsetDateTime::now_utc() < locked_until {
            return Err(Error::PermissionDenied);
        }
        storage.delete(&key).await?;
        Ok(())
    }

    /// Count a wrong password; lock the user when the threshold is reached.
    pub(crate) async fn login_failed(&self, accessor: &str, alias: &str) -> Result<(), Error> {
        if lockout_disabled() {
            return Ok(());
        }
        let alias = alias.to_lowercase();
        let now = OffsetDateTime::now_utc();
        let count = {
            let state = self.unsealed()?;
            let mut failures = state.lockout.failures.lock().unwrap_or_else(|p| p.into_inner());
            let entry = failures.entry((accessor.to_string(), alias.clone())).or_insert((0, now));
            if now - entry.1 > COUNTER_RESET {
                entry.0 = 0;
            }
            entry.0 += 1;
            entry.1 = now;
            entry.0
        };
        if count >= THRESHOLD {
            let storage = self.barrier().clone();
            storage.put(&locked_key(accessor, &alias)?, now.unix_timestamp().to_string().as_bytes()).await?;
            tracing::warn!(mount_accessor = accessor, user = %alias, "user locked out after repeated failed logins");
        }
        Ok(())
    }

    /// A successful login clears the count.
    pub(crate) fn login_succeeded(&self, accessor: &str, alias: &str) {
        self.forget_failures(accessor, alias);
    }

    /// Drop the count of wrong passwords (aliases count case-insensitively, as stored).
    fn forget_failures(&self, accessor: &str, alias: &str) {
        if let Ok(state) = self.unsealed() {
            state
                .lockout
                .failures
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&(accessor.to_string(), alias.to_lowercase()));
        }
    }

    /// `sys/locked-users`, optionally for one mount.
    pub async fn locked_users(&self, only: Option<&str>) -> Result<Value, Error> {
        let storage = self.barrier().clone();
        let now = OffsetDateTime::now_utc();
        let mut accessors = Vec::new();
        let mut total = 0;
        for folder in storage.list(LOCKED_PREFIX).await? {
            let accessor = folder.trim_end_matches('/').to_string();
            if only.is_some_and(|o| o != accessor) {
                continue;
            }
            let mut aliases = Vec::new();
            for encoded in storage.list(&format!("{LOCKED_PREFIX}{folder}")).await? {
                let Some(alias) = hex::decode(&encoded).ok().and_then(|b| String::from_utf8(b).ok()) else { continue };
                let since = storage
                    .get(&format!("{LOCKED_PREFIX}{folder}{encoded}"))
                    .await?
                    .and_then(|b| String::from_utf8_lossy(&b).parse::<i64>().ok())
                    .unwrap_or(0);
                let until = OffsetDateTime::from_unix_timestamp(since).unwrap_or(OffsetDateTime::UNIX_EPOCH) + LOCKOUT;
                if now < until {
                    aliases.push(alias);
                }
            }
            if !aliases.is_empty() {
                total += aliases.len();
                accessors
                    .push(json!({ "mount_accessor": accessor, "counts": aliases.len(), "alias_identifiers": aliases }));
            }
        }
        accessors.sort_by_key(|a| std::cmp::Reverse(a["counts"].as_u64().unwrap_or(0)));
        Ok(json!({
            "by_namespace": [{ "namespace_id": "root", "namespace_path": "", "counts": total, "mount_accessors": accessors }],
            "total": total,
        }))
    }

    /// `sys/locked-users/<accessor>/unlock/<alias>`: always succeeds.
    pub async fn unlock_user(&self, accessor: &str, alias: &str) -> Result<(), Error> {
        if let Ok(key) = locked_key(accessor, &alias.to_lowercase()) {
            self.barrier().delete(&key).await?;
        }
        self.forget_failures(accessor, alias);
        Ok(())
    }
}

/// `ARCANUM_DISABLE_USER_LOCKOUT=true` turns lockout off (OpenBao: `BAO_DISABLE_USER_LOCKOUT`).
fn lockout_disabled() -> bool {
    std::env::var("ARCANUM_DISABLE_USER_LOCKOUT").is_ok_and(|v| v == "true" || v == "1")
}
