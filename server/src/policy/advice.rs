//! The least-privilege advisor: a policy's rules weighed against the requests its
//! tokens actually made. A rule no request used is a candidate to remove, a capability
//! no request used a candidate to trim, and a request the ACL refused a candidate to
//! review (a missing grant, or a client doing what it should not).
//!
//! Which rule served a request is decided by [`Acl::check`] over this policy alone, so
//! the advice follows the enforcement's own matching (most specific rule wins). Request
//! bodies are not in the record, so parameter constraints are not re-checked: a rule
//! counts as used when it matched and grants the operation's capability.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use super::{Acl, AclRequest, Capabilities, Policy};
use crate::logical::Operation;

/// Requests on one path with one operation, as the audit record groups them.
#[derive(Clone, Debug, PartialEq)]
pub struct Usage {
    pub path: String,
    pub operation: String,
    /// The ACL refused it (HTTP 403).
    pub denied: bool,
    pub count: u64,
    pub last: OffsetDateTime,
}

/// One `path` block of the policy and what used it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleAdvice {
    pub pattern: String,
    /// As written: `read`, `list`, `deny`...
    pub capabilities: Vec<&'static str>,
    /// Requests it allowed in the window.
    pub requests: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used: Option<OffsetDateTime>,
    /// Granted capabilities some request used.
    pub used_capabilities: Vec<&'static str>,
    /// Granted capabilities no request used (`sudo` is never listed: it is used by paths,
    /// not operations). All of them when the rule went unused.
    pub unused_capabilities: Vec<&'static str>,
    /// Why the rule was not weighed (an identity template, an expiry, a `deny`); the
    /// rule is then neither used nor unused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_weighed: Option<&'static str>,
}

impl RuleAdvice {
    pub fn unused(&self) -> bool {
        self.not_weighed.is_none() && self.requests == 0
    }
}

/// Requests the ACL refused to tokens holding the policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeniedRequests {
    pub path: String,
    pub operation: String,
    pub count: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub last: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Advice {
    /// In the order written; blocks for the same path are one rule.
    pub rules: Vec<RuleAdvice>,
    /// Most frequent first.
    pub denied: Vec<DeniedRequests>,
    /// Allowed requests no rule of this policy grants (another policy of the token did).
    pub served_elsewhere: u64,
}

/// Weigh `policy`'s rules against `usage` (requests by tokens holding it).
pub fn advise(policy: &Policy, usage: &[Usage]) -> Advice {
    let acl = Acl::new(&[Arc::new(policy.clone())]);
    let mut used: BTreeMap<&str, (u64, Option<OffsetDateTime>, Capabilities)> = BTreeMap::new();
    let mut denied = Vec::new();
    let mut served_elsewhere = 0;
    for group in usage {
        if group.denied {
            denied.push(DeniedRequests {
                path: group.path.clone(),
                operation: group.operation.clone(),
                count: group.count,
                last: group.last,
            });
            continue;
        }
        let Some(operation) = operation(&group.operation) else { continue };
        let Some(needed) = Capabilities::for_operation(operation) else { continue };
        let request = AclRequest { path: &group.path, operation, data: None, sudo_required: false, wrap_ttl: None };
        let rule = acl.check(&request).rule.filter(|rule| rule.capabilities.contains(needed));
        let Some(rule) = rule else {
            served_elsewhere += group.count;
            continue;
        };
        let Some(written) = policy.rules.iter().find(|r| r.path == rule.pattern) else { continue };
        let entry = used.entry(written.path.as_str()).or_insert((0, None, Capabilities::NONE));
        entry.0 += group.count;
        entry.1 = entry.1.max(Some(group.last));
        entry.2.insert(needed);
    }
    denied.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.path.cmp(&b.path)));

    let mut rules: Vec<RuleAdvice> = Vec::new();
    for rule in &policy.rules {
        if let Some(merged) = rules.iter_mut().find(|r| r.pattern == rule.path) {
            let caps: Capabilities = merged
                .capabilities
                .iter()
                .filter_map(|c| Capabilities::from_name(c))
                .fold(rule.capabilities, Capabilities::union);
            merged.capabilities = caps.sorted_names();
            continue;
        }
        let not_weighed = if rule.templated {
            Some("it uses identity templating, which is filled in per token")
        } else if rule.expiration.is_some() {
            Some("it has an expiration")
        } else if rule.capabilities.is_deny() {
            Some("it denies: a deny rule is a guard, not a grant")
        } else {
            None
        };
        rules.push(RuleAdvice {
            pattern: rule.path.clone(),
            capabilities: rule.capabilities.sorted_names(),
            requests: 0,
            last_used: None,
            used_capabilities: Vec::new(),
            unused_capabilities: Vec::new(),
            not_weighed,
        });
    }
    for rule in &mut rules {
        let granted: Capabilities = rule
            .capabilities
            .iter()
            .filter_map(|c| Capabilities::from_name(c))
            .fold(Capabilities::NONE, Capabilities::union);
        let (requests, last, used_caps) =
            used.get(rule.pattern.as_str()).copied().unwrap_or((0, None, Capabilities::NONE));
        rule.requests = requests;
        rule.last_used = last;
        rule.used_capabilities = used_caps.sorted_names();
        if rule.not_weighed.is_none() {
            rule.unused_capabilities = granted
                .sorted_names()
                .into_iter()
                .filter(|c| *c != "sudo" && !rule.used_capabilities.contains(c))
                .collect();
        }
    }
    Advice { rules, denied, served_elsewhere }
}

