//! Group commit, for sinks whose writes do not block (a regular file on a local disk):
//! the request that finds the device idle writes the entries itself, together with
//! whatever other requests queued while it wrote.
//!
//! A device thread costs two cross-thread hand-offs per entry (queue it, be woken when
//! it is written); under load that, not the write, was most of the audit overhead. Here
//! a lone request makes one `write(2)` and no hand-off, and a busy device writes in
//! batches. The price: a write that does hang holds the runtime thread its writer runs
//! on; the requests queued behind it give up after `WRITE_TIMEOUT` as with a thread, so
//! the server stays up. Sockets, pipes, syslog and the database keep their thread.

use std::sync::Mutex;

use tokio::sync::oneshot;

use super::device::{Entries, Sink, WRITE_TIMEOUT};
use super::records::AuditRecord;

type Waiter = oneshot::Sender<Result<(), String>>;

pub struct GroupCommit {
    /// Locked by the one writer at a time (and by a reopen).
    sink: Mutex<Box<dyn Sink>>,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    /// Entries waiting for the current writer to come back for them.
    pending: Vec<(Entries, Waiter)>,
    /// A request is writing; others queue behind it.
    writing: bool,
}

impl GroupCommit {
    pub fn new(sink: Box<dyn Sink>) -> GroupCommit {
        GroupCommit { sink: Mutex::new(sink), queue: Mutex::default() }
    }

    pub async fn record(&self, entries: Entries) -> Result<(), String> {
        let waiting = {
            let mut queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if queue.writing {
                let (waiter, written) = oneshot::channel();
                queue.pending.push((entries.clone(), waiter));
                Some(written)
            } else {
                queue.writing = true;
                None
            }
        };
        match waiting {
            Some(written) => match tokio::time::timeout(WRITE_TIMEOUT, written).await {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(_)) => Err("the writer stopped".into()),
                Err(_) => Err(format!("not written within {} s", WRITE_TIMEOUT.as_secs())),
            },
            // No await from here until the queue is drained: the writer cannot be
            // cancelled half way and leave `writing` set.
            None => self.write_all(entries),
        }
    }

    /// Write our own entries, then every batch queued meanwhile, until none is left.
    fn write_all(&self, own: Entries) -> Result<(), String> {
        let own_outcome = self.write(&own.iter().collect::<Vec<_>>());
        loop {
            let pending = {
                let mut queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if queue.pending.is_empty() {
                    queue.writing = false;
                    return own_outcome;
                }
                std::mem::take(&mut queue.pending)
            };
            let batch: Vec<&AuditRecord> = pending.iter().flat_map(|(entries, _)| entries.iter()).collect();
            let outcome = self.write(&batch);
            for (_, waiter) in pending {
                let _ = waiter.send(outcome.clone());
            }
        }
    }

    fn write(&self, batch: &[&AuditRecord]) -> Result<(), String> {
        let mut sink = self.sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        sink.write(batch).map_err(|e| e.to_string())
    }

    /// Reopen on a blocking thread: the lock may be held by a writer stuck in `write`.
    pub async fn reopen(self: &std::sync::Arc<Self>) -> Result<(), String> {
        let this = self.clone();
        let reopen = tokio::task::spawn_blocking(move || {
            let mut sink = this.sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            sink.reopen().map_err(|e| e.to_string())
        });
        match tokio::time::timeout(WRITE_TIMEOUT, reopen).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err("the reopen failed".into()),
            Err(_) => Err(format!("not reopened within {} s", WRITE_TIMEOUT.as_secs())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Counts writes and entries; fails while `fail` is set.
    struct Counting {
        writes: Arc<AtomicUsize>,
        entries: Arc<AtomicUsize>,
        fail: bool,
    }

    impl Sink for Counting {
        fn write(&mut self, batch: &[&AuditRecord]) -> io::Result<()> {
            self.writes.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return Err(io::Error::other("disk full"));
            }
            self.entries.fetch_add(batch.len(), Ordering::SeqCst);
            // Long enough for other requests to queue behind this write.
            std::thread::sleep(std::time::Duration::from_millis(2));
            Ok(())
        }
    }

    fn entries(n: usize) -> Entries {
        Arc::new((0..n).map(|i| AuditRecord::sample("r", &format!("entry {i}"))).collect())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_requests_share_writes_and_every_entry_is_written_once() {
        let (writes, written) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let group = Arc::new(GroupCommit::new(Box::new(Counting {
            writes: writes.clone(),
            entries: written.clone(),
            fail: false,
        })));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let group = group.clone();
                tokio::spawn(async move { group.record(entries(2)).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(written.load(Ordering::SeqCst), 128);
        let writes = writes.load(Ordering::SeqCst);
        assert!(writes < 64, "64 requests on 4 threads should share writes, made {writes}");
        assert!(!group.queue.lock().unwrap().writing, "the last writer leaves the device idle");
    }

    #[tokio::test]
    async fn a_failing_write_fails_the_request_and_the_device_stays_usable() {
        let (writes, written) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let group = GroupCommit::new(Box::new(Counting { writes: writes.clone(), entries: written, fail: true }));
        assert_eq!(group.record(entries(1)).await.unwrap_err(), "disk full");
        assert_eq!(group.record(entries(1)).await.unwrap_err(), "disk full");
        assert_eq!(writes.load(Ordering::SeqCst), 2);
    }
}
