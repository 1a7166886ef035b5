//! The SQLite store's writer: one thread owning one connection, committing the groups
//! `group_commit` forms.

use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::{Connection, TransactionBehavior, ffi};
use tokio::sync::mpsc;

use super::backend;
use crate::storage::group_commit::{self, Folded, Group, QUEUE_DEPTH, WriteRequest, WriteStats};
use crate::storage::{StorageError, TxnOp, keys};

const INSERT: &str = "INSERT INTO arcanum_storage (key, value) VALUES (?1, ?2)";
const UPSERT: &str =
    "INSERT INTO arcanum_storage (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
const DELETE: &str = "DELETE FROM arcanum_storage WHERE key = ?1";
const DELETE_RANGE: &str = "DELETE FROM arcanum_storage WHERE key >= ?1 AND key < ?2";
const DELETE_FROM: &str = "DELETE FROM arcanum_storage WHERE key >= ?1";

/// The writer thread and its queue. Dropping it closes the queue; the thread answers
/// what it holds, ends, and is joined, so the database is closed once the store is gone.
pub(super) struct Writer {
    queue: Option<mpsc::Sender<WriteRequest>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub(super) fn start(conn: Connection, stats: Arc<WriteStats>) -> std::io::Result<Writer> {
        let (queue, requests) = mpsc::channel(QUEUE_DEPTH);
        let thread = std::thread::Builder::new()
            .name("arcanum-sqlite-writer".into())
            .spawn(move || write_loop(conn, requests, &stats))?;
        Ok(Writer { queue: Some(queue), thread: Some(thread) })
    }

    pub(super) async fn submit(&self, ops: Vec<TxnOp>) -> Result<(), StorageError> {
        match &self.queue {
            Some(queue) => group_commit::submit(queue, ops).await,
            None => Err(StorageError::Unavailable("the storage writer has stopped".into())),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Commit each group together; if that fails, retry each request alone so one bad
/// request cannot fail the others.
fn write_loop(mut conn: Connection, mut requests: mpsc::Receiver<WriteRequest>, stats: &WriteStats) {
    while let Some(first) = requests.blocking_recv() {
        let group = Group::gather(first, &mut requests, stats);
        if group.must_commit_alone() {
            commit_each(&mut conn, group);
            continue;
        }
        match commit(&mut conn, group.ops()) {
            Ok(()) => group.answer(Ok(())),
            Err(_) if group.len() > 1 => commit_each(&mut conn, group),
            Err(err) => group.answer(Err(err)),
        }
    }
}

fn commit_each(conn: &mut Connection, group: Group) {
    for request in group.into_requests() {
        let outcome = commit(conn, request.ops());
        request.answer(outcome);
    }
}

/// Apply `ops`, folded (see `group_commit::fold`), in one transaction. `IMMEDIATE` takes
/// the write lock up front, so the commit cannot fail halfway on another writer's lock.
fn commit<'o>(conn: &mut Connection, ops: impl IntoIterator<Item = &'o TxnOp>) -> Result<(), StorageError> {
    let folded = group_commit::fold(ops);
    let txn = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
    apply(&txn, &folded)?;
    txn.commit().map_err(backend)
}

fn apply(conn: &Connection, folded: &Folded<'_>) -> Result<(), StorageError> {
    for folder in &folded.folders {
        match keys::prefix_end(folder) {
            Some(end) => conn.prepare_cached(DELETE_RANGE).and_then(|mut s| s.execute((folder, end))),
            None => conn.prepare_cached(DELETE_FROM).and_then(|mut s| s.execute([folder])),
        }
        .map_err(backend)?;
    }
    let mut insert = conn.prepare_cached(INSERT).map_err(backend)?;
    for &(key, value) in &folded.creates {
        insert.execute((key, value)).map_err(|e| match is_unique_violation(&e) {
            true => StorageError::AlreadyExists(key.to_string()),
            false => backend(e),
        })?;
    }
    let mut upsert = conn.prepare_cached(UPSERT).map_err(backend)?;
    for &(key, value) in &folded.puts {
        upsert.execute((key, value)).map_err(backend)?;
    }
    let mut delete = conn.prepare_cached(DELETE).map_err(backend)?;
    for &key in &folded.deletes {
        delete.execute([key]).map_err(backend)?;
    }
    Ok(())
}

fn is_unique_violation(err: &rusqlite::Error) -> bool {
    err.sqlite_error()
        .is_some_and(|e| matches!(e.extended_code, ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::storage::sqlite::tests::until;
    use crate::storage::{Physical, SqliteStorage};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_request_does_not_fail_the_rest_of_its_group() {
        let store = Arc::new(SqliteStorage::open_memory().await.unwrap());
        // Forbid one key inside the database, so only that request's commit fails.
        store
            .execute_for_tests(
                "CREATE TRIGGER refuse BEFORE INSERT ON arcanum_storage WHEN NEW.key = 'grp/bad' \
                 BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .unwrap();
        // Hold the write lock elsewhere so the writer stalls and the requests pile up:
        // the bad one then always shares a group with good ones.
        let blocker = store.readers.location.open().unwrap();
        blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
        let put = |key: &'static str| {
            let store = store.clone();
            tokio::spawn(async move { store.put(key, b"v").await })
        };
        let first = put("grp/a");
        until("the writer holds the first request", || store.stats.requests.load(Ordering::Relaxed) == 1).await;
        let rest = [put("grp/bad"), put("grp/b"), put("grp/c")];
        let queue = store.writer.queue.as_ref().unwrap();
        until("the rest are queued", || queue.capacity() == QUEUE_DEPTH - 3).await;
        blocker.execute_batch("COMMIT").unwrap();

        assert!(first.await.unwrap().is_ok());
        let [bad, b, c] = rest;
        let bad = bad.await.unwrap();
        assert!(matches!(&bad, Err(StorageError::Backend(m)) if m.contains("refused")), "{bad:?}");
        assert!(b.await.unwrap().is_ok());
        assert!(c.await.unwrap().is_ok());
        assert_eq!(store.list("grp/").await.unwrap(), vec!["a", "b", "c"]);
        assert_eq!(store.stats.commits.load(Ordering::Relaxed), 2, "the three waiting requests formed one group");
    }
}
