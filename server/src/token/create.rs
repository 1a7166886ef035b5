//! Creating child tokens (`auth/token/create*`) with Vault's rules: who may ask for what
//! policies, orphans, ids and periods, and how long the token lives.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::TokenEntry;
use super::roles::{Role, glob_match};
use super::store::{TokenStore, validate_custom_id};
use super::ttl::calculate_ttl;
use crate::crypto;
use crate::logical::Error;

/// What the caller asked for.
#[derive(Clone, Debug, Default)]
pub struct CreateRequest {
    pub id: Option<String>,
    pub policies: Option<Vec<String>>,
    pub meta: BTreeMap<String, String>,
    pub no_parent: bool,
    pub no_default_policy: bool,
    pub renewable: bool,
    pub ttl: u64,
    pub explicit_max_ttl: u64,
    pub period: u64,
    pub num_uses: i64,
    pub display_name: String,
    /// `""`, `service` or `batch`.
    pub token_type: String,
    pub entity_alias: String,
    /// Asked through `create-orphan`.
    pub orphan_path: bool,
}

/// Who is asking, and where.
pub struct CreateContext<'a> {
    pub parent: &'a TokenEntry,
    /// The caller may use `sudo` on the request path (or is root).
    pub sudo: bool,
    pub role: Option<&'a Role>,
    /// `auth/token/create`, `…/create-orphan`, `…/create/<role>`.
    pub path: String,
    pub mount_default_ttl: u64,
    pub mount_max_ttl: u64,
}

pub struct Created {
    pub token: Zeroizing<String>,
    pub entry: TokenEntry,
    pub warnings: Vec<String>,
}

/// Lowercased, trimmed, de-duplicated and sorted; `root` stands alone.
pub fn sanitize_policies(policies: &[String]) -> Vec<String> {
    let mut out: Vec<String> = policies.iter().map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect();
    out.sort();
    out.dedup();
    if out.iter().any(|p| p == "root") {
        return vec!["root".into()];
    }
    out
}

/// A list as Go's `%q` prints it: `["a" "b"]`.
fn go_quoted(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(" "))
}

/// `token` or `token-<name>`, with every character outside `[a-zA-Z0-9-]` turned into `-`.
pub fn display_name(name: &str) -> String {
    if name.is_empty() {
        return "token".into();
    }
    let mut munged: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    if munged.ends_with('-') {
        munged.pop();
    }
    format!("token-{munged}")
}

