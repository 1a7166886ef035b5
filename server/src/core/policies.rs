//! The policy store: ACL policies kept behind the barrier at `sys/policy/<name>`, parsed
//! once and cached, and the ACLs built from sets of them (cached too; any change to a
//! policy clears both caches). The built-in `root` is virtual; `default` is stored like
//! any policy once written and starts from its built-in text.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Core;
use crate::logical::{Error, Storage};
use crate::policy::{Acl, Policy, builtin, parse_policy};

const POLICY_PREFIX: &str = "sys/policy/";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredPolicy {
    pub name: String,
    pub policy: String,
    pub version: u64,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub modified: Option<OffsetDateTime>,
    #[serde(default)]
    pub cas_required: bool,
}

#[derive(Default)]
pub(crate) struct PolicyCache {
    parsed: RwLock<HashMap<String, Option<Arc<Policy>>>>,
    acls: RwLock<HashMap<Vec<String>, Arc<Acl>>>,
    /// Serialises writes, so check-and-set compares against what is really stored.
    writes: tokio::sync::Mutex<()>,
}

impl PolicyCache {
    fn clear(&self) {
        self.parsed.write().unwrap_or_else(|p| p.into_inner()).clear();
        self.acls.write().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Names are case-insensitive and trimmed, as in Vault.
pub fn policy_name(name: &str) -> String {
    name.trim().to_lowercase()
}

impl Core {
    fn policy_storage(&self) -> &dyn Storage {
        self.barrier().as_ref()
    }

    /// A policy by name, built-ins included.
    pub async fn policy(&self, name: &str) -> Result<Option<StoredPolicy>, Error> {
        let name = policy_name(name);
        if let Some(bytes) = self.policy_storage().get(&format!("{POLICY_PREFIX}{name}")).await? {
            return serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| Error::Internal(format!("the stored policy {name:?} is corrupt: {e}")));
        }
        Ok(match name.as_str() {
            builtin::ROOT => {
                Some(StoredPolicy { name, policy: String::new(), version: 0, modified: None, cas_required: false })
            }
            _ => builtin::builtin_text(&name).map(|text| StoredPolicy {
                name: name.clone(),
                policy: text.to_string(),
                version: 0,
                modified: None,
                cas_required: false,
            }),
        })
    }

    pub async fn policy_exists(&self, name: &str) -> Result<bool, Error> {
        Ok(self.policy(name).await?.is_some())
    }

    /// Policy names, sorted, with `root` last (`response-wrapping` is never listed).
    pub async fn list_policies(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let mut names = self.list_stored_policies(prefix).await?;
        if prefix.is_empty() && !names.iter().any(|n| n == builtin::DEFAULT) {
            names.push(builtin::DEFAULT.into());
        }
        names.retain(|n| builtin::is_listed(n));
        names.sort();
        if prefix.is_empty() {
            names.push(builtin::ROOT.into());
        }
        Ok(names)
    }

    /// Stored names under `prefix` (a folder of `/`-named policies), recursively.
    async fn list_stored_policies(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let mut folders = vec![prefix.to_string()];
        while let Some(folder) = folders.pop() {
            for child in self.policy_storage().list(&format!("{POLICY_PREFIX}{folder}")).await? {
                if child.ends_with('/') {
                    folders.push(format!("{folder}{child}"));
                } else {
                    out.push(format!("{folder}{child}"));
                }
            }
        }
        Ok(out)
    }

    /// Create or replace a policy. `cas`: the version the caller expects (-1: must not
    /// exist; 0: create only).
    pub async fn put_policy(
        &self,
        name: &str,
        text: &str,
        cas: Option<i64>,
        cas_required: Option<bool>,
    ) -> Result<(), Error> {
        let name = policy_name(name);
        if let Some(message) = builtin::update_error(&name) {
            return Err(Error::invalid(message));
        }
        if text.is_empty() {
            return Err(Error::invalid("'policy' parameter not supplied or empty"));
        }
        parse_policy(&name, text)?;
        let state = self.unsealed()?;
        let _one_at_a_time = state.policies.writes.lock().await;
        let current = self.policy_storage().get(&format!("{POLICY_PREFIX}{name}")).await?;
        let current: Option<StoredPolicy> = current.and_then(|b| serde_json::from_slice(&b).ok());
        let version = current.as_ref().map_or(0, |p| p.version);
        let required = cas_required.unwrap_or(false) || current.as_ref().is_some_and(|p| p.cas_required);
        match cas {
            None if required => return Err(Error::invalid("check-and-set parameter required for this call")),
            Some(-1) if current.is_some() => {
                return Err(Error::invalid("check-and-set parameter set to -1 on existing entry"));
            }
            Some(expected) if expected >= 0 && expected as u64 != version => {
                return Err(Error::invalid(format!(
                    "check-and-set parameter {expected} did not match the current version {version}"
                )));
            }
            _ => {}
        }
        let stored = StoredPolicy {
            name: name.clone(),
            policy: text.to_string(),
            version: version + 1,
            modified: Some(OffsetDateTime::now_utc()),
            cas_required: cas_required.unwrap_or_else(|| current.is_some_and(|p| p.cas_required)),
        };
        let bytes = serde_json::to_vec(&stored).map_err(Error::internal)?;
        self.policy_storage().put(&format!("{POLICY_PREFIX}{name}"), &bytes).await?;
        state.policies.clear();
        Ok(())
    }

    /// Delete a policy; deleting one that does not exist is not an error.
    pub async fn delete_policy(&self, name: &str) -> Result<(), Error> {
        let name = policy_name(name);
        if let Some(message) = builtin::delete_error(&name) {
            return Err(Error::invalid(message));
        }
        let state = self.unsealed()?;
        self.policy_storage().delete(&format!("{POLICY_PREFIX}{name}")).await?;
        state.policies.clear();
        Ok(())
    }

    /// A parsed policy (cached); `None` when it does not exist.
    async fn parsed_policy(&self, name: &str) -> Result<Option<Arc<Policy>>, Error> {
        let state = self.unsealed()?;
        if let Some(cached) = state.policies.parsed.read().unwrap_or_else(|p| p.into_inner()).get(name) {
            return Ok(cached.clone());
        }
        let parsed = match self.policy(name).await? {
            // A stored policy that no longer parses grants nothing, and says so in the log.
            Some(stored) => match parse_policy(&stored.name, &stored.policy) {
                Ok(policy) => Some(Arc::new(policy)),
                Err(err) => {
                    tracing::error!(policy = %name, error = %err, "a stored policy does not parse; it grants nothing");
                    None
                }
            },
            None => None,
        };
        state.policies.parsed.write().unwrap_or_else(|p| p.into_inner()).insert(name.to_string(), parsed.clone());
        Ok(parsed)
    }

    /// The ACL of a token with `policies` (cached per set).
    pub async fn acl_for(&self, policies: &[String]) -> Result<Arc<Acl>, Error> {
        if policies.iter().any(|p| p == builtin::ROOT) {
            return Ok(Arc::new(Acl::root()));
        }
        let state = self.unsealed()?;
        let mut key: Vec<String> = policies.to_vec();
        key.sort();
        key.dedup();
        if let Some(acl) = state.policies.acls.read().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(acl.clone());
        }
        let mut parsed = Vec::new();
        for name in &key {
            if let Some(policy) = self.parsed_policy(name).await? {
                parsed.push(policy);
            }
        }
        let acl = Arc::new(Acl::new(&parsed));
        state.policies.acls.write().unwrap_or_else(|p| p.into_inner()).insert(key, acl.clone());
        Ok(acl)
    }
}
