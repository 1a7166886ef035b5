//! Persistence of tokens: entries by keyed hash, an accessor index, and a parent →
//! children index for revoking whole trees.
//!
//! Layout (behind the barrier): `sys/token/salt`, `sys/token/id/<hash>` (entry),
//! `sys/token/accessor/<hmac(accessor)>` (→ hash), `sys/token/parent/<hash>/<child>`,
//! `sys/token/roles/<name>`.

use std::sync::Arc;

use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::{ExpiryQueue, TOKEN_PREFIX, TokenEntry};
use crate::crypto;
use crate::logical::{Error, KeyLocks, Storage};
use crate::storage::TxnOp;

const SALT_KEY: &str = "sys/token/salt";
const ID_PREFIX: &str = "sys/token/id/";
const ACCESSOR_PREFIX: &str = "sys/token/accessor/";
const PARENT_PREFIX: &str = "sys/token/parent/";
/// The most ancestors checked when validating a token (see `TokenStore::live`).
const MAX_ANCESTRY: usize = 1024;
pub(super) const ROLE_PREFIX: &str = "sys/token/roles/";
/// The path of root tokens made at initialisation or by generate-root.
const ROOT_PATH: &str = "auth/token/root";
/// Lease ID → the keyed hash of its token (Vault keeps leases under `sys/expire/id/`).
pub const LEASE_PREFIX: &str = "sys/expire/id/";

/// Where the lease `id` is indexed.
pub fn lease_key(id: &str) -> String {
    format!("{LEASE_PREFIX}{id}")
}

pub struct TokenStore {
    storage: Arc<dyn Storage>,
    salt: Zeroizing<Vec<u8>>,
    /// Serialise changes to one token (use counts, renewals).
    locks: KeyLocks,
    /// When tokens expire, for the sweeper that revokes them.
    pub expiry: ExpiryQueue,
}

/// What using a token once did to it.
pub enum UseOutcome {
    /// Usable; `last` when this was its final use (revoke it after the request).
    Valid {
        entry: Box<TokenEntry>,
        last: bool,
    },
    Invalid,
}

impl TokenStore {
    /// Open the store on `storage` (the barrier), creating its salt on first use.
    pub async fn open(storage: Arc<dyn Storage>) -> Result<Self, Error> {
        let salt = match storage.get(SALT_KEY).await? {
            Some(salt) => Zeroizing::new(salt),
            None => {
                let salt = Zeroizing::new(crypto::random_array::<32>().map_err(Error::Internal)?.to_vec());
                storage.put(SALT_KEY, &salt).await?;
                salt
            }
        };
        Ok(TokenStore { storage, salt, locks: KeyLocks::default(), expiry: ExpiryQueue::default() })
    }

    pub(super) fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// The keyed hash a token is stored under.
    pub fn hash(&self, token: &str) -> String {
        crypto::hmac_hex(&self.salt, token.as_bytes())
    }

    fn accessor_key(&self, accessor: &str) -> String {
        format!("{ACCESSOR_PREFIX}{}", crypto::hmac_hex(&self.salt, accessor.as_bytes()))
    }

    /// A new random token string.
    pub fn new_token_id() -> Result<Zeroizing<String>, Error> {
        Ok(Zeroizing::new(format!("{TOKEN_PREFIX}{}", crypto::random_base62(24).map_err(Error::Internal)?)))
    }

    /// Store a new token (its entry, accessor and parent link) and its lease,
    /// `<path>/<random id>`, indexed under `sys/expire/id/`; an expiring token joins the
    /// expiry queue. As in OpenBao every token has a lease, even one that never expires,
    /// except the root token made at initialisation (`auth/token/root`). Answers the
    /// entry as stored.
    pub async fn insert(&self, mut entry: TokenEntry) -> Result<TokenEntry, Error> {
        if entry.lease_id.is_empty() && entry.path != ROOT_PATH {
            let id = crypto::random_base62(24).map_err(Error::Internal)?;
            entry.lease_id = format!("{}/{id}", entry.path.trim_end_matches('/'));
            self.storage.put(&lease_key(&entry.lease_id), entry.id_hash.as_bytes()).await?;
        }
        if let Some(expires) = entry.expire_time {
            self.expiry.push(expires, &entry.id_hash);
        }
        self.save(&entry).await?;
        self.storage.put(&self.accessor_key(&entry.accessor), entry.id_hash.as_bytes()).await?;
        if !entry.parent.is_empty() {
            self.storage.put(&format!("{PARENT_PREFIX}{}/{}", entry.parent, entry.id_hash), b"").await?;
        }
        Ok(entry)
    }

