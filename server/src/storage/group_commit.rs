//! Group commit, shared by the database backends: callers queue their writes for one
//! writer, which takes every request waiting at that moment and commits them in one
//! transaction, so concurrent writers share one fsync instead of queueing for one each.
//! A write returns only once its transaction has committed.
//!
//! This module decides what goes into a commit and how it folds; each backend runs the
//! commit its own way (sea-orm on a task, rusqlite on a thread).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use super::{StorageError, TxnOp};

/// Most requests one commit takes.
pub(super) const MAX_GROUP: usize = 256;
/// Requests that may wait for the writer before callers wait to queue.
pub(super) const QUEUE_DEPTH: usize = 4 * MAX_GROUP;

/// Counters of the writer's work: how well concurrent writes share commits.
#[derive(Debug, Default)]
pub struct WriteStats {
    pub requests: AtomicU64,
    pub commits: AtomicU64,
}

/// One caller's writes, applied atomically, and where to report the outcome.
pub(super) struct WriteRequest {
    ops: Vec<TxnOp>,
    done: oneshot::Sender<Result<(), StorageError>>,
}

impl WriteRequest {
    pub fn ops(&self) -> &[TxnOp] {
        &self.ops
    }

    /// Tell the caller; one that stopped waiting no longer cares.
    pub fn answer(self, outcome: Result<(), StorageError>) {
        let _ = self.done.send(outcome);
    }
}

/// Check `ops`, queue them for the writer and wait until they are committed.
pub(super) async fn submit(writer: &mpsc::Sender<WriteRequest>, ops: Vec<TxnOp>) -> Result<(), StorageError> {
    for op in &ops {
        op.check()?;
    }
    let stopped = || StorageError::Unavailable("the storage writer has stopped".into());
    let (done, outcome) = oneshot::channel();
    writer.send(WriteRequest { ops, done }).await.map_err(|_| stopped())?;
    outcome.await.map_err(|_| stopped())?
}

/// The requests one commit takes: the first, and whatever else is already queued.
pub(super) struct Group(Vec<WriteRequest>);

impl Group {
    pub fn gather(first: WriteRequest, queue: &mut mpsc::Receiver<WriteRequest>, stats: &WriteStats) -> Group {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        stats.requests.fetch_add(group.len() as u64, Ordering::Relaxed);
        stats.commits.fetch_add(1, Ordering::Relaxed);
        Group(group)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Every op of every request, in queue order.
    pub fn ops(&self) -> impl Iterator<Item = &TxnOp> {
        self.0.iter().flat_map(|request| request.ops.iter())
    }

    /// An insert-only write can fail on its own, and a folder delete cannot be folded
    /// with single keys: a group holding either is committed one request at a time.
    pub fn must_commit_alone(&self) -> bool {
        self.len() > 1 && self.ops().any(|op| matches!(op, TxnOp::Create { .. } | TxnOp::DeletePrefix { .. }))
    }

    /// Give every request the group's outcome.
    pub fn answer(self, outcome: Result<(), StorageError>) {
        for request in self.0 {
            request.answer(outcome.clone());
        }
    }

    pub fn into_requests(self) -> Vec<WriteRequest> {
        self.0
    }
}

/// A commit's ops as the database applies them, in this order: folder deletes, then
/// insert-only creates, then for every other key only its last op (an upsert or a
/// delete), written in key order.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Folded<'o> {
    pub folders: Vec<&'o str>,
    pub creates: Vec<(&'o str, &'o [u8])>,
    pub puts: Vec<(&'o str, &'o [u8])>,
    pub deletes: Vec<&'o str>,
}

pub(super) fn fold<'o>(ops: impl IntoIterator<Item = &'o TxnOp>) -> Folded<'o> {
    let mut folded = Folded::default();
    let mut last: BTreeMap<&str, Option<&[u8]>> = BTreeMap::new();
    for op in ops {
        match op {
            TxnOp::Create { key, value } => folded.creates.push((key, value)),
            TxnOp::DeletePrefix { prefix } => folded.folders.push(prefix),
            other => {
                last.insert(other.key(), other.value());
            }
        }
    }
    for (key, value) in last {
        match value {
            Some(value) => folded.puts.push((key, value)),
            None => folded.deletes.push(key),
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &str, value: &str) -> TxnOp {
        TxnOp::Put { key: key.into(), value: value.as_bytes().to_vec() }
    }

    #[test]
    fn fold_keeps_each_keys_last_op_in_key_order() {
        let ops = [
            put("b", "1"),
            TxnOp::Delete { key: "a".into() },
            put("b", "2"),
            put("a", "3"),
            TxnOp::Delete { key: "c".into() },
            TxnOp::Create { key: "n".into(), value: b"new".to_vec() },
            TxnOp::DeletePrefix { prefix: "f/".into() },
        ];
        let folded = fold(&ops);
        assert_eq!(
            folded,
            Folded {
                folders: vec!["f/"],
                creates: vec![("n", &b"new"[..])],
                puts: vec![("a", &b"3"[..]), ("b", &b"2"[..])],
                deletes: vec!["c"],
            }
        );
    }

    #[tokio::test]
    async fn only_groups_of_plain_writes_are_committed_together() {
        let (tx, mut rx) = mpsc::channel(8);
        let stats = WriteStats::default();
        let queue = |ops: Vec<TxnOp>| {
            let (done, _) = oneshot::channel();
            tx.try_send(WriteRequest { ops, done }).unwrap();
        };
        queue(vec![put("a", "1")]);
        queue(vec![put("b", "1"), TxnOp::Delete { key: "c".into() }]);
        let first = rx.recv().await.unwrap();
        let plain = Group::gather(first, &mut rx, &stats);
        assert_eq!(plain.len(), 2);
        assert!(!plain.must_commit_alone());

        queue(vec![TxnOp::Create { key: "k".into(), value: vec![] }]);
        let first = rx.recv().await.unwrap();
        assert!(!Group::gather(first, &mut rx, &stats).must_commit_alone(), "one request is alone anyway");

        queue(vec![put("a", "2")]);
        queue(vec![TxnOp::DeletePrefix { prefix: "f/".into() }]);
        let first = rx.recv().await.unwrap();
        assert!(Group::gather(first, &mut rx, &stats).must_commit_alone());
        assert_eq!(stats.requests.load(Ordering::Relaxed), 5);
        assert_eq!(stats.commits.load(Ordering::Relaxed), 3);
    }
}
