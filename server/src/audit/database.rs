//! The `database` device: entries as indexed rows in the storage database itself (see
//! `records`), searchable through `sys/audit-log`. Writes commit before a request runs,
//! like every device's; retention (`retention_days`, `retention_rows`) is applied in
//! the background at most once a minute, so the table cannot fill the disk unnoticed.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::device::Sink;
use super::options::parse_u32;
use super::records::{AuditRecord, AuditRecords, Retention};

const PRUNE_EVERY: Duration = Duration::from_secs(60);

pub struct DatabaseSink {
    records: Arc<dyn AuditRecords>,
    runtime: tokio::runtime::Handle,
    retention: RetentionPolicy,
    last_prune: Option<Instant>,
    prune_every: Duration,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RetentionPolicy {
    pub days: Option<u32>,
    pub rows: Option<u64>,
}

impl RetentionPolicy {
    pub fn from_options(options: &BTreeMap<String, String>) -> Result<RetentionPolicy, String> {
        let positive = |key: &str| -> Result<Option<u32>, String> {
            match options.get(key).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(text) => match parse_u32(text) {
                    Ok(n) if n > 0 => Ok(Some(n)),
                    _ => Err(format!("{key} must be a whole number above 0, not {text:?}")),
                },
            }
        };
        Ok(RetentionPolicy { days: positive("retention_days")?, rows: positive("retention_rows")?.map(u64::from) })
    }

    fn retention(&self, now: OffsetDateTime) -> Retention {
        Retention { older_than: self.days.map(|d| now - time::Duration::days(i64::from(d))), max_rows: self.rows }
    }
}

impl DatabaseSink {
    /// Needs a runtime: the store is async, the device thread is not.
    pub fn new(records: Arc<dyn AuditRecords>, options: &BTreeMap<String, String>) -> Result<DatabaseSink, String> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| "the database audit device needs the server's runtime".to_string())?;
        Ok(DatabaseSink {
            records,
            runtime,
            retention: RetentionPolicy::from_options(options)?,
            last_prune: None,
            prune_every: PRUNE_EVERY,
        })
    }

    /// Prune on the runtime, not on this thread: deleting many rows must not hold up
    /// the entries of requests waiting to run.
    fn prune_if_due(&mut self) {
        if self.retention == RetentionPolicy::default()
            || self.last_prune.is_some_and(|t| t.elapsed() < self.prune_every)
        {
            return;
        }
        self.last_prune = Some(Instant::now());
        let records = self.records.clone();
        let retention = self.retention.retention(OffsetDateTime::now_utc());
        self.runtime.spawn(async move {
            match records.prune(retention).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "audit retention pruned the database device"),
                Err(e) => tracing::error!(error = %e, "audit retention failed"),
            }
        });
    }
}

impl Sink for DatabaseSink {
    fn write(&mut self, batch: &[&AuditRecord]) -> io::Result<()> {
        let rows: Vec<AuditRecord> = batch.iter().map(|record| (*record).clone()).collect();
        self.runtime.block_on(self.records.insert(&rows)).map_err(io::Error::other)?;
        self.prune_if_due();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Physical, SqliteStorage};

    fn options(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn retention_options_are_checked() {
        assert_eq!(RetentionPolicy::from_options(&options(&[])).unwrap(), RetentionPolicy::default());
        let both =
            RetentionPolicy::from_options(&options(&[("retention_days", "30"), ("retention_rows", "5")])).unwrap();
        assert_eq!(both, RetentionPolicy { days: Some(30), rows: Some(5) });
        for bad in ["0", "-1", "lots"] {
            let err = RetentionPolicy::from_options(&options(&[("retention_rows", bad)])).unwrap_err();
            assert!(err.contains("retention_rows"), "{err}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_beyond_the_retention_are_pruned() {
        let storage = SqliteStorage::open_memory().await.unwrap();
        let records = storage.audit_records().unwrap();
        let mut sink = DatabaseSink::new(records.clone(), &options(&[("retention_rows", "3")])).unwrap();
        sink.prune_every = Duration::ZERO;
        let sink = tokio::task::spawn_blocking(move || {
            for n in 0..10 {
                sink.write(&[&AuditRecord::sample(&format!("r{n}"), "{}")]).unwrap();
            }
            sink
        })
        .await
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while records.count().await.unwrap() > 3 {
            assert!(deadline > Instant::now(), "retention did not prune");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(sink);
    }
}
