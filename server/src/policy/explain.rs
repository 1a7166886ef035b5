//! Why the ACL allows or denies a request, in words: the answer behind the console's
//! "what can this token do here" simulator (an endpoint Vault lacks).
//!
//! Invariant: an explanation is derived from [`Acl::check`]'s decision, never computed
//! separately, so it cannot disagree with what the pipeline enforces.

use serde::Serialize;
use serde_json::{Map, Value};

use super::Capabilities;
use super::acl::{Acl, AclDecision, AclRequest, MatchedRule, Reason, request_path};
use crate::logical::Operation;

/// The outcome of one request, with the deciding rule and a sentence saying why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub allowed: bool,
    /// The path as the ACL matched it (LIST/SCAN with its trailing `/`).
    pub path: String,
    pub operation: &'static str,
    /// The capability the operation needs (absent for help).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capability: Option<&'static str>,
    /// The rule that decided; `null` when none matched (or for root and help).
    pub rule: Option<MatchedRule>,
    /// E.g. `denied: policy "dev" grants [read, list] on "secret/data/*", not update`.
    pub reason: String,
}

impl Acl {
    /// Decide `operation` on `path` with `data` (a path that is not root-protected, an
    /// unwrapped request) and say why.
    pub fn explain(&self, path: &str, operation: Operation, data: Option<&Map<String, Value>>) -> Explanation {
        self.explain_request(&AclRequest { path, operation, data, sudo_required: false, wrap_ttl: None })
    }

    /// Decide `req` and say why; for callers that know whether the path needs `sudo`
    /// or what wrapping TTL the request asks for.
    pub fn explain_request(&self, req: &AclRequest) -> Explanation {
        let decision = self.check(req);
        let list_like = matches!(req.operation, Operation::List | Operation::Scan);
        let path = request_path(req.path, list_like).into_owned();
        let capability = Capabilities::for_operation(req.operation).and_then(|c| c.names().first().copied());
        let reason = sentence(&decision, &path, capability.unwrap_or("help"), req.wrap_ttl);
        Explanation {
            allowed: decision.allowed,
            path,
            operation: req.operation.as_str(),
            capability,
            rule: decision.rule,
            reason,
        }
    }
}

fn sentence(decision: &AclDecision, path: &str, capability: &str, wrap_ttl: Option<u64>) -> String {
    let Some(rule) = &decision.rule else {
        return match decision.reason {
            Reason::Root => "allowed: the root policy allows everything".into(),
            Reason::Help => "allowed: help is open to every token".into(),
            _ => format!("denied: no rule in the token's policies matches {path:?}"),
        };
    };
    let pattern = &rule.pattern;
    let owners = policies(&rule.policies);
    let grants = if rule.policies.len() == 1 { "grants" } else { "grant" };
    let granted = if rule.capabilities.is_empty() { "nothing".to_string() } else { rule.capabilities.to_string() };
    match &decision.reason {
        Reason::Granted => {
            let givers = policies(&decision.granting_policies);
            let verb = if decision.granting_policies.len() == 1 { "grants" } else { "grant" };
            format!("allowed: {givers} {verb} {capability} on {pattern:?}")
        }
        Reason::Deny => {
            let verb = if rule.policies.len() == 1 { "denies" } else { "deny" };
            format!("denied: {owners} {verb} {pattern:?}")
        }
        Reason::MissingCapability => format!("denied: {owners} {grants} {granted} on {pattern:?}, not {capability}"),
        Reason::Wrapping { min, max } => wrapping(pattern, *min, *max, wrap_ttl),
        Reason::RequiredParameter(name) => format!("denied: {pattern:?} requires parameter {name:?}"),
        Reason::AllParametersDenied => format!("denied: {pattern:?} denies every parameter"),
        Reason::DeniedParameter(name) => format!("denied: parameter {name:?} is denied by {pattern:?}"),
        Reason::ParameterNotAllowed(name) => format!("denied: parameter {name:?} is not allowed by {pattern:?}"),
        Reason::ParameterValueNotAllowed(name) => {
            format!("denied: this value of parameter {name:?} is not allowed by {pattern:?}")
        }
        Reason::PageSize { limit } => {
            format!("denied: {pattern:?} allows pages of at most {limit} keys; send limit=0..{limit} or limit=max")
        }
        Reason::SudoRequired => {
            format!("denied: {path:?} needs sudo; {owners} {grants} {granted} on {pattern:?}")
        }
        Reason::Root | Reason::Help | Reason::NoRule => format!("{decision:?}"),
    }
}

