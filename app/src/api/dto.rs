//! Data the console and server exchange. Kept apart from the server's own types so the
//! wasm build needs none of the server's dependencies.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealStatus {
    pub initialized: bool,
    pub sealed: bool,
    /// Shares needed to unseal.
    pub threshold: u8,
    /// Shares the key was split into.
    pub shares: u8,
    /// Shares provided so far in the current unseal attempt.
    pub progress: u32,
    pub version: String,
    pub cluster_name: Option<String>,
    pub storage_type: String,
}

/// What initialisation hands out, once. No `Debug`: it is all secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitResult {
    pub keys_base64: Vec<String>,
    pub keys_hex: Vec<String>,
    pub root_token: String,
}

/// The signed-in user as pages see them (never their token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub display_name: String,
    pub policies: Vec<String>,
    pub nav: Navigation,
}

/// Which sections the user's policies let them use; the navigation shows only these.
/// Secrets are always there: the list of mounts is filtered to what the user may reach.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Navigation {
    /// May read `sys/mounts`.
    pub mounts: bool,
    /// May list `sys/policies/acl`.
    pub policies: bool,
    /// May search the audit trail (`sudo` on `sys/audit-log/search`).
    pub audit: bool,
    /// May list token accessors (`sudo` on `auth/token/accessors`).
    pub tokens: bool,
    /// May browse leases (`sudo` on `sys/leases/lookup/*`).
    pub leases: bool,
}

/// A secret engine or auth method as the mounts pages list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountInfo {
    /// With its trailing slash: `secret/`.
    pub path: String,
    /// `kv`, `userpass`, …
    pub kind: String,
    /// `2` for KV v2, else empty.
    pub version: String,
    pub description: String,
    pub accessor: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountTable {
    pub secrets: Vec<MountInfo>,
    pub auth: Vec<MountInfo>,
}

/// A KV mount as the browser needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvMount {
    /// Without the trailing slash: `secret`.
    pub mount: String,
    /// 1 or 2.
    pub version: u8,
}

/// One folder of a KV mount: its sub-folders (ending in `/`) and secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvFolder {
    pub mount: KvMount,
    /// `""` for the mount's root, else ending in `/`.
    pub folder: String,
    pub keys: Vec<String>,
}

/// A secret as first shown: its keys, never its values (those come one at a time when
/// the user reveals them), with its versions for KV v2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvSecret {
    pub mount: KvMount,
    pub path: String,
    pub keys: Vec<String>,
    /// The version shown (KV v2); 0 on KV v1.
    pub version: u64,
    pub created_time: String,
    /// Soft-deleted (can be undeleted) or destroyed (gone for good).
    pub deleted: bool,
    pub destroyed: bool,
    pub metadata: Option<KvMetadata>,
}

/// KV v2 metadata; `None` on a secret when the user may not read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvMetadata {
    pub current_version: u64,
    pub max_versions: u64,
    pub cas_required: bool,
    pub custom_metadata: Vec<(String, String)>,
    /// Newest first.
    pub versions: Vec<KvVersion>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvVersion {
    pub version: u64,
    pub created_time: String,
    pub deletion_time: String,
    pub destroyed: bool,
}

/// One row of a side-by-side diff: a line on the left, the right, or both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    pub left: Option<String>,
    pub right: Option<String>,
    /// The two sides differ on this row.
    pub changed: bool,
}

/// Where a policy fails to parse (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyProblem {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// The simulator's answer: allowed or not, and the rule that decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    /// E.g. `denied: policy "dev" grants [read, list] on "secret/data/*", not update`.
    pub reason: String,
    /// The path as the ACL matched it.
    pub path: String,
    /// The policies the decision was made for.
    pub policies: Vec<String>,
    pub rule: Option<DecidingRule>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidingRule {
    pub pattern: String,
    /// `exact`, `prefix` or `segment`.
    pub kind: String,
    pub capabilities: Vec<String>,
    pub policies: Vec<String>,
}

/// Secret paths matching a search; `truncated` when the search stopped at its bounds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    pub paths: Vec<String>,
    pub truncated: bool,
}

