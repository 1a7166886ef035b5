//! Parsing an ACL policy (HCL or JSON) into [`PathRule`]s.
//!
//! Invariants of a parsed [`Policy`]:
//! * `text` is exactly what was given (never base64-decoded or reformatted);
//! * every rule's `path` has its leading `/` stripped, and its `kind` follows from it
//!   (OpenBao's three kinds: exact, `*`-prefix, `+`-segment);
//! * a rule holding `deny` holds nothing else: no other capability, no parameter or
//!   wrapping constraint;
//! * parameter names in `allowed_parameters`/`denied_parameters` are lowercased;
//!   `required_parameters` are kept as written.
//!
//! Every error names the line and column of the problem, for syntax errors and for
//! semantic ones alike: `failed to parse policy: At 3:19: path "a": invalid capability
//! "reed"`. No input can make parsing panic.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Capabilities;
use super::tree::{Entry, Item, Node, Value, line_column};
use super::{hcl, json};
use crate::framework::parse_duration_seconds;

/// A parsed ACL policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub name: String,
    /// The policy text as given.
    pub text: String,
    /// One rule per `path` block, in the order written (blocks for the same path are
    /// merged later, by the ACL).
    pub rules: Vec<PathRule>,
    /// Some path uses identity templating (`{{identity.entity.id}}`...).
    pub templated: bool,
}

/// How a rule's path matches request paths (OpenBao §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// The whole path, literally (a `*` not at the end is a literal character).
    Exact,
    /// Ends in `*`, no `+` segment: a plain string prefix, not segment-aware.
    Prefix,
    /// Has a `+` segment (one path segment, possibly empty), optionally ending in `*`.
    Segment,
}

/// One `path "..." { ... }` block.
#[derive(Clone, Debug, PartialEq)]
pub struct PathRule {
    /// The pattern as written, without its leading `/` (a prefix rule keeps its `*`).
    pub path: String,
    pub kind: RuleKind,
    pub capabilities: Capabilities,
    /// Lowercased parameter name → allowed values; an empty list allows any value.
    pub allowed_parameters: BTreeMap<String, Vec<serde_json::Value>>,
    /// Lowercased parameter name → denied values; an empty list denies any value.
    pub denied_parameters: BTreeMap<String, Vec<serde_json::Value>>,
    pub required_parameters: Vec<String>,
    /// Seconds; 0 = not set.
    pub min_wrapping_ttl: u64,
    /// Seconds; 0 = not set.
    pub max_wrapping_ttl: u64,
    /// Largest `limit` a LIST/SCAN may ask for; 0 = not set.
    pub pagination_limit: u64,
    pub mfa_methods: Vec<String>,
    /// Filters the keys of LIST/SCAN results (OpenBao extra); enforced by the caller.
    pub list_scan_response_keys_filter_path: Option<String>,
    /// After this time the rule is ignored.
    pub expiration: Option<OffsetDateTime>,
    /// The path holds `{{...}}` identity placeholders.
    pub templated: bool,
}

impl PathRule {
    /// An empty rule (grants nothing) for `path`, written without its leading `/`.
    pub fn new(path: &str) -> PathRule {
        PathRule {
            path: path.to_string(),
            kind: rule_kind(path),
            capabilities: Capabilities::NONE,
            allowed_parameters: BTreeMap::new(),
            denied_parameters: BTreeMap::new(),
            required_parameters: Vec::new(),
            min_wrapping_ttl: 0,
            max_wrapping_ttl: 0,
            pagination_limit: 0,
            mfa_methods: Vec::new(),
            list_scan_response_keys_filter_path: None,
            expiration: None,
            templated: path.contains("{{"),
        }
    }

    /// What the ACL matches on: the path, minus the `*` of a prefix rule.
    pub fn key(&self) -> &str {
        match self.kind {
            RuleKind::Prefix => self.path.strip_suffix('*').unwrap_or(&self.path),
            RuleKind::Exact | RuleKind::Segment => &self.path,
        }
    }
}

fn rule_kind(path: &str) -> RuleKind {
    if path == "+" || path.starts_with("+/") || path.contains("/+") {
        RuleKind::Segment
    } else if path.ends_with('*') {
        RuleKind::Prefix
    } else {
        RuleKind::Exact
    }
}

/// A policy that does not parse; `Display` gives OpenBao's wording with our position:
/// `failed to parse policy: At 1:27: path "a": invalid capability "reed"`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("failed to parse policy: At {line}:{column}: {message}")]
pub struct PolicyError {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

impl PolicyError {
    pub(super) fn new(line: usize, column: usize, message: impl Into<String>) -> PolicyError {
        PolicyError { line, column, message: message.into() }
    }