/// Create the token. The caller stores the result (`TokenStore::insert`).
pub async fn create(store: &TokenStore, req: CreateRequest, ctx: CreateContext<'_>) -> Result<Created, Error> {
    let parent = ctx.parent;
    if parent.num_uses != 0 {
        return Err(Error::invalid("restricted use token cannot generate child tokens"));
    }
    let token_type = match ctx.role.map(|r| r.token_type.as_str()) {
        Some("service") => "service",
        Some("batch") => "batch",
        Some("default-batch") if req.token_type.is_empty() => "batch",
        _ if req.token_type.is_empty() || req.token_type == "service" => "service",
        _ if req.token_type == "batch" => "batch",
        _ => return Err(Error::invalid("invalid 'token_type' value")),
    };
    if token_type == "batch" {
        return Err(Error::invalid("batch tokens are not supported; create a service token"));
    }
    if req.num_uses < 0 {
        return Err(Error::invalid("number of uses cannot be negative"));
    }
    if !req.entity_alias.is_empty() {
        return Err(Error::invalid(if ctx.role.is_none() {
            "'entity_alias' is only allowed in combination with token role"
        } else {
            "'entity_alias' needs identity entities, which are not supported yet"
        }));
    }
    let token = match &req.id {
        Some(id) if !id.is_empty() => {
            if !ctx.sudo {
                return Err(Error::invalid("root or sudo privileges required to specify token id"));
            }
            validate_custom_id(id)?;
            if store.entry(&store.hash(id)).await?.is_some() {
                return Err(Error::invalid("cannot create a token with a duplicate ID"));
            }
            Zeroizing::new(id.clone())
        }
        _ => TokenStore::new_token_id()?,
    };

    let policies = resolve_policies(&req, &ctx)?;
    if policies.iter().any(|p| p == "root") && !parent.is_root() {
        return Err(Error::invalid("root tokens may not be created without parent token being root"));
    }
    let orphan = match ctx.role {
        Some(role) => role.orphan,
        None => {
            if req.no_parent && !ctx.sudo && !req.orphan_path {
                return Err(Error::invalid("root or sudo privileges required to create orphan token"));
            }
            req.no_parent || req.orphan_path
        }
    };
    if req.period > 0 && !ctx.sudo {
        return Err(Error::invalid("root or sudo privileges required to create periodic token"));
    }

    let mut warnings = Vec::new();
    let (mut explicit_max, mut period) = (req.explicit_max_ttl, req.period);
    if let Some(role) = ctx.role {
        if role.token_explicit_max_ttl > 0 {
            if explicit_max > 0 {
                explicit_max = explicit_max.min(role.token_explicit_max_ttl);
                warnings.push(format!(
                    "Explicit max TTL specified both during creation call and in role; using the lesser value of {explicit_max} seconds"
                ));
            } else {
                explicit_max = role.token_explicit_max_ttl;
            }
        }
        if role.token_period > 0 {
            if period > 0 {
                period = period.min(role.token_period);
                warnings.push(format!(
                    "Period specified both during creation call and in role; using the lesser value of {period} seconds"
                ));
            } else {
                period = role.token_period;
            }
        }
    }
    let never_expires = policies == ["root"] && req.ttl == 0 && period == 0 && explicit_max == 0;
    let ttl = if never_expires {
        if parent.expire_time.is_some() {
            return Err(Error::invalid("expiring root tokens cannot create non-expiring root tokens"));
        }
        0
    } else {
        let (ttl, capped) = calculate_ttl(req.ttl, period, explicit_max, ctx.mount_default_ttl, ctx.mount_max_ttl, 0);
        warnings.extend(capped);
        ttl
    };
    let num_uses = match ctx.role.map(|r| r.token_num_uses).filter(|n| *n > 0) {
        Some(role_uses) if req.num_uses > 0 => req.num_uses.min(role_uses),
        Some(role_uses) => role_uses,
        None => req.num_uses,
    };
    let renewable = req.renewable && ttl > 0 && ctx.role.is_none_or(|r| r.renewable);
    let max_ttl = if explicit_max > 0 { ctx.mount_max_ttl.min(explicit_max) } else { ctx.mount_max_ttl };

    let now = OffsetDateTime::now_utc();
    let entry = TokenEntry {
        id_hash: store.hash(&token),
        accessor: crypto::random_base62(24).map_err(Error::Internal)?,
        parent: if orphan { String::new() } else { parent.id_hash.clone() },
        policies,
        path: ctx.path.clone(),
        meta: req.meta,
        display_name: display_name(&req.display_name),
        num_uses,
        creation_time: now.unix_timestamp(),
        issue_time: now,
        creation_ttl: ttl,
        ttl,
        expire_time: (ttl > 0).then(|| now + time::Duration::seconds(ttl as i64)),
        explicit_max_ttl: req.explicit_max_ttl,
        period: req.period,
        max_ttl: if never_expires { 0 } else { max_ttl },
        renewable,
        role: ctx.role.map(|r| r.name.clone()).unwrap_or_default(),
        entity_id: if orphan { String::new() } else { parent.entity_id.clone() },
        bound_cidrs: ctx.role.map(|r| r.token_bound_cidrs.clone()).unwrap_or_else(|| parent.bound_cidrs.clone()),
        last_renewal: None,
        orphan,
        lease_id: String::new(),
    };
    Ok(Created { token, entry, warnings })
}

