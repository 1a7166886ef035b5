//! The ACL: a token's policies merged into one rule set, and the decision for each request.
//!
//! Invariants:
//! * rules are merged per (kind, pattern): every block for `kv/*` in every policy
//!   becomes one rule (§2.5); rules of different kinds or patterns never merge;
//! * lookup follows OpenBao (§2.3): an exact rule wins outright, then for LIST/SCAN the
//!   exact rule without the trailing `/`, then the best of the longest prefix rule and
//!   the matching `+` rules, then for LIST/SCAN the same without the trailing `/`;
//! * a request is allowed only if a rule matched and every check passed, in the order
//!   capability, wrapping TTL, parameters (or page size), sudo;
//! * identity-templated rules (`{{identity.entity.id}}`) are skipped until the
//!   token's entity can fill them in; expired rules are skipped;
//! * an ACL holding the `root` policy allows everything.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::params::{check_page_size, check_parameters};
use super::parse::merge_parameter;
use super::{Capabilities, PathRule, Policy, RuleKind};
use crate::logical::Operation;

/// The merged rules of a token's policies.
#[derive(Clone, Debug, Default)]
pub struct Acl {
    root: bool,
    exact: BTreeMap<String, Merged>,
    /// Keyed by the prefix (the pattern without its `*`).
    prefix: BTreeMap<String, Merged>,
    /// The distinct lengths of the `prefix` keys, longest first.
    prefix_lengths: Vec<usize>,
    /// Keyed by the whole pattern.
    segment: BTreeMap<String, Merged>,
}

/// All blocks for one pattern, merged, and who contributed what.
#[derive(Clone, Debug)]
struct Merged {
    rule: PathRule,
    /// Each contributing block's policy and capabilities, in merge order.
    sources: Vec<(String, Capabilities)>,
}

/// What to decide: the request as the ACL sees it.
#[derive(Clone, Copy, Debug)]
pub struct AclRequest<'a> {
    /// The full request path (before routing), e.g. `secret/data/app`.
    pub path: &'a str,
    pub operation: Operation,
    /// The body fields, or the query parameters of a read or list.
    pub data: Option<&'a Map<String, Value>>,
    /// The path is root-protected: the rule must grant `sudo` too.
    pub sudo_required: bool,
    /// The response-wrapping TTL the client asked for, in seconds.
    pub wrap_ttl: Option<u64>,
}

/// The rule that decided a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchedRule {
    /// The pattern as written (a prefix rule with its `*`).
    pub pattern: String,
    pub kind: RuleKind,
    /// The merged capabilities of the pattern across all policies.
    pub capabilities: Capabilities,
    /// The policies that contributed: for a deny rule, those that denied.
    pub policies: Vec<String>,
}

/// Why a request was allowed or denied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The token has the root policy.
    Root,
    /// Help is open to every token.
    Help,
    /// The rule grants the capability and every constraint held.
    Granted,
    /// No rule matches the path.
    NoRule,
    /// The matching rule is `deny`.
    Deny,
    /// The matching rule lacks the capability the operation needs.
    MissingCapability,
    /// The request was not wrapped, or its wrap TTL is outside `min..=max` (0 = unset),
    /// or the merged limits contradict each other.
    Wrapping { min: u64, max: u64 },
    /// A `required_parameters` entry is missing from the request.
    RequiredParameter(String),
    /// `denied_parameters` holds `*`.
    AllParametersDenied,
    /// The parameter (with this value) is in `denied_parameters`.
    DeniedParameter(String),
    /// The parameter is not in `allowed_parameters`.
    ParameterNotAllowed(String),
    /// The parameter is allowed, but not with this value.
    ParameterValueNotAllowed(String),
    /// A LIST/SCAN `limit` is missing (and required), not a number, or above the rule's
    /// `pagination_limit`.
    PageSize { limit: u64 },
    /// The path is root-protected and the rule lacks `sudo`.
    SudoRequired,
}

/// The ACL's answer for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclDecision {
    pub allowed: bool,
    /// The rule that decided; `None` for root, help, or when no rule matched.
    pub rule: Option<MatchedRule>,
    pub reason: Reason,
    /// The policies granting the operation's capability on the rule (for audit).
    pub granting_policies: Vec<String>,
    /// LIST/SCAN on a rule with `pagination_limit`: the caller sets `limit` to this when
    /// the request left it out, or sent 0 or `max`.
    pub pagination_limit: Option<u64>,
    /// LIST/SCAN: the rule's `list_scan_response_keys_filter_path`, for the caller to
    /// filter the keys of the response.
    pub list_scan_response_keys_filter_path: Option<String>,
}

