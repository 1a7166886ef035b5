//! One enabled audit device: its salt and options, and a thread that owns its sink.
//!
//! Requests hand entries to the thread through a bounded queue and wait, with a
//! timeout, for the write to finish. A device that blocks (a full pipe, a hung peer)
//! therefore costs each request at most the timeout and never holds a runtime thread;
//! a full queue fails at once. The thread writes whatever is queued in one batch.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use tokio::sync::oneshot;

use super::entry::{AuditInput, FormatOptions, Formatter, TokenHashes};
use super::hash::Salt;
use super::records::AuditRecord;

/// Where a device's entries go. Runs on the device's own thread.
pub trait Sink: Send + 'static {
    /// Record every entry of `batch`, or fail. Success means recorded: for a file,
    /// handed to the operating system (it survives a crash of this process); for the
    /// database device, committed.
    fn write(&mut self, batch: &[&AuditRecord]) -> io::Result<()>;

    /// Close and open again (SIGHUP, after another tool rotated the file).
    fn reopen(&mut self) -> io::Result<()> {
        Ok(())
    }
}

static NO_TOKEN: TokenHashes = TokenHashes { token: None, accessor: None, issue_time: None };

/// Jobs queued per device before requests fail fast instead of waiting.
const QUEUE_DEPTH: usize = 4096;
/// The longest a request waits for one device.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Entries written together at most.
const MAX_BATCH: usize = 512;

/// Entries shared between the waiting request (which spills them if the write fails)
/// and the device thread.
pub type Entries = Arc<Vec<AuditRecord>>;

enum Job {
    Write(Entries, oneshot::Sender<Result<(), String>>),
    Reopen(oneshot::Sender<Result<(), String>>),
}

pub struct Device {
    /// Where it is enabled, with a trailing `/`: `file/`.
    pub path: String,
    /// `file`, `socket`, `syslog`, `database`.
    pub kind: String,
    pub uuid: String,
    pub salt: Salt,
    pub format: FormatOptions,
    queue: SyncSender<Job>,
    /// Entries waiting in the spill queue for this device.
    pub backlog: AtomicU64,
    pub failures: AtomicU64,
    /// Tokens as this device shows them, by the token store's keyed hash (never by the
    /// token itself): a busy client's token is hashed once, not twice per entry.
    token_hashes: quick_cache::sync::Cache<String, Arc<TokenHashes>>,
}

/// Tokens whose hashes a device remembers.
const TOKEN_HASHES: usize = 16_384;

impl Device {
    /// Start the device's thread over `sink`.
    pub fn start(
        path: String,
        kind: String,
        uuid: String,
        salt: Salt,
        format: FormatOptions,
        sink: Box<dyn Sink>,
    ) -> io::Result<Device> {
        let (queue, jobs) = sync_channel(QUEUE_DEPTH);
        std::thread::Builder::new().name(format!("audit {path}")).spawn(move || run(sink, jobs))?;
        Ok(Device {
            path,
            kind,
            uuid,
            salt,
            format,
            queue,
            backlog: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            token_hashes: quick_cache::sync::Cache::new(TOKEN_HASHES),
        })
    }

    pub fn formatter<'a>(&'a self, token: &'a TokenHashes) -> Formatter<'a> {
        // Only the database device stores the columns.
        Formatter { salt: &self.salt, options: &self.format, token, columns: self.kind == "database" }
    }

    /// The request's token and accessor as this device writes them.
    pub fn token_hashes(&self, input: &AuditInput) -> Arc<TokenHashes> {
        let compute = || {
            let formatter = self.formatter(&NO_TOKEN);
            Arc::new(TokenHashes {
                token: input.client_token.as_deref().map(|t| formatter.hash(t)),
                accessor: input.token.as_ref().map(|t| formatter.accessor(&t.accessor)),
                issue_time: input.token.as_ref().map(|t| super::entry::timestamp(t.issue_time)),
            })
        };
        match &input.token {
            Some(entry) if input.client_token.is_some() => self
                .token_hashes
                .get_or_insert_with(&entry.id_hash, || Ok::<_, ()>(compute()))
                .unwrap_or_else(|_| compute()),
            _ => compute(),
        }
    }