/// The policies the new token gets (Vault's rules, §2.1 of the notes).
fn resolve_policies(req: &CreateRequest, ctx: &CreateContext<'_>) -> Result<Vec<String>, Error> {
    let requested = req.policies.as_deref().map(sanitize_policies).unwrap_or_default();
    if let Some(bad) = requested.iter().find(|p| *p == "response-wrapping") {
        return Err(Error::invalid(format!("cannot assign policy {bad:?}")));
    }
    let parent = &ctx.parent.policies;
    let no_default = req.no_default_policy || ctx.role.is_some_and(|r| r.token_no_default_policy);
    let with_default = |mut policies: Vec<String>, add: bool| {
        if add && !no_default && !policies.iter().any(|p| p == "root") {
            policies.push("default".into());
        }
        if no_default {
            policies.retain(|p| p != "default");
        }
        sanitize_policies(&policies)
    };

    let role_lists = ctx.role.filter(|r| {
        !(r.allowed_policies.is_empty()
            && r.allowed_policies_glob.is_empty()
            && r.disallowed_policies.is_empty()
            && r.disallowed_policies_glob.is_empty())
    });
    if let Some(role) = role_lists {
        let allowed_listed = !role.allowed_policies.is_empty() || !role.allowed_policies_glob.is_empty();
        let base = if requested.is_empty() {
            if allowed_listed { role.allowed_policies.clone() } else { parent.clone() }
        } else {
            requested.clone()
        };
        let policies = with_default(base, true);
        if allowed_listed {
            let allowed = |p: &String| {
                role.allowed_policies.contains(p) || role.allowed_policies_glob.iter().any(|g| glob_match(g, p))
            };
            if let Some(_p) = policies.iter().find(|p| *p != "default" && !allowed(p)) {
                // Worded and formatted (Go's %q of a list) as OpenBao's, "default" included.
                let allowed_shown = with_default(role.allowed_policies.clone(), true);
                return Err(Error::invalid(format!(
                    "token policies ({}) must be subset of the role's allowed policies ({}) or glob policies ({})",
                    go_quoted(&policies),
                    go_quoted(&allowed_shown),
                    go_quoted(&role.allowed_policies_glob)
                )));
            }
        }
        if let Some(p) = policies.iter().find(|p| {
            role.disallowed_policies.contains(p) || role.disallowed_policies_glob.iter().any(|g| glob_match(g, p))
        }) {
            return Err(Error::invalid(format!("token policy {p:?} is disallowed by this role")));
        }
        return Ok(policies);
    }

    if requested.is_empty() {
        return Ok(with_default(parent.clone(), false));
    }
    if !ctx.sudo && !ctx.parent.is_root() {
        let parent_has = |p: &String| parent.contains(p);
        if requested.iter().any(|p| !parent_has(p)) {
            return Err(Error::invalid("child policies must be subset of parent"));
        }
        return Ok(with_default(requested, parent.iter().any(|p| p == "default")));
    }
    Ok(with_default(requested, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parent(policies: &[&str]) -> TokenEntry {
        let now = OffsetDateTime::now_utc();
        TokenEntry::orphan("p".into(), "a".into(), policies.iter().map(|p| p.to_string()).collect(), now)
    }

    fn resolve(parent_policies: &[&str], sudo: bool, req: CreateRequest) -> Result<Vec<String>, Error> {
        let p = parent(parent_policies);
        let ctx = CreateContext {
            parent: &p,
            sudo,
            role: None,
            path: "auth/token/create".into(),
            mount_default_ttl: 2_764_800,
            mount_max_ttl: 2_764_800,
        };
        resolve_policies(&req, &ctx)
    }

    fn asking(policies: &[&str]) -> CreateRequest {
        CreateRequest { policies: Some(policies.iter().map(|p| p.to_string()).collect()), ..Default::default() }
    }

    #[test]
    fn children_get_at_most_their_parents_policies() {
        let err = resolve(&["default", "x", "y"], false, asking(&["z"])).unwrap_err();
        assert_eq!(err.to_string(), "child policies must be subset of parent");
        assert_eq!(resolve(&["default", "x", "y"], false, asking(&["x"])).unwrap(), vec!["default", "x"]);
        assert_eq!(
            resolve(&["default", "x", "y"], false, CreateRequest::default()).unwrap(),
            vec!["default", "x", "y"]
        );
        let no_default = CreateRequest { no_default_policy: true, ..asking(&["x"]) };
        assert_eq!(resolve(&["default", "x", "y"], false, no_default).unwrap(), vec!["x"]);
        assert_eq!(resolve(&["x", "y"], false, asking(&["x"])).unwrap(), vec!["x"]);
        assert!(resolve(&["x", "y"], false, asking(&["x", "default"])).is_err());
        assert_eq!(resolve(&["root"], true, CreateRequest::default()).unwrap(), vec!["root"]);
        assert_eq!(resolve(&["root"], true, asking(&["x"])).unwrap(), vec!["default", "x"]);
        assert_eq!(resolve(&["default", "x"], true, asking(&["z"])).unwrap(), vec!["default", "z"]);
        assert_eq!(resolve(&["root"], true, asking(&["X", " x "])).unwrap(), vec!["default", "x"]);
        assert!(resolve(&["root"], true, asking(&["response-wrapping"])).is_err());
    }

    #[test]
    fn display_names_are_munged() {
        assert_eq!(display_name("My App!"), "token-My-App");
        assert_eq!(display_name("terraform"), "token-terraform");
        assert_eq!(display_name(""), "token");
    }
}
