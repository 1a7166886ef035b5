//! When tokens expire: an in-memory queue of (expiry, token hash) that the core's
//! sweeper takes from as tokens come due, so an expired token (and its lease) is revoked
//! within moments, not whenever something next reads it. Filled as tokens are made and,
//! at unseal, from storage.
//!
//! Renewals do not touch the queue: a token taken from it that was renewed meanwhile is
//! queued again at its new expiry (the sweeper re-reads the entry before revoking).

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

use time::OffsetDateTime;

#[derive(Default)]
pub struct ExpiryQueue {
    due: Mutex<BTreeSet<(OffsetDateTime, String)>>,
}

impl ExpiryQueue {
    pub fn push(&self, at: OffsetDateTime, hash: &str) {
        self.due.lock().unwrap_or_else(PoisonError::into_inner).insert((at, hash.to_string()));
    }

    /// Take every token hash due by `now`, soonest first.
    pub fn take_due(&self, now: OffsetDateTime) -> Vec<String> {
        let mut due = self.due.lock().unwrap_or_else(PoisonError::into_inner);
        let later = due.split_off(&(now, String::from("\u{10FFFF}")));
        let taken = std::mem::replace(&mut *due, later);
        taken.into_iter().map(|(_, hash)| hash).collect()
    }

    pub fn len(&self) -> usize {
        self.due.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    #[test]
    fn takes_only_what_is_due_soonest_first() {
        let queue = ExpiryQueue::default();
        let now = OffsetDateTime::now_utc();
        queue.push(now + Duration::seconds(5), "later");
        queue.push(now - Duration::seconds(1), "b");
        queue.push(now - Duration::seconds(2), "a");
        queue.push(now, "now");
        assert_eq!(queue.take_due(now), ["a", "b", "now"]);
        assert_eq!(queue.take_due(now), Vec::<String>::new());
        assert_eq!(queue.len(), 1);
        assert_eq!(queue.take_due(now + Duration::seconds(5)), ["later"]);
        assert!(queue.is_empty());
    }
}