    async fn save(&self, entry: &TokenEntry) -> Result<(), Error> {
        let bytes = serde_json::to_vec(entry).map_err(Error::internal)?;
        self.storage.put(&format!("{ID_PREFIX}{}", entry.id_hash), &bytes).await?;
        Ok(())
    }

    /// Create a root token. `id` picks the token string (dev mode, where OpenBao issues it
    /// through `auth/token/create`, the path it then shows); otherwise random.
    pub async fn create_root(
        &self,
        id: Option<&str>,
        display_name: &str,
    ) -> Result<(Zeroizing<String>, TokenEntry), Error> {
        let token = match id {
            Some(id) => {
                validate_custom_id(id)?;
                Zeroizing::new(id.to_string())
            }
            None => Self::new_token_id()?,
        };
        let now = OffsetDateTime::now_utc();
        let accessor = crypto::random_base62(24).map_err(Error::Internal)?;
        let mut entry = TokenEntry::orphan(self.hash(&token), accessor, vec!["root".into()], now);
        entry.display_name = display_name.into();
        if id.is_none() {
            entry.path = ROOT_PATH.into();
        }
        let entry = self.insert(entry).await?;
        Ok((token, entry))
    }

    /// The entry stored under `hash`, whatever its state.
    pub async fn entry(&self, hash: &str) -> Result<Option<TokenEntry>, Error> {
        match self.storage.get(&format!("{ID_PREFIX}{hash}")).await? {
            Some(bytes) => Ok(Some(
                serde_json::from_slice(&bytes)
                    .map_err(|e| Error::Internal(format!("a stored token entry is corrupt: {e}")))?,
            )),
            None => Ok(None),
        }
    }

    /// The entry for `token` if it is valid now: known, not expired, not used up.
    pub async fn lookup(&self, token: &str) -> Result<Option<TokenEntry>, Error> {
        if token.is_empty() || token.len() > 512 {
            return Ok(None);
        }
        self.live(self.entry(&self.hash(token)).await?).await
    }

    /// `entry` if it is valid now and so is every ancestor: a child dies with its
    /// parent the moment the parent expires, not when a sweep gets round to it.
    async fn live(&self, entry: Option<TokenEntry>) -> Result<Option<TokenEntry>, Error> {
        let now = OffsetDateTime::now_utc();
        let Some(entry) = entry.filter(|e| valid(e, now)) else { return Ok(None) };
        let mut parent = entry.parent.clone();
        // Bounded: a chain longer than this is damage, not a family tree.
        for _ in 0..MAX_ANCESTRY {
            if parent.is_empty() {
                return Ok(Some(entry));
            }
            match self.entry(&parent).await? {
                Some(ancestor) if valid(&ancestor, now) => parent = ancestor.parent,
                _ => return Ok(None),
            }
        }
        Err(Error::Internal("a token's chain of parents is too long".into()))
    }

    /// The hash of the token with `accessor`, if any.
    pub async fn hash_by_accessor(&self, accessor: &str) -> Result<Option<String>, Error> {
        if accessor.is_empty() || accessor.len() > 512 {
            return Ok(None);
        }
        Ok(self.storage.get(&self.accessor_key(accessor)).await?.and_then(|b| String::from_utf8(b).ok()))
    }

    /// The valid token with `accessor`.
    pub async fn lookup_accessor(&self, accessor: &str) -> Result<Option<TokenEntry>, Error> {
        match self.hash_by_accessor(accessor).await? {
            Some(hash) => self.live(self.entry(&hash).await?).await,
            None => Ok(None),
        }
    }

