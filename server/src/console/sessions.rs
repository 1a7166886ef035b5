//! Where console sessions live: tower-sessions records, stored behind the barrier
//! (so encrypted in the storage database, and shared by every node on PostgreSQL) at
//! `core/console-sessions/<sha256 of the id>`. Keyed by a hash so that nothing read
//! from storage names a live cookie. A sealed server has no sessions.
//!
//! A session that ends by expiry takes its token with it when the console obtained
//! that token at sign-in: the token is revoked when the expired record is found, on
//! load or by the periodic sweep, so no live token outlives its session in storage.

use std::sync::{Arc, Weak};
use std::time::Duration;

use arcanum_app::api::session::{SignedIn, USER_KEY};
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};

use crate::core::Core;
use crate::logical::{Operation, Request, Storage};
use crate::storage::StorageError;

const PREFIX: &str = "core/console-sessions/";
/// How often expired records are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct BarrierSessionStore {
    storage: Arc<dyn Storage>,
    /// Revokes the tokens of expired sessions; weak, as the core owns the router that
    /// owns this store.
    core: Weak<Core>,
}

impl std::fmt::Debug for BarrierSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BarrierSessionStore")
    }
}

impl BarrierSessionStore {
    pub fn new(storage: Arc<dyn Storage>, core: Weak<Core>) -> BarrierSessionStore {
        BarrierSessionStore { storage, core }
    }

    /// Sweep expired sessions every few minutes, for as long as the core lives.
    pub fn sweep_in_background(&self) {
        let store = self.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut tick = tokio::time::interval(SWEEP_EVERY);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    if store.core.strong_count() == 0 {
                        return;
                    }
                    store.sweep().await;
                }
            });
        }
    }

    /// End every expired session. Sealed: nothing to do until unsealed.
    pub async fn sweep(&self) {
        let Ok(keys) = self.storage.list(PREFIX).await else { return };
        let now = OffsetDateTime::now_utc();
        for key in keys {
            let key = format!("{PREFIX}{key}");
            if let Ok(Some(record)) = self.read_key(&key).await
                && record.expiry_date <= now
            {
                self.end(&key, &record).await;
            }
        }
    }

    fn key(id: &Id) -> String {
        format!("{PREFIX}{}", hex::encode(Sha256::digest(id.0.to_le_bytes())))
    }

    async fn read_key(&self, key: &str) -> std::result::Result<Option<Record>, StorageError> {
        let Some(bytes) = self.storage.get(key).await? else { return Ok(None) };
        // A record that does not decode is treated as absent (and replaced on save).
        Ok(serde_json::from_slice(&bytes).ok())
    }

    /// Revoke the session's console-issued token, then delete the record.
    async fn end(&self, key: &str, record: &Record) {
        let user = record.data.get(USER_KEY).and_then(|user| serde_json::from_value::<SignedIn>(user.clone()).ok());
        if let (Some(user), Some(core)) = (user, self.core.upgrade())
            && user.issued_by_console
        {
            let mut req = Request::new(Operation::Update, "auth/token/revoke-self");
            req.client_token = Some(user.token);
            if let Err(err) = core.handle_request(req).await {
                tracing::debug!(error = %err, "the token of an expired console session was already gone");
            }
        }
        if let Err(err) = self.storage.delete(key).await {
            tracing::warn!(error = %err, "an expired console session could not be deleted");
        }
    }
}

/// Storage failures as the session layer reports them; the details go to the log only.
fn backend(err: StorageError) -> Error {
    tracing::error!(error = %err, "console session storage failed");
    Error::Backend("the session store is unavailable".into())
}

#[async_trait]
impl SessionStore for BarrierSessionStore {
    /// A new record under an id no other session has (ids are random 128-bit numbers, so
    /// a collision means a broken random source, but it must not join two sessions).
    async fn create(&self, record: &mut Record) -> Result<()> {
        while self.read_key(&Self::key(&record.id)).await.map_err(backend)?.is_some() {
            record.id = Id::default();
        }
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let bytes = serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
        self.storage.put(&Self::key(&record.id), &bytes).await.map_err(backend)
    }

    /// The record, unless it has expired (then the session is ended). Sealed: no session.
    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let key = Self::key(id);
        match self.read_key(&key).await {
            Ok(Some(record)) if record.expiry_date <= OffsetDateTime::now_utc() => {
                self.end(&key, &record).await;
                Ok(None)
            }
            Ok(record) => Ok(record),
            Err(StorageError::Sealed) => Ok(None),
            Err(err) => Err(backend(err)),
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.storage.delete(&Self::key(id)).await.map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::InmemLogical;

    fn record(expires_in: time::Duration) -> Record {
        Record { id: Id::default(), data: Default::default(), expiry_date: OffsetDateTime::now_utc() + expires_in }
    }

    #[tokio::test]
    async fn records_round_trip_under_a_hashed_key_and_expire() {
        let storage: Arc<dyn Storage> = Arc::new(InmemLogical::default());
        let store = BarrierSessionStore::new(storage.clone(), Weak::new());
        let mut live = record(time::Duration::minutes(5));
        live.data.insert("user".into(), serde_json::json!({"display_name": "alice"}));
        store.create(&mut live).await.unwrap();
        assert_eq!(store.load(&live.id).await.unwrap(), Some(live.clone()));
        let keys = storage.list(PREFIX).await.unwrap();
        assert_eq!(keys.len(), 1);
        assert!(!keys[0].contains(&live.id.to_string()), "the id is not the key");

        let mut stale = record(time::Duration::seconds(-1));
        store.create(&mut stale).await.unwrap();
        assert_eq!(store.load(&stale.id).await.unwrap(), None);
        assert_eq!(storage.list(PREFIX).await.unwrap().len(), 1, "the expired record is deleted on load");

        let mut forgotten = record(time::Duration::seconds(-1));
        store.create(&mut forgotten).await.unwrap();
        store.sweep().await;
        assert_eq!(storage.list(PREFIX).await.unwrap().len(), 1, "the sweep deletes expired records");

        store.delete(&live.id).await.unwrap();
        assert_eq!(store.load(&live.id).await.unwrap(), None);
    }
}