/// The types of secret engine and auth method the server can mount.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub secret: Vec<String>,
    pub auth: Vec<String>,
}

/// A mount's settings, as the settings page edits them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountSettings {
    /// `secret` or `auth`.
    pub class: String,
    /// Without the trailing slash.
    pub path: String,
    pub kind: String,
    pub version: String,
    pub description: String,
    /// Seconds; 0 means the system default.
    pub default_lease_ttl: u64,
    pub max_lease_ttl: u64,
    /// KV v2 only: versions kept per secret (0: the default, 10).
    pub max_versions: Option<u64>,
}

/// One row of the audit trail viewer: a request as its response entry records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub time: String,
    pub request_id: String,
    pub operation: String,
    pub path: String,
    pub display_name: String,
    pub remote_address: String,
    pub status: Option<u16>,
    pub error: String,
    pub duration_ms: Option<f64>,
    /// The full (hashed) entry, pretty-printed, for the detail view.
    pub entry: String,
}

/// A page of the trail, newest first; `next_cursor` continues with older entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub next_cursor: Option<String>,
}

/// One line of a compliance report: who (or which path), what, how often, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    /// The identity (who-accessed) or the path (accessed-by).
    pub subject: String,
    /// Operations, comma-separated.
    pub operations: String,
    pub count: u64,
    pub errors: u64,
    pub first: String,
    pub last: String,
}

/// The least-privilege advisor's answer for one policy (`sys/audit-log/policy-advice`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdvisorReport {
    pub policy: String,
    pub days: u32,
    pub rules: Vec<RuleAdvice>,
    pub denied: Vec<DeniedRequests>,
    /// Allowed requests another of the token's policies granted.
    pub served_elsewhere: u64,
    /// The record held more path/operation groups than were weighed.
    pub truncated: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleAdvice {
    pub pattern: String,
    pub capabilities: Vec<String>,
    pub requests: u64,
    pub last_used: Option<String>,
    pub used_capabilities: Vec<String>,
    pub unused_capabilities: Vec<String>,
    /// Why the rule was not weighed (templated, expiring, deny).
    #[serde(default)]
    pub not_weighed: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeniedRequests {
    pub path: String,
    pub operation: String,
    pub count: u64,
    pub last: String,
}

/// A token as the tokens page lists it (looked up by accessor: never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub accessor: String,
    pub display_name: String,
    pub policies: Vec<String>,
    /// Seconds left; 0 for a token that never expires.
    pub ttl: u64,
    /// RFC 3339.
    pub issue_time: String,
    /// How it was made: `auth/userpass/login/alice`, `auth/token/create`.
    pub path: String,
    pub orphan: bool,
    pub renewable: bool,
}

/// One page of tokens, newest first within the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPage {
    pub tokens: Vec<TokenInfo>,
    /// Accessors in all.
    pub total: usize,
    pub offset: usize,
    /// Accessors that vanished (expired, revoked) between the list and the lookup.
    pub gone: usize,
}

/// A KV v2 secret by how long since it last changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleSecret {
    pub path: String,
    /// When its newest version was written (RFC 3339).
    pub updated: String,
    /// Whole days since then.
    pub age_days: i64,
    pub current_version: u64,
    /// Versions kept (destroyed ones included).
    pub versions: usize,
}

/// A mount's secrets, least recently changed first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StalenessReport {
    pub mount: String,
    pub secrets: Vec<StaleSecret>,
    /// Secrets whose metadata the user may not read.
    pub hidden: usize,
    /// The walk stopped at its bounds.
    pub truncated: bool,
}

/// A lease as the leases page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseInfo {
    pub id: String,
    /// The request path that made it.
    pub path: String,
    pub issue_time: String,
    /// Empty for a lease that never expires.
    pub expire_time: String,
    /// Seconds left.
    pub ttl: u64,
    pub renewable: bool,
}

/// One level of the lease tree: the folders and leases directly under `prefix`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseFolder {
    pub prefix: String,
    pub folders: Vec<String>,
    pub leases: Vec<LeaseInfo>,
    /// Leases at this level beyond those looked up.
    pub more: usize,
}