    /// Count one use of the token with `hash`, under its lock so two requests cannot
    /// both spend the last use.
    pub async fn use_token(&self, hash: &str) -> Result<UseOutcome, Error> {
        let _lock = self.locks.lock(hash).await;
        let Some(mut entry) = self.live(self.entry(hash).await?).await? else {
            return Ok(UseOutcome::Invalid);
        };
        let last = match entry.num_uses {
            0 => false,
            1 => {
                entry.num_uses = -1;
                self.save(&entry).await?;
                true
            }
            _ => {
                entry.num_uses -= 1;
                self.save(&entry).await?;
                false
            }
        };
        Ok(UseOutcome::Valid { entry: Box::new(entry), last })
    }

    /// Replace a token's entry after a renewal, under its lock.
    pub async fn update<F>(&self, hash: &str, change: F) -> Result<Option<TokenEntry>, Error>
    where
        F: FnOnce(&mut TokenEntry) -> Result<(), Error>,
    {
        let _lock = self.locks.lock(hash).await;
        let Some(mut entry) = self.live(self.entry(hash).await?).await? else {
            return Ok(None);
        };
        change(&mut entry)?;
        self.save(&entry).await?;
        Ok(Some(entry))
    }

    /// Renew the token with `hash` by `increment` seconds (0: by its last TTL) within
    /// the token mount's TTLs and its role's rules. Answers the renewed entry and any
    /// warnings (a TTL capped).
    pub async fn renew(
        &self,
        hash: &str,
        increment: u64,
        mount_default: u64,
        mount_max: u64,
    ) -> Result<(TokenEntry, Vec<String>), Error> {
        let current = self.entry(hash).await?.ok_or_else(|| Error::invalid("token not found"))?;
        let role = if current.role.is_empty() {
            None
        } else {
            Some(super::Role::load(self.storage(), &current.role).await?.ok_or_else(|| {
                Error::Internal(format!(
                    "failed to renew entry: original token role {:?} could not be found, not renewing",
                    current.role
                ))
            })?)
        };
        let now = OffsetDateTime::now_utc();
        let mut warnings = Vec::new();
        let entry = self
            .update(hash, |entry| {
                warnings = super::lookup::renew(entry, increment, role.as_ref(), mount_default, mount_max, now)?;
                Ok(())
            })
            .await?
            .ok_or_else(|| Error::invalid("token not found"))?;
        Ok((entry, warnings))
    }

    /// Revoke the token with `hash` and every token created under it. Returns the hashes
    /// revoked (the caller clears their cubbyholes).
    pub async fn revoke_tree(&self, hash: &str) -> Result<Vec<String>, Error> {
        let mut order = Vec::new();
        let mut stack = vec![hash.to_string()];
        while let Some(current) = stack.pop() {
            for child in self.storage.list(&format!("{PARENT_PREFIX}{current}/")).await? {
                stack.push(child);
            }
            order.push(current);
        }
        // Children first, so a failure never leaves a child whose parent is gone unrevoked.
        for current in order.iter().rev() {
            self.revoke_one(current).await?;
        }
        Ok(order)
    }

    /// Revoke only this token; its children become orphans.
    pub async fn revoke_orphan(&self, hash: &str) -> Result<(), Error> {
        for child in self.storage.list(&format!("{PARENT_PREFIX}{hash}/")).await? {
            self.update_any(&child, |e| {
                e.parent.clear();
                e.orphan = true;
            })
            .await?;
            self.storage.delete(&format!("{PARENT_PREFIX}{hash}/{child}")).await?;
        }
        self.revoke_one(hash).await
    }

    async fn update_any(&self, hash: &str, change: impl FnOnce(&mut TokenEntry)) -> Result<(), Error> {
        let _lock = self.locks.lock(hash).await;
        if let Some(mut entry) = self.entry(hash).await? {
            change(&mut entry);
            self.save(&entry).await?;
        }
        Ok(())
    }

    /// Delete the token and its index entries in one commit.
    async fn revoke_one(&self, hash: &str) -> Result<(), Error> {
        let mut ops = vec![TxnOp::Delete { key: format!("{ID_PREFIX}{hash}") }];
        if let Some(entry) = self.entry(hash).await? {
            ops.push(TxnOp::Delete { key: self.accessor_key(&entry.accessor) });
            if !entry.lease_id.is_empty() {
                ops.push(TxnOp::Delete { key: lease_key(&entry.lease_id) });
            }
            if !entry.parent.is_empty() {
                ops.push(TxnOp::Delete { key: format!("{PARENT_PREFIX}{}/{hash}", entry.parent) });
            }
        }
        self.storage.transaction(ops).await?;
        Ok(())
    }

