//! Where console sessions live: tower-sessions records, stored behind the barrier
//! (so encrypted in the storage database, and shared by every node on PostgreSQL) at
//! `core/console-sessions/<sha256 of the id>`. Keyed by a hash so that nothing read
//! from storage names a live cookie. A sealed server has no sessions.

use std::sync::Arc;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};

use crate::logical::Storage;

const PREFIX: &str = "core/console-sessions/";

#[derive(Clone)]
pub struct BarrierSessionStore {
    storage: Arc<dyn Storage>,
}

impl std::fmt::Debug for BarrierSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BarrierSessionStore")
    }
}

impl BarrierSessionStore {
    pub fn new(storage: Arc<dyn Storage>) -> BarrierSessionStore {
        BarrierSessionStore { storage }
    }

    fn key(id: &Id) -> String {
        format!("{PREFIX}{}", hex::encode(Sha256::digest(id.0.to_le_bytes())))
    }

    async fn read(&self, id: &Id) -> Result<Option<Record>> {
        let Some(bytes) = self.storage.get(&Self::key(id)).await.map_err(backend)? else { return Ok(None) };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| Error::Decode(e.to_string()))
    }
}

fn backend(err: impl std::fmt::Display) -> Error {
    Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for BarrierSessionStore {
    /// A new record under an id no other session has (ids are random 128-bit numbers, so
    /// a collision means a broken random source, but it must not join two sessions).
    async fn create(&self, record: &mut Record) -> Result<()> {
        while self.read(&record.id).await?.is_some() {
            record.id = Id::default();
        }
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let bytes = serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
        self.storage.put(&Self::key(&record.id), &bytes).await.map_err(backend)
    }

    /// The record, unless it has expired (then it is deleted). Sealed: no session.
    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let record = match self.read(id).await {
            Ok(record) => record,
            Err(Error::Backend(_)) => return Ok(None),
            Err(err) => return Err(err),
        };
        match record {
            Some(record) if record.expiry_date <= OffsetDateTime::now_utc() => {
                self.delete(id).await?;
                Ok(None)
            }
            other => Ok(other),
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
        let store = BarrierSessionStore::new(storage.clone());
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

        store.delete(&live.id).await.unwrap();
        assert_eq!(store.load(&live.id).await.unwrap(), None);
    }
}
