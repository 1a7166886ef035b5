//! Per-key locks for read-modify-write sequences (check-and-set, version bumps): two
//! writers of one key take turns, writers of different keys rarely wait for each other.

use std::hash::BuildHasher;

use tokio::sync::{Mutex, MutexGuard};

const STRIPES: usize = 256;

pub struct KeyLocks {
    stripes: Box<[Mutex<()>]>,
    hasher: std::collections::hash_map::RandomState,
}

impl Default for KeyLocks {
    fn default() -> Self {
        KeyLocks { stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(), hasher: Default::default() }
    }
}

impl KeyLocks {
    /// Hold the lock for `key` until the guard is dropped.
    pub async fn lock(&self, key: &str) -> MutexGuard<'_, ()> {
        self.stripes[(self.hasher.hash_one(key) as usize) % STRIPES].lock().await
    }
}