    /// An error at byte `offset` of `text`.
    pub(super) fn at(text: &str, offset: usize, message: impl Into<String>) -> PolicyError {
        let (line, column) = line_column(text, offset);
        PolicyError::new(line, column, message)
    }
}

/// A bad policy is a bad request (400).
impl From<PolicyError> for crate::logical::Error {
    fn from(e: PolicyError) -> Self {
        crate::logical::Error::InvalidRequest(e.to_string())
    }
}

/// Parse policy `text` (HCL, or JSON when it starts with `{`) named `name`. Empty text,
/// comments only and `{}` give a policy with no rules.
pub fn parse_policy(name: &str, text: &str) -> Result<Policy, PolicyError> {
    let items = if text.trim_start().starts_with('{') { json::items(text)? } else { hcl::items(text)? };
    // Like OpenBao, report a bad top-level key before any error inside a path block.
    if let Some(bad) = items.iter().find(|i| i.key != "path" && i.key != "name") {
        return Err(PolicyError::at(text, bad.at, format!("invalid key {:?}", bad.key)));
    }
    let mut rules = Vec::new();
    for item in items.iter().filter(|i| i.key == "path") {
        for (path, at, body) in path_blocks(text, item)? {
            rules.push(Block { text, path, at }.rule(body)?);
        }
    }
    let templated = rules.iter().any(|r| r.templated);
    Ok(Policy { name: name.to_string(), text: text.to_string(), rules, templated })
}

/// The `(path, offset, body)` of each block a top-level `path` item declares:
/// `path "a" { }` (only the first label counts; `path { }` means the path "path"), or
/// `path = { "a" = { } }` / JSON `"path": {"a": {}}`, possibly as lists of objects.
fn path_blocks<'a>(text: &str, item: &'a Item) -> Result<Vec<(&'a str, usize, &'a Node)>, PolicyError> {
    if item.block {
        let (path, at) = item.labels.first().map_or(("path", item.at), |(l, at)| (l.as_str(), *at));
        return Ok(vec![(path, at, &item.value)]);
    }
    let Some(entries) = objects(&item.value) else {
        let found = item.value.value.describe();
        return Err(PolicyError::at(text, item.value.at, format!("\"path\" must map paths to rules, found {found}")));
    };
    let mut blocks = Vec::new();
    for entry in entries {
        match &entry.value.value {
            Value::List(bodies) => blocks.extend(bodies.iter().map(|b| (entry.key.as_str(), entry.at, b))),
            _ => blocks.push((entry.key.as_str(), entry.at, &entry.value)),
        }
    }
    Ok(blocks)
}