impl AclDecision {
    fn without_rule(allowed: bool, reason: Reason) -> AclDecision {
        AclDecision {
            allowed,
            rule: None,
            reason,
            granting_policies: Vec::new(),
            pagination_limit: None,
            list_scan_response_keys_filter_path: None,
        }
    }
}

impl Acl {
    /// The ACL of a token holding `policies`. Any policy named `root` makes it a root
    /// ACL (a root token carries no other policy).
    pub fn new(policies: &[Arc<Policy>]) -> Acl {
        Acl::new_at(policies, OffsetDateTime::now_utc())
    }

    /// As [`Acl::new`], with rules that expired by `now` left out.
    pub fn new_at(policies: &[Arc<Policy>], now: OffsetDateTime) -> Acl {
        if policies.iter().any(|p| p.name == "root") {
            return Acl::root();
        }
        let mut acl = Acl::default();
        for policy in policies {
            for rule in &policy.rules {
                // Templated rules wait for the token's entity (a later change fills them in).
                if !rule.templated && rule.expiration.is_none_or(|t| t > now) {
                    acl.insert(&policy.name, rule);
                }
            }
        }
        acl.prefix_lengths = acl.prefix.keys().map(String::len).collect();
        acl.prefix_lengths.sort_unstable_by(|a, b| b.cmp(a));
        acl.prefix_lengths.dedup();
        acl
    }

    /// The ACL of the root policy: everything is allowed.
    pub fn root() -> Acl {
        Acl { root: true, ..Acl::default() }
    }

    pub fn is_root(&self) -> bool {
        self.root
    }

    fn insert(&mut self, policy: &str, rule: &PathRule) {
        let map = match rule.kind {
            RuleKind::Exact => &mut self.exact,
            RuleKind::Prefix => &mut self.prefix,
            RuleKind::Segment => &mut self.segment,
        };
        let source = (policy.to_string(), rule.capabilities);
        match map.get_mut(rule.key()) {
            Some(merged) => {
                merge(&mut merged.rule, rule);
                merged.sources.push(source);
            }
            None => {
                map.insert(rule.key().to_string(), Merged { rule: rule.clone(), sources: vec![source] });
            }
        }
    }

    /// Decide `req`.
    pub fn check(&self, req: &AclRequest) -> AclDecision {
        if self.root {
            return AclDecision::without_rule(true, Reason::Root);
        }
        let Some(needed) = Capabilities::for_operation(req.operation) else {
            return AclDecision::without_rule(true, Reason::Help);
        };
        let list_like = matches!(req.operation, Operation::List | Operation::Scan);
        let path = request_path(req.path, list_like);
        let Some(merged) = self.lookup(&path, list_like) else {
            return AclDecision::without_rule(false, Reason::NoRule);
        };
        let verdict = evaluate(&merged.rule, req, needed);
        let rule = &merged.rule;
        let granting = merged.sources.iter().filter(|(_, caps)| caps.contains(needed)).map(|(p, _)| p.clone());
        AclDecision {
            allowed: verdict.is_ok(),
            rule: Some(merged.matched()),
            reason: verdict.err().unwrap_or(Reason::Granted),
            granting_policies: dedup(granting),
            pagination_limit: (list_like && rule.pagination_limit > 0).then_some(rule.pagination_limit),
            list_scan_response_keys_filter_path: rule.list_scan_response_keys_filter_path.clone().filter(|_| list_like),
        }
    }

