//! The token store and the `auth/token/` backend.
//!
//! Tokens are stored only as keyed hashes (HMAC-SHA256 with a per-server salt kept
//! behind the barrier), so neither the database nor a storage dump holds a usable token,
//! and looking one up never compares token strings. Each token records its parent, so
//! revoking a token revokes everything created under it.

mod backend;
mod create;
mod expiry;
mod lookup;
mod roles;
mod store;
mod ttl;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use backend::backend;
pub use create::{CreateContext, CreateRequest, sanitize_policies};
pub use expiry::ExpiryQueue;
pub use roles::Role;
pub use store::{LEASE_PREFIX, TokenStore, UseOutcome, lease_key};
pub use ttl::{calculate_ttl, go_duration};

/// Service tokens look like OpenBao's: `s.` and 24 base62 characters.
pub const TOKEN_PREFIX: &str = "s.";
pub const TOKEN_LEN: usize = TOKEN_PREFIX.len() + 24;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenEntry {
    /// The keyed hash of the token: its storage key, and the identity of its cubbyhole.
    pub id_hash: String,
    pub accessor: String,
    /// The parent's `id_hash`; empty for orphans.
    #[serde(default)]
    pub parent: String,
    pub policies: Vec<String>,
    pub path: String,
    #[serde(default)]
    pub meta: BTreeMap<String, String>,
    pub display_name: String,
    /// Uses left; 0 means unlimited, -1 that the last use is under way.
    #[serde(default)]
    pub num_uses: i64,
    /// Unix seconds.
    pub creation_time: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub issue_time: OffsetDateTime,
    /// Seconds granted at creation; 0 for tokens that never expire.
    #[serde(default)]
    pub creation_ttl: u64,
    /// Seconds granted at the last creation or renewal.
    #[serde(default)]
    pub ttl: u64,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expire_time: Option<OffsetDateTime>,
    #[serde(default)]
    pub explicit_max_ttl: u64,
    #[serde(default)]
    pub period: u64,
    /// The cap on the token's life from issue (seconds; 0 for none), for renewals.
    #[serde(default)]
    pub max_ttl: u64,
    #[serde(default)]
    pub renewable: bool,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub bound_cidrs: Vec<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_renewal: Option<OffsetDateTime>,
    #[serde(default)]
    pub orphan: bool,
    /// The lease that ends the token's life (`auth/userpass/login/alice/<id>`): set for
    /// every token that expires, empty for one that never does.
    #[serde(default)]
    pub lease_id: String,
}

impl TokenEntry {
    /// An orphan that never expires, made by `auth/token/create`: the root token's shape,
    /// which callers adjust.
    pub fn orphan(id_hash: String, accessor: String, policies: Vec<String>, now: OffsetDateTime) -> Self {
        TokenEntry {
            id_hash,
            accessor,
            parent: String::new(),
            policies,
            path: "auth/token/create".into(),
            meta: BTreeMap::new(),
            display_name: "token".into(),
            num_uses: 0,
            creation_time: now.unix_timestamp(),
            issue_time: now,
            creation_ttl: 0,
            ttl: 0,
            expire_time: None,
            explicit_max_ttl: 0,
            period: 0,
            max_ttl: 0,
            renewable: false,
            role: String::new(),
            entity_id: String::new(),
            bound_cidrs: vec![],
            last_renewal: None,
            orphan: true,
            lease_id: String::new(),
        }
    }

    pub fn is_root(&self) -> bool {
        self.policies.iter().any(|p| p == "root")
    }

    /// Whether the token has expired at `now`.
    pub fn expired(&self, now: OffsetDateTime) -> bool {
        self.expire_time.is_some_and(|t| t <= now)
    }

    /// Seconds left (0 for tokens that never expire).
    pub fn ttl_left(&self, now: OffsetDateTime) -> u64 {
        self.expire_time.map_or(0, |t| (t - now).whole_seconds().max(0) as u64)
    }
}