    /// Revoke every token issued at a path under `prefix` (a login path such as
    /// `auth/userpass/`), with its children. Returns the hashes revoked.
    pub async fn revoke_path_prefix(&self, prefix: &str) -> Result<Vec<String>, Error> {
        self.revoke_matching(|e| e.path.starts_with(prefix)).await
    }

    /// Queue every stored token that expires (at unseal). Returns how many.
    pub async fn queue_expiring(&self) -> Result<usize, Error> {
        let mut queued = 0;
        for hash in self.storage.list(ID_PREFIX).await? {
            if let Some(at) = self.entry(&hash).await?.and_then(|e| e.expire_time) {
                self.expiry.push(at, &hash);
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Accessors of every stored token.
    pub async fn accessors(&self) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for hash in self.storage.list(ID_PREFIX).await? {
            if let Some(entry) = self.entry(&hash).await? {
                out.push(entry.accessor);
            }
        }
        Ok(out)
    }

    /// Revoke every token `matches` picks, with its children. Returns the hashes revoked.
    /// It reads every token: fine for tidying and for disabling an auth method, which
    /// are rare; a lease index will make the second one a prefix walk.
    pub async fn revoke_matching(&self, matches: impl Fn(&TokenEntry) -> bool) -> Result<Vec<String>, Error> {
        let mut revoked = Vec::new();
        for hash in self.storage.list(ID_PREFIX).await? {
            if self.entry(&hash).await?.is_some_and(|e| matches(&e)) {
                revoked.extend(self.revoke_tree(&hash).await?);
            }
        }
        Ok(revoked)
    }

    /// Revoke every expired token (and its children). Returns the hashes revoked.
    pub async fn tidy(&self) -> Result<Vec<String>, Error> {
        let now = OffsetDateTime::now_utc();
        self.revoke_matching(|e| e.expired(now)).await
    }
}

fn valid(entry: &TokenEntry, now: OffsetDateTime) -> bool {
    !entry.expired(now) && entry.num_uses >= 0
}

/// A chosen token id: printable, no spaces, no `/`, and not in the shape of a generated
/// one (Vault's rules: no `s.`/`hvs.` prefix, no `.`). The dev server's `root` passes.
pub fn validate_custom_id(id: &str) -> Result<(), Error> {
    if id.starts_with("s.") {
        return Err(Error::invalid("custom token ID cannot have the 's.' prefix"));
    }
    if id.starts_with("hvs.") {
        return Err(Error::invalid("custom token ID cannot have the 'hvs.' prefix"));
    }
    if id.contains('.') {
        return Err(Error::invalid("custom token ID cannot have a '.' in the value"));
    }
    if id.is_empty() || id.len() > 256 || id.chars().any(|c| c.is_control() || c.is_whitespace() || c == '/') {
        return Err(Error::invalid("a custom token id must be 1-256 printable characters without spaces or '/'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::barrier::Barrier;
    use crate::storage::{InmemStorage, Physical};

    async fn store() -> (TokenStore, Arc<InmemStorage>) {
        let physical = Arc::new(InmemStorage::new());
        let barrier = Arc::new(Barrier::new(physical.clone()));
        barrier.initialize(crypto::random_key().unwrap(), vec![]).await.unwrap();
        (TokenStore::open(barrier).await.unwrap(), physical)
    }

    #[tokio::test]
    async fn root_tokens_are_found_by_hash_only() {
        let (store, physical) = store().await;
        let (token, entry) = store.create_root(None, "root").await.unwrap();
        assert!(token.starts_with(TOKEN_PREFIX) && token.len() == super::super::TOKEN_LEN);
        assert!(entry.is_root());
        assert_eq!(store.lookup(&token).await.unwrap().unwrap().accessor, entry.accessor);
        assert!(store.lookup("s.nope").await.unwrap().is_none());
        let keys = physical.list("sys/token/id/").await.unwrap();
        assert_eq!(keys.len(), 1);
        assert!(!keys[0].contains(token.as_str()));
        assert_eq!(store.lookup_accessor(&entry.accessor).await.unwrap().unwrap().id_hash, entry.id_hash);
    }

    fn child(store: &TokenStore, token: &str, parent: &TokenEntry, uses: i64) -> TokenEntry {
        let mut e = parent.clone();
        e.id_hash = store.hash(token);
        e.accessor = crypto::random_base62(24).unwrap();
        e.parent = parent.id_hash.clone();
        e.orphan = false;
        e.num_uses = uses;
        e
    }

    #[tokio::test]
    async fn revoking_a_parent_revokes_the_tree_and_orphaning_keeps_children() {
        let (store, _) = store().await;
        let (root, root_entry) = store.create_root(None, "root").await.unwrap();
        let a = child(&store, "s.a", &root_entry, 0);
        let b = child(&store, "s.b", &a, 0);
        let c = child(&store, "s.c", &b, 0);
        for e in [&a, &b, &c] {
            store.insert(e.clone()).await.unwrap();
        }
        let revoked = store.revoke_tree(&a.id_hash).await.unwrap();
        assert_eq!(revoked.len(), 3);
        for t in ["s.a", "s.b", "s.c"] {
            assert!(store.lookup(t).await.unwrap().is_none(), "{t}");
        }
        assert!(store.lookup(&root).await.unwrap().is_some());

        let a = child(&store, "s.a2", &root_entry, 0);
        let b = child(&store, "s.b2", &a, 0);
        store.insert(a.clone()).await.unwrap();
        store.insert(b.clone()).await.unwrap();
        store.revoke_orphan(&a.id_hash).await.unwrap();
        assert!(store.lookup("s.a2").await.unwrap().is_none());
        let b = store.lookup("s.b2").await.unwrap().unwrap();
        assert!(b.orphan && b.parent.is_empty());
    }

    #[tokio::test]
    async fn revoking_by_login_path_takes_the_method_s_tokens_and_their_children_only() {
        let (store, _) = store().await;
        let (root, root_entry) = store.create_root(None, "root").await.unwrap();
        let mut login = child(&store, "s.login", &root_entry, 0);
        (login.path, login.parent, login.orphan) = ("auth/up/login/bob".into(), String::new(), true);
        let below = child(&store, "s.below", &login, 0);
        let mut other = child(&store, "s.other", &root_entry, 0);
        other.path = "auth/upx/login/bob".into();
        for e in [&login, &below, &other] {
            store.insert(e.clone()).await.unwrap();
        }
        assert_eq!(store.revoke_path_prefix("auth/up/").await.unwrap().len(), 2);
        for (token, alive) in [("s.login", false), ("s.below", false), ("s.other", true), (root.as_str(), true)] {
            assert_eq!(store.lookup(token).await.unwrap().is_some(), alive, "{token}");
        }
    }

    #[tokio::test]
    async fn a_token_with_uses_is_spent_exactly_once_per_use() {
        let (store, _) = store().await;
        let (_, root_entry) = store.create_root(None, "root").await.unwrap();
        let t = child(&store, "s.limited", &root_entry, 2);
        store.insert(t.clone()).await.unwrap();
        assert!(matches!(store.use_token(&t.id_hash).await.unwrap(), UseOutcome::Valid { last: false, .. }));
        assert!(matches!(store.use_token(&t.id_hash).await.unwrap(), UseOutcome::Valid { last: true, .. }));
        assert!(matches!(store.use_token(&t.id_hash).await.unwrap(), UseOutcome::Invalid));
        assert!(store.lookup("s.limited").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn expired_tokens_are_invalid_at_once() {
        let (store, _) = store().await;
        let (_, root_entry) = store.create_root(None, "root").await.unwrap();
        let mut t = child(&store, "s.old", &root_entry, 0);
        t.expire_time = Some(OffsetDateTime::now_utc() - time::Duration::seconds(1));
        store.insert(t.clone()).await.unwrap();
        assert!(store.lookup("s.old").await.unwrap().is_none());
        assert_eq!(store.tidy().await.unwrap().len(), 1);
        assert!(store.entry(&t.id_hash).await.unwrap().is_none());
    }

    #[test]
    fn custom_ids_are_checked() {
        assert!(validate_custom_id("root").is_ok());
        for bad in ["s.abc", "hvs.abc", "a.b", "a b", "a/b", ""] {
            assert!(validate_custom_id(bad).is_err(), "{bad}");
        }
    }
}