    /// What `sys/capabilities*` reports for `path`: sorted names, `["deny"]` when no rule
    /// (or a deny rule) matches, `["root"]` for root. Evaluated as a LIST lookup on the
    /// path as given (no `/` appended); parameters and wrapping are ignored.
    pub fn capabilities(&self, path: &str) -> Vec<&'static str> {
        if self.root {
            return vec!["root"];
        }
        let path = path.trim_start_matches('/');
        self.lookup(path, true).map_or(vec!["deny"], |m| m.rule.capabilities.sorted_names())
    }

    /// The `data` of `sys/internal/ui/resultant-acl`: exact and prefix rules (segment
    /// rules are not reported, as in OpenBao), or just `{"root": true}`.
    pub fn resultant(&self) -> Value {
        if self.root {
            return json!({ "root": true });
        }
        let paths = |rules: &BTreeMap<String, Merged>| -> Map<String, Value> {
            rules.iter().map(|(key, m)| (key.clone(), resultant_entry(&m.rule))).collect()
        };
        json!({ "exact_paths": paths(&self.exact), "glob_paths": paths(&self.prefix), "root": false })
    }

    /// The rule deciding `path` (§2.3).
    fn lookup(&self, path: &str, list_like: bool) -> Option<&Merged> {
        let unslashed = path.strip_suffix('/');
        self.exact
            .get(path)
            .or_else(|| unslashed.filter(|_| list_like).and_then(|p| self.exact.get(p)))
            .or_else(|| self.non_exact(path))
            .or_else(|| unslashed.filter(|_| list_like).and_then(|p| self.non_exact(p)))
    }

    /// The best of the longest prefix rule and every matching segment rule.
    fn non_exact(&self, path: &str) -> Option<&Merged> {
        let prefix = self.longest_prefix(path);
        if self.segment.is_empty() {
            return prefix.map(|(_, m)| m);
        }
        let parts: Vec<&str> = path.split('/').collect();
        let prefix = prefix.map(|(key, m)| (Priority::of_prefix(key), m));
        let segments =
            self.segment.iter().filter_map(|(pattern, m)| Priority::of_segment(pattern, &parts).map(|p| (p, m)));
        prefix.into_iter().chain(segments).max_by(|a, b| a.0.cmp(&b.0)).map(|(_, m)| m)
    }

    fn longest_prefix<'a>(&self, path: &'a str) -> Option<(&'a str, &Merged)> {
        self.prefix_lengths.iter().find_map(|&len| {
            let key = path.get(..len)?;
            self.prefix.get(key).map(|m| (key, m))
        })
    }
}

/// The path rules are matched against: without leading `/`, and for LIST/SCAN with the
/// trailing `/` OpenBao's HTTP layer adds.
pub(super) fn request_path(path: &str, list_like: bool) -> Cow<'_, str> {
    let path = path.trim_start_matches('/');
    if list_like && !path.ends_with('/') { Cow::Owned(format!("{path}/")) } else { Cow::Borrowed(path) }
}

/// The checks after a rule is found, in OpenBao's order (§2.4).
fn evaluate(rule: &PathRule, req: &AclRequest, needed: Capabilities) -> Result<(), Reason> {
    if !rule.capabilities.contains(needed) {
        return Err(if rule.capabilities.is_deny() { Reason::Deny } else { Reason::MissingCapability });
    }
    check_wrapping(rule, req.wrap_ttl)?;
    match req.operation {
        Operation::Read | Operation::Create | Operation::Update | Operation::Patch => check_parameters(rule, req.data)?,
        Operation::List | Operation::Scan => check_page_size(rule, req.data)?,
        Operation::Delete | Operation::Help => {}
    }
    if req.sudo_required && !rule.capabilities.contains(Capabilities::SUDO) {
        return Err(Reason::SudoRequired);
    }
    Ok(())
}

fn check_wrapping(rule: &PathRule, wrap_ttl: Option<u64>) -> Result<(), Reason> {
    let (min, max) = (rule.min_wrapping_ttl, rule.max_wrapping_ttl);
    let too_long = max > 0 && wrap_ttl.is_none_or(|ttl| ttl > max);
    let too_short = min > 0 && wrap_ttl.is_none_or(|ttl| ttl < min);
    // Merging can leave max < min, which no request satisfies.
    let contradictory = min > 0 && max > 0 && max < min;
    if too_long || too_short || contradictory { Err(Reason::Wrapping { min, max }) } else { Ok(()) }
}

/// Merge `new` into `existing`, both for the same pattern (§2.5).
fn merge(existing: &mut PathRule, new: &PathRule) {
    if existing.capabilities.is_deny() {
        return;
    }
    if new.capabilities.is_deny() {
        existing.capabilities = Capabilities::DENY;
        existing.allowed_parameters.clear();
        existing.denied_parameters.clear();
        return;
    }
    existing.capabilities.insert(new.capabilities);
    existing.min_wrapping_ttl = smaller_nonzero(existing.min_wrapping_ttl, new.min_wrapping_ttl);
    existing.max_wrapping_ttl = smaller_nonzero(existing.max_wrapping_ttl, new.max_wrapping_ttl);
    existing.pagination_limit = smaller_nonzero(existing.pagination_limit, new.pagination_limit);
    for (name, values) in &new.allowed_parameters {
        merge_parameter(&mut existing.allowed_parameters, name.clone(), values.clone());
    }
    for (name, values) in &new.denied_parameters {
        merge_parameter(&mut existing.denied_parameters, name.clone(), values.clone());
    }
    union_into(&mut existing.required_parameters, &new.required_parameters);
    union_into(&mut existing.mfa_methods, &new.mfa_methods);
    // The first filter path wins.
    if existing.list_scan_response_keys_filter_path.is_none() {
        existing.list_scan_response_keys_filter_path.clone_from(&new.list_scan_response_keys_filter_path);
    }
}