    /// Write `entries`, waiting at most `WRITE_TIMEOUT`.
    pub async fn record(&self, entries: Entries) -> Result<(), String> {
        let (done, result) = oneshot::channel();
        self.submit(Job::Write(entries, done))?;
        let outcome = self.wait(result).await;
        if outcome.is_err() {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        outcome
    }

    pub async fn reopen(&self) -> Result<(), String> {
        let (done, result) = oneshot::channel();
        self.submit(Job::Reopen(done))?;
        self.wait(result).await
    }

    fn submit(&self, job: Job) -> Result<(), String> {
        self.queue.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => format!("audit device {} is not keeping up (its queue is full)", self.path),
            TrySendError::Disconnected(_) => format!("audit device {} has stopped", self.path),
        })
    }

    async fn wait(&self, result: oneshot::Receiver<Result<(), String>>) -> Result<(), String> {
        match tokio::time::timeout(WRITE_TIMEOUT, result).await {
            Ok(Ok(outcome)) => outcome.map_err(|e| format!("audit device {}: {e}", self.path)),
            Ok(Err(_)) => Err(format!("audit device {} has stopped", self.path)),
            Err(_) => Err(format!("audit device {} did not answer within {} s", self.path, WRITE_TIMEOUT.as_secs())),
        }
    }
}

/// The device thread: take what is queued, write it as one batch, answer every waiter.
/// Ends when the device is dropped (its queue closes).
fn run(mut sink: Box<dyn Sink>, jobs: Receiver<Job>) {
    while let Some(first) = next_job(&jobs) {
        let mut pending: Vec<(Entries, oneshot::Sender<Result<(), String>>)> = Vec::new();
        let mut queued = 0;
        let mut next = Some(first);
        let mut yielded = false;
        while let Some(job) = next.take() {
            match job {
                Job::Write(entries, done) => {
                    queued += entries.len();
                    pending.push((entries, done));
                }
                Job::Reopen(done) => {
                    flush(sink.as_mut(), &mut pending);
                    let _ = done.send(sink.reopen().map_err(|e| e.to_string()));
                }
            }
            if queued < MAX_BATCH {
                next = jobs.try_recv().ok();
                // Once per batch, let the request threads run before writing: entries
                // they queue meanwhile share this write (fewer syscalls under load; a
                // no-op when nothing else is runnable).
                if next.is_none() && !yielded {
                    yielded = true;
                    std::thread::yield_now();
                    next = jobs.try_recv().ok();
                }
            }
        }
        flush(sink.as_mut(), &mut pending);
    }
}

/// The next job: spin a few microseconds before sleeping, since under load the next
/// entry is that close and waking a sleeping thread costs more than the spin.
fn next_job(jobs: &Receiver<Job>) -> Option<Job> {
    let started = std::time::Instant::now();
    while started.elapsed() < SPIN {
        match jobs.try_recv() {
            Ok(job) => return Some(job),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
            Err(std::sync::mpsc::TryRecvError::Empty) => std::hint::spin_loop(),
        }
    }
    jobs.recv().ok()
}

/// How long the device thread looks for work before it sleeps.
const SPIN: Duration = Duration::from_micros(30);

fn flush(sink: &mut dyn Sink, pending: &mut Vec<(Entries, oneshot::Sender<Result<(), String>>)>) {
    if pending.is_empty() {
        return;
    }
    let batch: Vec<&AuditRecord> = pending.iter().flat_map(|(entries, _)| entries.iter()).collect();
    let outcome = sink.write(&batch).map_err(|e| e.to_string());
    for (_, waiter) in pending.drain(..) {
        let _ = waiter.send(outcome.clone());
    }
}
