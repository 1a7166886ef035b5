//! Token roles (`auth/token/roles/<name>`): presets that constrain and shape the tokens
//! created through `auth/token/create/<name>`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::store::ROLE_PREFIX;
use crate::logical::{Error, Storage};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Role {
    pub name: String,
    pub allowed_policies: Vec<String>,
    pub disallowed_policies: Vec<String>,
    pub allowed_policies_glob: Vec<String>,
    pub disallowed_policies_glob: Vec<String>,
    pub orphan: bool,
    pub renewable: bool,
    pub path_suffix: String,
    pub allowed_entity_aliases: Option<Vec<String>>,
    pub token_type: String,
    pub token_explicit_max_ttl: u64,
    pub token_period: u64,
    pub token_no_default_policy: bool,
    pub token_num_uses: i64,
    pub token_bound_cidrs: Vec<String>,
    /// The deprecated `period`, `explicit_max_ttl` and `bound_cidrs` as last written. Vault
    /// keeps them apart from the `token_*` fields (which alone take effect) and shows
    /// them on read: set only when the deprecated name was used, cleared by the new one.
    pub period: u64,
    pub explicit_max_ttl: u64,
    pub bound_cidrs: Vec<String>,
}

impl Default for Role {
    fn default() -> Self {
        Role {
            name: String::new(),
            allowed_policies: vec![],
            disallowed_policies: vec![],
            allowed_policies_glob: vec![],
            disallowed_policies_glob: vec![],
            orphan: false,
            renewable: true,
            path_suffix: String::new(),
            allowed_entity_aliases: None,
            token_type: "default-service".into(),
            token_explicit_max_ttl: 0,
            token_period: 0,
            token_no_default_policy: false,
            token_num_uses: 0,
            token_bound_cidrs: vec![],
            period: 0,
            explicit_max_ttl: 0,
            bound_cidrs: vec![],
        }
    }
}

impl Role {
    pub async fn load(storage: &dyn Storage, name: &str) -> Result<Option<Role>, Error> {
        match storage.get(&format!("{ROLE_PREFIX}{}", name.to_lowercase())).await? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| Error::Internal(format!("a stored token role is corrupt: {e}"))),
            None => Ok(None),
        }
    }

    pub async fn save(&self, storage: &dyn Storage) -> Result<(), Error> {
        let bytes = serde_json::to_vec(self).map_err(Error::internal)?;
        storage.put(&format!("{ROLE_PREFIX}{}", self.name), &bytes).await?;
        Ok(())
    }

    pub async fn delete(storage: &dyn Storage, name: &str) -> Result<(), Error> {
        storage.delete(&format!("{ROLE_PREFIX}{}", name.to_lowercase())).await?;
        Ok(())
    }

    pub async fn list(storage: &dyn Storage) -> Result<Vec<String>, Error> {
        Ok(storage.list(ROLE_PREFIX).await?)
    }

    /// The checks Vault makes when a role is written.
    pub fn validate(&self) -> Result<(), Error> {
        if !self.path_suffix.is_empty() {
            let ok = self.path_suffix.split('/').all(|seg| {
                seg.len() >= 3
                    && seg != ".."
                    && seg.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
            });
            if !ok {
                return Err(Error::invalid(
                    "given role path suffix contains invalid characters; must match \\w[\\w-.]+\\w",
                ));
            }
        }
        if !matches!(self.token_type.as_str(), "service" | "batch" | "default-service" | "default-batch") {
            return Err(Error::invalid(format!("invalid 'token_type' value {:?}", self.token_type)));
        }
        if self.token_type == "batch" {
            let reason = if !self.orphan {
                Some("generate non-orphan tokens")
            } else if self.token_period > 0 {
                Some("generate periodic tokens")
            } else if self.renewable {
                Some("generate renewable tokens")
            } else if self.token_explicit_max_ttl > 0 {
                Some("generate tokens with an explicit max TTL")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(Error::invalid(format!("'token_type' cannot be 'batch' when role is set to {reason}")));
            }
        }
        Ok(())
    }

    /// The role as `GET auth/token/roles/<name>` shows it.
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "allowed_entity_aliases": self.allowed_entity_aliases,
            "allowed_policies": self.allowed_policies,
            "allowed_policies_glob": self.allowed_policies_glob,
            "disallowed_policies": self.disallowed_policies,
            "disallowed_policies_glob": self.disallowed_policies_glob,
            "explicit_max_ttl": self.explicit_max_ttl,
            "name": self.name,
            "orphan": self.orphan,
            "path_suffix": self.path_suffix,
            "period": self.period,
            "renewable": self.renewable,
            "token_explicit_max_ttl": self.token_explicit_max_ttl,
            "token_no_default_policy": self.token_no_default_policy,
            "token_period": self.token_period,
            "token_type": self.token_type,
        });
        if !self.token_bound_cidrs.is_empty() {
            out["token_bound_cidrs"] = json!(self.token_bound_cidrs);
        }
        if !self.bound_cidrs.is_empty() {
            out["bound_cidrs"] = json!(self.bound_cidrs);
        }
        if self.token_num_uses != 0 {
            out["token_num_uses"] = json!(self.token_num_uses);
        }
        out
    }
}

/// `*` anywhere in `pattern` matches any run of characters.
pub fn glob_match(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == value;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !value.starts_with(first) || !value[first.len()..].ends_with(last) || value.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &value[first.len()..value.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_vaults() {
        assert!(glob_match("dev-*", "dev-team"));
        assert!(glob_match("*-prod", "db-prod"));
        assert!(glob_match("a*c*e", "abcde"));
        assert!(!glob_match("a*c*e", "abde"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("ab*ba", "aba"));
    }

    #[test]
    fn batch_roles_must_be_plain_orphans() {
        let role = Role { token_type: "batch".into(), ..Default::default() };
        assert!(role.validate().unwrap_err().to_string().contains("non-orphan"));
        let role = Role { token_type: "batch".into(), orphan: true, renewable: false, ..Default::default() };
        assert!(role.validate().is_ok());
        let role = Role { path_suffix: "v1".into(), ..Default::default() };
        assert!(role.validate().is_err());
    }
}