fn smaller_nonzero(a: u64, b: u64) -> u64 {
    match (a, b) {
        (0, x) | (x, 0) => x,
        (a, b) => a.min(b),
    }
}

/// Append the items of `new` that `existing` lacks, keeping the order.
fn union_into(existing: &mut Vec<String>, new: &[String]) {
    let merged = dedup(existing.drain(..).chain(new.iter().cloned()));
    *existing = merged;
}

/// The names in first-seen order, each once (in linear time: lists come from user input).
fn dedup(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names.filter(|name| seen.insert(name.clone())).collect()
}

impl Merged {
    fn matched(&self) -> MatchedRule {
        let deny = self.rule.capabilities.is_deny();
        let policies = self.sources.iter().filter(|(_, caps)| !deny || caps.is_deny()).map(|(p, _)| p.clone());
        MatchedRule {
            pattern: self.rule.path.clone(),
            kind: self.rule.kind,
            capabilities: self.rule.capabilities,
            policies: dedup(policies),
        }
    }
}

/// A `resultant-acl` entry: capabilities in OpenBao's order, and each constraint only
/// when set.
fn resultant_entry(rule: &PathRule) -> Value {
    let mut entry = Map::new();
    entry.insert("capabilities".into(), json!(rule.capabilities.resultant_names()));
    if rule.min_wrapping_ttl != 0 {
        entry.insert("min_wrapping_ttl".into(), json!(rule.min_wrapping_ttl));
    }
    if rule.max_wrapping_ttl != 0 {
        entry.insert("max_wrapping_ttl".into(), json!(rule.max_wrapping_ttl));
    }
    if !rule.allowed_parameters.is_empty() {
        entry.insert("allowed_parameters".into(), json!(rule.allowed_parameters));
    }
    if !rule.denied_parameters.is_empty() {
        entry.insert("denied_parameters".into(), json!(rule.denied_parameters));
    }
    if !rule.required_parameters.is_empty() {
        entry.insert("required_parameters".into(), json!(rule.required_parameters));
    }
    Value::Object(entry)
}

/// How specific a non-exact match is; the greatest wins (OpenBao's order, §2.3):
/// a later first wildcard, then not ending in `*`, then fewer `+` segments, then a
/// longer pattern, then the lexicographically greater one.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Priority<'a> {
    first_wildcard: usize,
    not_prefix: bool,
    fewer_wildcards: std::cmp::Reverse<usize>,
    length: usize,
    pattern: &'a str,
}

impl<'a> Priority<'a> {
    fn of_prefix(prefix: &'a str) -> Priority<'a> {
        Priority {
            first_wildcard: prefix.len(),
            not_prefix: false,
            fewer_wildcards: std::cmp::Reverse(0),
            length: prefix.len(),
            pattern: prefix,
        }
    }

    /// The priority of segment pattern `pattern` if it matches the path split into
    /// `parts`: `+` matches one whole segment (even an empty one); a trailing `*`
    /// prefix-matches the last segment and allows more segments after it.
    fn of_segment(pattern: &'a str, parts: &[&str]) -> Option<Priority<'a>> {
        let (body, is_prefix) = match pattern.strip_suffix('*') {
            Some(body) => (body, true),
            None => (pattern, false),
        };
        let rule_parts: Vec<&str> = body.split('/').collect();
        let count_ok = if is_prefix { parts.len() >= rule_parts.len() } else { parts.len() == rule_parts.len() };
        if !count_ok {
            return None;
        }
        let last = rule_parts.len().saturating_sub(1);
        let matches = rule_parts.iter().zip(parts).enumerate().all(|(i, (rule, part))| {
            *rule == "+" || rule == part || (is_prefix && i == last && part.starts_with(rule))
        });
        matches.then(|| Priority {
            first_wildcard: pattern.find('+').unwrap_or(0),
            not_prefix: !is_prefix,
            fewer_wildcards: std::cmp::Reverse(rule_parts.iter().filter(|p| **p == "+").count()),
            length: body.len(),
            pattern: body,
        })
    }
}

#[cfg(test)]
mod tests;