/// The entries of an object, or of a list of objects (HCL 1's JSON form allows both).
fn objects(node: &Node) -> Option<Vec<&Entry>> {
    match &node.value {
        Value::Map(entries) => Some(entries.iter().collect()),
        Value::List(items) => items
            .iter()
            .map(|n| match &n.value {
                Value::Map(entries) => Some(entries.iter()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|maps| maps.into_iter().flatten().collect()),
        _ => None,
    }
}

const BLOCK_KEYS: [&str; 13] = [
    "comment",
    "policy",
    "capabilities",
    "allowed_parameters",
    "denied_parameters",
    "required_parameters",
    "min_wrapping_ttl",
    "max_wrapping_ttl",
    "mfa_methods",
    "pagination_limit",
    "expiration",
    "list_scan_response_keys_filter_path",
    "control_group",
];

/// One path block being checked: its errors read `path "a": ...`.
struct Block<'a> {
    text: &'a str,
    /// The path as written (with a leading `/`, if any), for messages.
    path: &'a str,
    at: usize,
}

impl Block<'_> {
    fn error(&self, at: usize, message: impl std::fmt::Display) -> PolicyError {
        PolicyError::at(self.text, at, format!("path {:?}: {message}", self.path))
    }

    fn rule(&self, body: &Node) -> Result<PathRule, PolicyError> {
        if !balanced_templating(self.path) {
            return Err(self.error(self.at, "failed to validate policy templating: unbalanced templating characters"));
        }
        let path = self.path.strip_prefix('/').unwrap_or(self.path);
        if path.contains("+*") {
            return Err(self.error(self.at, "invalid use of wildcards ('+*' is forbidden)"));
        }
        let Value::Map(entries) = &body.value else {
            return Err(self.error(body.at, format!("expected a block of settings, found {}", body.value.describe())));
        };
        self.check_keys(entries)?;
        let mut rule = PathRule::new(path);
        for entry in entries {
            self.apply(&mut rule, entry)?;
        }
        self.finish(rule, entries)
    }

    fn check_keys(&self, entries: &[Entry]) -> Result<(), PolicyError> {
        let mut seen = std::collections::HashSet::new();
        for entry in entries {
            if !BLOCK_KEYS.contains(&entry.key.as_str()) {
                return Err(self.error(entry.at, format!("invalid key {:?}", entry.key)));
            }
            if !seen.insert(entry.key.as_str()) {
                return Err(self.error(entry.at, format!("duplicate key {:?}", entry.key)));
            }
        }
        Ok(())
    }

    fn apply(&self, rule: &mut PathRule, entry: &Entry) -> Result<(), PolicyError> {
        let node = &entry.value;
        match entry.key.as_str() {
            "comment" => {}
            "policy" => rule.capabilities.insert(self.legacy_policy(node)?),
            "capabilities" => {
                for (name, at) in self.strings(&entry.key, node)? {
                    let cap = Capabilities::from_name(name)
                        .ok_or_else(|| self.error(at, format!("invalid capability {name:?}")))?;
                    rule.capabilities.insert(cap);
                }
            }
            "allowed_parameters" => rule.allowed_parameters = self.parameters(&entry.key, node)?,
            "denied_parameters" => rule.denied_parameters = self.parameters(&entry.key, node)?,
            "required_parameters" => rule.required_parameters = self.owned_strings(&entry.key, node)?,
            "min_wrapping_ttl" => rule.min_wrapping_ttl = self.duration(&entry.key, node)?,
            "max_wrapping_ttl" => rule.max_wrapping_ttl = self.duration(&entry.key, node)?,
            "mfa_methods" => rule.mfa_methods = self.owned_strings(&entry.key, node)?,
            "pagination_limit" => rule.pagination_limit = self.integer(&entry.key, node)?,
            "expiration" => rule.expiration = self.expiration(node)?,
            "list_scan_response_keys_filter_path" => {
                rule.list_scan_response_keys_filter_path = Some(self.string(&entry.key, node)?.to_string())
            }
            "control_group" => self.control_group(node)?,
            other => return Err(self.error(entry.at, format!("invalid key {other:?}"))),
        }
        Ok(())
    }

    /// Checks that need the whole block, and the deny-only normal form.
    fn finish(&self, mut rule: PathRule, entries: &[Entry]) -> Result<PathRule, PolicyError> {
        let at_key = |key: &str| entries.iter().find(|e| e.key == key).map_or(self.at, |e| e.value.at);
        if rule.capabilities.is_deny() {
            // Deny wins over everything else in the block, as in OpenBao.
            let path = std::mem::take(&mut rule.path);
            return Ok(PathRule {
                capabilities: Capabilities::DENY,
                expiration: rule.expiration,
                ..PathRule::new(&path)
            });
        }
        if rule.min_wrapping_ttl != 0 && rule.max_wrapping_ttl != 0 && rule.max_wrapping_ttl < rule.min_wrapping_ttl {
            return Err(self.error(at_key("max_wrapping_ttl"), "max_wrapping_ttl cannot be less than min_wrapping_ttl"));
        }
        if rule.list_scan_response_keys_filter_path.is_some() && !rule.capabilities.contains(Capabilities::LIST) {
            return Err(self.error(
                at_key("list_scan_response_keys_filter_path"),
                "list_scan_response_keys_filter_path needs to be used on a path with the list capability",
            ));
        }
        Ok(rule)
    }

    fn legacy_policy(&self, node: &Node) -> Result<Capabilities, PolicyError> {
        let name = self.string("policy", node)?;
        Capabilities::from_legacy_policy(name).ok_or_else(|| self.error(node.at, format!("invalid policy {name:?}")))
    }

    fn string<'n>(&self, key: &str, node: &'n Node) -> Result<&'n str, PolicyError> {
        match &node.value {
            Value::String(s) => Ok(s),
            other => Err(self.error(node.at, format!("{key}: expected a string, found {}", other.describe()))),
        }
    }

    /// A list of strings, each with its offset.
    fn strings<'n>(&self, key: &str, node: &'n Node) -> Result<Vec<(&'n str, usize)>, PolicyError> {
        let Value::List(items) = &node.value else {
            return Err(
                self.error(node.at, format!("{key}: expected a list of strings, found {}", node.value.describe()))
            );
        };
        items
            .iter()
            .map(|item| match &item.value {
                Value::String(s) => Ok((s.as_str(), item.at)),
                other => Err(self.error(item.at, format!("{key}: expected a string, found {}", other.describe()))),
            })
            .collect()
    }

    fn owned_strings(&self, key: &str, node: &Node) -> Result<Vec<String>, PolicyError> {
        Ok(self.strings(key, node)?.into_iter().map(|(s, _)| s.to_string()).collect())
    }

    /// `{ name = [values...] }`; names are lowercased, and a name given twice (in
    /// different case) merges as two policies would: an empty list wins.
    fn parameters(&self, key: &str, node: &Node) -> Result<BTreeMap<String, Vec<serde_json::Value>>, PolicyError> {
        let entries = objects(node).ok_or_else(|| {
            let found = node.value.describe();
            self.error(
                node.at,
                format!("{key}: expected an object of parameter names to lists of values, found {found}"),
            )
        })?;
        let mut params = BTreeMap::new();
        for entry in entries {
            let Value::List(items) = &entry.value.value else {
                let found = entry.value.value.describe();
                let message = format!("{key}: {:?}: expected a list of values, found {found}", entry.key);
                return Err(self.error(entry.value.at, message));
            };
            let values = items.iter().map(|item| item.value.to_json(item.at)).collect::<Result<Vec<_>, _>>().map_err(
                |(at, what)| self.error(at, format!("{key}: {:?}: expected a value, found {what}", entry.key)),
            )?;
            merge_parameter(&mut params, entry.key.to_lowercase(), values);
        }
        Ok(params)
    }

    /// A duration: `"1h30m"`, `"90s"`, `"3600"` or `3600` (seconds).
    fn duration(&self, key: &str, node: &Node) -> Result<u64, PolicyError> {
        let parsed = match &node.value {
            Value::String(s) => parse_duration_seconds(s),
            Value::Number(n) => n.as_u64().ok_or_else(|| format!("invalid duration {n}")),
            other => Err(format!("expected a duration, found {}", other.describe())),
        };
        parsed.map_err(|e| self.error(node.at, format!("error parsing {key}: {e}")))
    }

    fn integer(&self, key: &str, node: &Node) -> Result<u64, PolicyError> {
        let value = match &node.value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        value.ok_or_else(|| {
            self.error(node.at, format!("{key}: expected a non-negative integer, found {}", node.value.describe()))
        })
    }

    /// RFC 3339 (`2030-01-02T15:04:05Z`) or Unix seconds; empty means none.
    fn expiration(&self, node: &Node) -> Result<Option<OffsetDateTime>, PolicyError> {
        let unix = |secs: i64| OffsetDateTime::from_unix_timestamp(secs).ok();
        let parsed = match &node.value {
            Value::String(s) if s.is_empty() => return Ok(None),
            Value::String(s) => OffsetDateTime::parse(s, &Rfc3339).ok().or_else(|| s.parse().ok().and_then(unix)),
            Value::Number(n) => n.as_i64().and_then(unix),
            _ => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| self.error(node.at, "invalid expiration time: could not parse string as date and time"))
    }

    /// Control groups are a Vault Enterprise feature OpenBao only parses; so do we:
    /// the block is checked, then dropped.
    fn control_group(&self, node: &Node) -> Result<(), PolicyError> {
        let entries = objects(node).ok_or_else(|| {
            self.error(node.at, format!("control_group: expected a block, found {}", node.value.describe()))
        })?;
        for entry in entries {
            match entry.key.as_str() {
                "ttl" => {
                    self.duration("control_group ttl", &entry.value)?;
                }
                "self_auth_allowed" | "factor" => {}
                other => return Err(self.error(entry.at, format!("control_group: invalid key {other:?}"))),
            }
        }
        Ok(())
    }
}

/// Add `values` for parameter `name`: lists concatenate (new values first, as OpenBao
/// does), and an empty list ("any value") on either side wins.
pub(super) fn merge_parameter(
    params: &mut BTreeMap<String, Vec<serde_json::Value>>,
    name: String,
    values: Vec<serde_json::Value>,
) {
    match params.get_mut(&name) {
        None => {
            params.insert(name, values);
        }
        Some(existing) if existing.is_empty() => {}
        Some(existing) if values.is_empty() => existing.clear(),
        Some(existing) => {
            let old = std::mem::replace(existing, values);
            existing.extend(old);
        }
    }
}

/// OpenBao's check on identity templates: every `{{` closed by one `}}` before the next.
fn balanced_templating(path: &str) -> bool {
    let mut pieces = path.split("{{");
    let first_ok = pieces.next().is_some_and(|first| !first.contains("}}"));
    first_ok && pieces.all(|piece| piece.matches("}}").count() == 1)
}

#[cfg(test)]
mod tests;
