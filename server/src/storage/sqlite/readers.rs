//! Read connections for the SQLite store, leased for the length of one read.

use std::ops::Deref;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

use super::Location;
use crate::storage::StorageError;

/// Most read connections open at once.
const MAX_READERS: usize = 8;

/// Read connections, opened on demand up to `MAX_READERS`. A read holds one only while
/// it runs, without awaiting, so waiting for a free one is brief.
pub(super) struct Readers {
    pub(super) location: Location,
    pool: Mutex<Pool>,
    freed: Condvar,
}

#[derive(Default)]
struct Pool {
    idle: Vec<Connection>,
    open: usize,
    /// Readers waiting for a connection: only then is waking anyone worth a system call.
    waiting: usize,
}

impl Readers {
    pub(super) fn new(location: Location) -> Readers {
        Readers { location, pool: Mutex::default(), freed: Condvar::new() }
    }

    pub(super) fn lease(&self) -> Result<Lease<'_>, StorageError> {
        let mut pool = self.lock();
        loop {
            if let Some(conn) = pool.idle.pop() {
                return Ok(Lease { readers: self, conn: Some(conn) });
            }
            if pool.open < MAX_READERS {
                pool.open += 1;
                break;
            }
            pool.waiting += 1;
            pool = self.freed.wait(pool).unwrap_or_else(PoisonError::into_inner);
            pool.waiting -= 1;
        }
        drop(pool);
        match self.location.open().and_then(|conn| conn.pragma_update(None, "query_only", true).map(|()| conn)) {
            Ok(conn) => Ok(Lease { readers: self, conn: Some(conn) }),
            Err(err) => {
                self.release(|pool| pool.open -= 1);
                Err(StorageError::Unavailable(format!("cannot open the {}: {err}", self.location.describe())))
            }
        }
    }

    /// Return a connection (or the right to open one) to the pool.
    fn release(&self, give_back: impl FnOnce(&mut Pool)) {
        let mut pool = self.lock();
        give_back(&mut pool);
        if pool.waiting > 0 {
            self.freed.notify_one();
        }
    }

    fn lock(&self) -> MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A read connection, back in the pool when dropped.
pub(super) struct Lease<'r> {
    readers: &'r Readers,
    conn: Option<Connection>,
}

impl Deref for Lease<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.readers.release(|pool| pool.idle.push(conn));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::storage::SqliteStorage;
    use crate::storage::sqlite::tests::until;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_beyond_the_bound_wait_for_a_free_connection() {
        let store = Arc::new(SqliteStorage::open_memory().await.unwrap());
        let mut held: Vec<_> = (0..MAX_READERS).map(|_| store.readers.lease().unwrap()).collect();
        let next = std::thread::spawn({
            let store = store.clone();
            move || store.readers.lease().is_ok()
        });
        until("a reader waits", || store.readers.lock().waiting == 1).await;
        assert!(!next.is_finished());
        held.pop();
        assert!(next.join().unwrap());
        drop(held);
        assert_eq!(store.readers.lock().open, MAX_READERS, "no connection opened beyond the bound");
        assert_eq!(store.readers.lock().idle.len(), MAX_READERS);
    }
}
