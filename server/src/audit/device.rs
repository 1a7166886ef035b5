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

use super::entry::{FormatOptions, Formatted, Formatter};
use super::hash::Salt;

/// Where a device's entries go. Runs on the device's own thread.
pub trait Sink: Send + 'static {
    /// Record every entry of `batch`, or fail. Success means recorded: for a file,
    /// handed to the operating system (it survives a crash of this process); for the
    /// database device, committed.
    fn write(&mut self, batch: &[&Formatted]) -> io::Result<()>;

    /// Close and open again (SIGHUP, after another tool rotated the file).
    fn reopen(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Jobs queued per device before requests fail fast instead of waiting.
const QUEUE_DEPTH: usize = 4096;
/// The longest a request waits for one device.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Entries written together at most.
const MAX_BATCH: usize = 512;

/// Entries shared between the waiting request (which spills them if the write fails)
/// and the device thread.
pub type Entries = Arc<Vec<Formatted>>;

enum Job {
    Write(Entries, oneshot::Sender<Result<(), String>>),
    Reopen(oneshot::Sender<Result<(), String>>),
}

pub struct Device {
    /// Where it is enabled, with a trailing `/`: `file/`.
    pub path: String,
    pub uuid: String,
    pub salt: Salt,
    pub format: FormatOptions,
    queue: SyncSender<Job>,
    /// Entries waiting in the spill queue for this device.
    pub backlog: AtomicU64,
    pub failures: AtomicU64,
}

impl Device {
    /// Start the device's thread over `sink`.
    pub fn start(
        path: String,
        uuid: String,
        salt: Salt,
        format: FormatOptions,
        sink: Box<dyn Sink>,
    ) -> io::Result<Device> {
        let (queue, jobs) = sync_channel(QUEUE_DEPTH);
        std::thread::Builder::new().name(format!("audit {path}")).spawn(move || run(sink, jobs))?;
        Ok(Device { path, uuid, salt, format, queue, backlog: AtomicU64::new(0), failures: AtomicU64::new(0) })
    }

    pub fn formatter(&self) -> Formatter<'_> {
        Formatter { salt: &self.salt, options: &self.format }
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
    while let Ok(first) = jobs.recv() {
        let mut pending: Vec<(Entries, oneshot::Sender<Result<(), String>>)> = Vec::new();
        let mut queued = 0;
        let mut next = Some(first);
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
            }
        }
        flush(sink.as_mut(), &mut pending);
    }
}

fn flush(sink: &mut dyn Sink, pending: &mut Vec<(Entries, oneshot::Sender<Result<(), String>>)>) {
    if pending.is_empty() {
        return;
    }
    let batch: Vec<&Formatted> = pending.iter().flat_map(|(entries, _)| entries.iter()).collect();
    let outcome = sink.write(&batch).map_err(|e| e.to_string());
    for (_, waiter) in pending.drain(..) {
        let _ = waiter.send(outcome.clone());
    }
}