fn wrapping(pattern: &str, min: u64, max: u64, wrap_ttl: Option<u64>) -> String {
    let requested = match wrap_ttl {
        Some(ttl) => format!("the request asked for {}", duration(ttl)),
        None => "the request was not wrapped".to_string(),
    };
    let needed = match (min, max) {
        (0, max) => format!("at most {}", duration(max)),
        (min, 0) => format!("at least {}", duration(min)),
        (min, max) if max < min => {
            let (min, max) = (duration(min), duration(max));
            return format!(
                "denied: the policies on {pattern:?} require a wrapping TTL of at least {min} and at most {max}, \
                 which no request can meet"
            );
        }
        (min, max) => format!("between {} and {}", duration(min), duration(max)),
    };
    format!("denied: {pattern:?} requires response wrapping with a TTL of {needed}; {requested}")
}

/// `policy "dev"` or `policies "dev", "ops"`.
fn policies(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.len() {
        0 => "no policy".to_string(),
        1 => format!("policy {}", quoted.join("")),
        _ => format!("policies {}", quoted.join(", ")),
    }
}

/// `90s`, `5m`, `2h`: the largest unit that divides evenly.
fn duration(secs: u64) -> String {
    match secs {
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::policy::parse_policy;

    fn acl(policies: &[(&str, &str)]) -> Acl {
        let parsed: Vec<_> = policies.iter().map(|(n, t)| Arc::new(parse_policy(n, t).unwrap())).collect();
        Acl::new(&parsed)
    }

    fn explain(acl: &Acl, path: &str, operation: Operation, data: Value) -> Explanation {
        let data: Map<String, Value> = serde_json::from_value(data).unwrap();
        acl.explain(path, operation, Some(&data))
    }

    #[test]
    fn a_missing_capability() {
        let acl = acl(&[("dev", r#"path "secret/data/*" { capabilities = ["read", "list"] }"#)]);
        let e = explain(&acl, "secret/data/app", Operation::Update, json!({}));
        assert!(!e.allowed);
        assert_eq!(e.reason, r#"denied: policy "dev" grants [read, list] on "secret/data/*", not update"#);
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({
                "allowed": false,
                "path": "secret/data/app",
                "operation": "update",
                "capability": "update",
                "rule": {"pattern": "secret/data/*", "kind": "prefix", "capabilities": ["read", "list"], "policies": ["dev"]},
                "reason": "denied: policy \"dev\" grants [read, list] on \"secret/data/*\", not update",
            })
        );
    }

    #[test]
    fn allowed_and_by_whom() {
        let acl = acl(&[
            ("dev", r#"path "secret/data/*" { capabilities = ["read"] }"#),
            ("ops", r#"path "secret/data/*" { capabilities = ["read", "update"] }"#),
        ]);
        let e = explain(&acl, "secret/data/app", Operation::Read, json!({}));
        assert!(e.allowed);
        assert_eq!(e.reason, r#"allowed: policies "dev", "ops" grant read on "secret/data/*""#);
        let e = explain(&acl, "secret/data/app", Operation::Update, json!({}));
        assert_eq!(e.reason, r#"allowed: policy "ops" grants update on "secret/data/*""#);
        let e = explain(&acl, "secret/data/app", Operation::List, json!({}));
        assert_eq!(e.path, "secret/data/app/");
        assert_eq!(e.reason, r#"denied: policies "dev", "ops" grant [read, update] on "secret/data/*", not list"#);
    }

    #[test]
    fn sudo_deny_and_no_rule() {
        let acl = acl(&[
            ("ops", r#"path "sys/auth/*" { capabilities = ["update"] }"#),
            ("lock", r#"path "kv/d/*" { capabilities = ["deny"] }"#),
            ("empty", r#"path "kv/e" { capabilities = [] }"#),
        ]);
        let req = AclRequest {
            path: "sys/auth/x",
            operation: Operation::Update,
            data: None,
            sudo_required: true,
            wrap_ttl: None,
        };
        let e = acl.explain_request(&req);
        assert_eq!(e.reason, r#"denied: "sys/auth/x" needs sudo; policy "ops" grants [update] on "sys/auth/*""#);
        let e = explain(&acl, "kv/d/1", Operation::Read, json!({}));
        assert_eq!(e.reason, r#"denied: policy "lock" denies "kv/d/*""#);
        let e = explain(&acl, "kv/e", Operation::Read, json!({}));
        assert_eq!(e.reason, r#"denied: policy "empty" grants nothing on "kv/e", not read"#);
        let e = explain(&acl, "/kv/zzz", Operation::Read, json!({}));
        assert_eq!((e.rule, e.path.as_str()), (None, "kv/zzz"));
        assert_eq!(e.reason, r#"denied: no rule in the token's policies matches "kv/zzz""#);
    }

    #[test]
    fn parameters_and_wrapping() {
        let text = r#"
path "kv/m/x" {
  capabilities = ["update"]
  allowed_parameters = { "a" = ["1"], "r" = [], "d" = [] }
  denied_parameters = { "d" = [] }
  required_parameters = ["r"]
}
path "kv/w" {
  capabilities = ["read"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = "1h"
}
path "kv/all" {
  capabilities = ["update"]
  denied_parameters = { "*" = [] }
}
"#;
        let acl = acl(&[("p", text)]);
        let reason = |data: Value| explain(&acl, "kv/m/x", Operation::Update, data).reason;
        assert_eq!(reason(json!({"r": 1, "x": 1})), r#"denied: parameter "x" is not allowed by "kv/m/x""#);
        assert_eq!(
            reason(json!({"r": 1, "a": "2"})),
            r#"denied: this value of parameter "a" is not allowed by "kv/m/x""#
        );
        assert_eq!(reason(json!({"r": 1, "d": "2"})), r#"denied: parameter "d" is denied by "kv/m/x""#);
        assert_eq!(reason(json!({"a": "1"})), r#"denied: "kv/m/x" requires parameter "r""#);
        let all = explain(&acl, "kv/all", Operation::Update, json!({"x": 1}));
        assert_eq!(all.reason, r#"denied: "kv/all" denies every parameter"#);
        let wrap = |ttl| {
            acl.explain_request(&AclRequest {
                path: "kv/w",
                operation: Operation::Read,
                data: None,
                sudo_required: false,
                wrap_ttl: ttl,
            })
        };
        assert_eq!(
            wrap(None).reason,
            r#"denied: "kv/w" requires response wrapping with a TTL of between 1m and 1h; the request was not wrapped"#
        );
        assert!(wrap(Some(7200)).reason.ends_with("the request asked for 2h"));
        assert!(wrap(Some(300)).allowed);
    }

    #[test]
    fn root_and_help() {
        let root = Acl::root();
        let e = explain(&root, "sys/rotate", Operation::Update, json!({}));
        assert!(e.allowed);
        assert_eq!(e.reason, "allowed: the root policy allows everything");
        let e = explain(&Acl::new(&[]), "kv/x", Operation::Help, json!({}));
        assert!(e.allowed);
        assert_eq!((e.capability, e.reason.as_str()), (None, "allowed: help is open to every token"));
    }

    #[test]
    fn durations_and_names_read_naturally() {
        assert_eq!(duration(3600), "1h");
        assert_eq!(duration(300), "5m");
        assert_eq!(duration(90), "90s");
        assert_eq!(duration(0), "0s");
        assert_eq!(policies(&["dev".into()]), "policy \"dev\"");
        assert_eq!(policies(&["a".into(), "b".into()]), "policies \"a\", \"b\"");
    }
}