/// An operation as the audit record names it.
fn operation(name: &str) -> Option<Operation> {
    Some(match name {
        "read" => Operation::Read,
        "create" => Operation::Create,
        "update" => Operation::Update,
        "patch" => Operation::Patch,
        "delete" => Operation::Delete,
        "list" => Operation::List,
        "scan" => Operation::Scan,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::policy::parse_policy;

    const T: OffsetDateTime = datetime!(2026-11-01 12:00 UTC);

    fn usage(path: &str, operation: &str, denied: bool, count: u64) -> Usage {
        Usage { path: path.into(), operation: operation.into(), denied, count, last: T }
    }

    const POLICY: &str = r#"
path "secret/data/app/*" {
  capabilities = ["read", "update"]
}
path "secret/metadata/app/*" {
  capabilities = ["list"]
}
path "secret/data/legacy/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "secret/data/app/admin" {
  capabilities = ["deny"]
}
path "secret/data/{{identity.entity.name}}/*" {
  capabilities = ["read"]
}
"#;

    #[test]
    fn flags_unused_rules_and_capabilities_and_lists_denials() {
        let policy = parse_policy("app", POLICY).unwrap();
        let advice = advise(
            &policy,
            &[
                usage("secret/data/app/db", "read", false, 7),
                usage("secret/metadata/app/", "list", false, 2),
                usage("secret/data/app/admin", "read", true, 3),
                usage("sys/mounts", "read", false, 1),
                usage("secret/data/other", "update", true, 1),
            ],
        );
        let by = |pattern: &str| advice.rules.iter().find(|r| r.pattern == pattern).unwrap();
        let app = by("secret/data/app/*");
        assert_eq!((app.requests, app.last_used), (7, Some(T)));
        assert_eq!((app.used_capabilities.clone(), app.unused_capabilities.clone()), (vec!["read"], vec!["update"]));
        assert!(!app.unused());
        assert_eq!(by("secret/metadata/app/*").requests, 2);
        let legacy = by("secret/data/legacy/*");
        assert!(legacy.unused());
        assert_eq!(legacy.unused_capabilities, ["create", "delete", "read", "update"]);
        assert!(!by("secret/data/app/admin").unused(), "a deny rule is not advice to remove");
        assert!(!by("secret/data/{{identity.entity.name}}/*").unused());
        assert_eq!(advice.served_elsewhere, 1);
        assert_eq!(
            advice.denied.iter().map(|d| (d.path.as_str(), d.count)).collect::<Vec<_>>(),
            [("secret/data/app/admin", 3), ("secret/data/other", 1)]
        );
    }

    #[test]
    fn blocks_for_one_path_are_one_rule() {
        let text = "path \"a/*\" {\n  capabilities = [\"read\"]\n}\npath \"a/*\" {\n  capabilities = [\"list\"]\n}\n";
        let advice = advise(&parse_policy("p", text).unwrap(), &[usage("a/x", "read", false, 1)]);
        assert_eq!(advice.rules.len(), 1);
        assert_eq!(advice.rules[0].capabilities, ["list", "read"]);
        assert_eq!(advice.rules[0].unused_capabilities, ["list"]);
    }
}
