//! Audit devices: every request through the pipeline is recorded before it runs, and
//! its outcome after. See `trail` for how the pipeline uses this, `device` for how a
//! device writes without stalling requests, `spill` for entries a device missed.
//!
//! Fail-closed: a request runs only once at least one enabled device has recorded its
//! request entry. A response entry a device cannot take goes to the spill queue, and the
//! client still gets the true result.

mod database;
mod device;
pub mod entry;
mod file;
pub mod hash;
mod options;
pub mod records;
mod socket;
mod spill;
mod syslog;
mod table;
mod trail;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

pub use device::{Device, Entries, Sink};
pub use entry::{AuditInput, MountRef};
pub use table::DeviceConfig;
pub use trail::Trail;

use crate::logical::{Error, Storage};
use crate::storage::{Physical, StorageError};
use hash::Salt;
use records::{AuditRecord, AuditRecords};
use table::{AuditTable, normalize_path};

/// How often spilled entries are offered to their device again.
const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

pub struct Broker {
    /// The barrier: the audit table and the spill queue live behind it.
    storage: Arc<dyn Storage>,
    /// What requests write to: a snapshot, swapped whole on enable and disable.
    devices: RwLock<Arc<[Arc<Device>]>>,
    /// The stored table; its lock serialises enable and disable.
    table: tokio::sync::Mutex<AuditTable>,
    sinks: Arc<Sinks>,
}

/// An enable request.
#[derive(Clone, Debug)]
pub struct EnableRequest {
    pub path: String,
    pub kind: String,
    pub description: String,
    pub options: BTreeMap<String, String>,
    pub local: bool,
}

impl Broker {
    /// Load the audit table and start its devices (at unseal). A device whose sink
    /// cannot open now (a missing directory) still starts and fails its writes — so
    /// requests stay fail-closed — and tries to open again on each write.
    pub async fn load(storage: Arc<dyn Storage>, physical: Arc<dyn Physical>) -> Result<Arc<Broker>, Error> {
        let table = AuditTable::load(storage.as_ref()).await?;
        let sinks = Arc::new(Sinks { physical, records: Default::default() });
        let mut devices = Vec::new();
        for config in &table.entries {
            let sink = sinks.build(&config.kind, &config.options).unwrap_or_else(|reason| {
                tracing::error!(path = %config.path, %reason, "audit device cannot open; its writes fail until it can");
                Box::new(Reopening {
                    sinks: sinks.clone(),
                    kind: config.kind.clone(),
                    options: config.options.clone(),
                    inner: None,
                    reason,
                })
            });
            let device = start_device(config, sink)?;
            device.backlog.store(spill::count(storage.as_ref(), &config.uuid).await?, Ordering::Relaxed);
            devices.push(Arc::new(device));
        }
        let broker = Arc::new(Broker {
            storage,
            devices: RwLock::new(devices.into()),
            table: tokio::sync::Mutex::new(table),
            sinks,
        });
        tokio::spawn(flush_loop(Arc::downgrade(&broker)));
        Ok(broker)
    }

    pub fn devices(&self) -> Arc<[Arc<Device>]> {
        self.devices.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_devices(&self, devices: Vec<Arc<Device>>) {
        *self.devices.write().unwrap_or_else(|p| p.into_inner()) = devices.into();
    }

    /// The enabled devices as the API lists them.
    pub async fn list(&self) -> Vec<DeviceConfig> {
        self.table.lock().await.entries.clone()
    }

    pub async fn enable(&self, request: EnableRequest) -> Result<(), Error> {
        let path = normalize_path(&request.path)?;
        let mut table = self.table.lock().await;
        if table.get(&path).is_some() {
            return Err(Error::invalid(format!("path already in use: an audit device is enabled at {path}")));
        }
        options::format_options(&request.options).map_err(Error::InvalidRequest)?;
        if request.kind == "database"
            && let Some(other) = table.entries.iter().find(|e| e.kind == "database")
        {
            return Err(Error::invalid(format!(
                "a database audit device is already enabled at {}; there can be one",
                other.path
            )));
        }
        let sink = self.sinks.build(&request.kind, &request.options).map_err(Error::InvalidRequest)?;
        let salt = Salt::generate().map_err(Error::Internal)?;
        let config = DeviceConfig {
            path: path.clone(),
            kind: request.kind,
            description: request.description,
            options: request.options,
            local: request.local,
            uuid: uuid::Uuid::new_v4().to_string(),
            salt: salt.to_string(),
        };
        let device = Arc::new(start_device(&config, sink)?);
        let mut updated = table.clone();
        updated.entries.push(config);
        updated.save(self.storage.as_ref()).await?;
        *table = updated;
        let mut devices = self.devices().to_vec();
        devices.push(device);
        self.set_devices(devices);
        tracing::info!(%path, "audit device enabled");
        Ok(())
    }

    /// Enable the devices the config declares (OpenBao's `audit` blocks) that are not
    /// enabled yet. One the API enabled differently is kept, with a warning: disabling it
    /// applies the config at the next unseal.
    pub async fn ensure(&self, declared: &[EnableRequest]) -> Result<(), Error> {
        for request in declared {
            let path = normalize_path(&request.path)?;
            let existing = self.table.lock().await.get(&path).cloned();
            match existing {
                None => self.enable(request.clone()).await.map_err(|e| {
                    Error::Internal(format!("the audit device {path} in the config cannot be enabled: {e}"))
                })?,
                Some(enabled) if enabled.kind == request.kind && enabled.options == request.options => {}
                Some(_) => tracing::warn!(
                    %path,
                    "the audit device in the config differs from the one enabled; keeping the enabled one"
                ),
            }
        }
        Ok(())
    }

    /// `false` when nothing was enabled there (Vault answers 204 either way).
    pub async fn disable(&self, path: &str) -> Result<bool, Error> {
        let path = normalize_path(path)?;
        let mut table = self.table.lock().await;
        let Some(config) = table.get(&path).cloned() else { return Ok(false) };
        let mut updated = table.clone();
        updated.entries.retain(|e| e.path != path);
        updated.save(self.storage.as_ref()).await?;
        *table = updated;
        self.set_devices(self.devices().iter().filter(|d| d.path != path).cloned().collect());
        spill::clear(self.storage.as_ref(), &config.uuid).await?;
        tracing::info!(%path, "audit device disabled");
        Ok(true)
    }

    /// `sys/audit-hash`: `input` hashed as the device at `path` hashes values.
    pub fn hash(&self, path: &str, input: &str) -> Result<String, Error> {
        let path = normalize_path(path)?;
        let devices = self.devices();
        let device = devices
            .iter()
            .find(|d| d.path == path)
            .ok_or_else(|| Error::invalid(format!("unknown audit backend {path:?}")))?;
        Ok(device.salt.hash(input))
    }

    /// Reopen every device (SIGHUP). Failures are logged; the device keeps trying.
    pub async fn reopen_all(&self) {
        for device in self.devices().iter() {
            match device.reopen().await {
                Ok(()) => tracing::info!(path = %device.path, "audit device reopened"),
                Err(e) => tracing::error!(path = %device.path, error = %e, "audit device did not reopen"),
            }
        }
    }

    /// The enabled database device, which `sys/audit-log` searches.
    pub fn database_device(&self) -> Option<Arc<Device>> {
        self.devices().iter().find(|d| d.kind == "database").cloned()
    }

    /// The database device's store.
    pub fn records(&self) -> Result<Arc<dyn AuditRecords>, StorageError> {
        self.sinks.records()
    }

    /// Entries waiting in the spill queue, over all devices.
    pub fn backlog(&self) -> u64 {
        self.devices().iter().map(|d| d.backlog.load(Ordering::Relaxed)).sum()
    }

    /// Keep `entries` for `device` until it recovers.
    async fn spill(&self, device: &Device, entries: &[AuditRecord]) {
        if device.backlog.load(Ordering::Relaxed) >= spill::MAX_BACKLOG {
            tracing::error!(path = %device.path, dropped = entries.len(), "audit spill queue is full; entries dropped");
            return;
        }
        match spill::push(self.storage.as_ref(), &device.uuid, entries).await {
            Ok(()) => {
                device.backlog.fetch_add(entries.len() as u64, Ordering::Relaxed);
            }
            Err(e) => tracing::error!(path = %device.path, error = %e, "audit entries could not be spilled"),
        }
    }

    /// Offer each device's spilled entries to it again, oldest first, until it fails.
    async fn flush(&self) {
        for device in self.devices().iter() {
            while device.backlog.load(Ordering::Relaxed) > 0 {
                let batch = match spill::peek(self.storage.as_ref(), &device.uuid).await {
                    Ok(batch) => batch,
                    Err(e) => {
                        tracing::warn!(path = %device.path, error = %e, "cannot read the audit spill queue");
                        break;
                    }
                };
                if batch.is_empty() {
                    device.backlog.store(0, Ordering::Relaxed);
                    break;
                }
                let (keys, entries): (Vec<String>, Vec<Option<AuditRecord>>) = batch.into_iter().unzip();
                let entries: Vec<AuditRecord> = entries.into_iter().flatten().collect();
                if !entries.is_empty() && device.record(Arc::new(entries)).await.is_err() {
                    break;
                }
                let taken = keys.len() as u64;
                if let Err(e) = spill::remove(self.storage.as_ref(), keys).await {
                    tracing::warn!(path = %device.path, error = %e, "cannot trim the audit spill queue");
                    break;
                }
                let _ = device
                    .backlog
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_sub(taken)));
                tracing::info!(path = %device.path, entries = taken, "spilled audit entries delivered");
            }
        }
    }
}

async fn flush_loop(broker: Weak<Broker>) {
    let mut tick = tokio::time::interval(FLUSH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(broker) = broker.upgrade() else { return };
        broker.flush().await;
    }
}

fn start_device(config: &DeviceConfig, sink: Box<dyn Sink>) -> Result<Device, Error> {
    let key = hex::decode(&config.salt).map_err(|_| Error::internal("the stored audit salt is corrupt"))?;
    let format = options::format_options(&config.options).map_err(Error::Internal)?;
    Device::start(config.path.clone(), config.kind.clone(), config.uuid.clone(), Salt::new(&key), format, sink)
        .map_err(|e| Error::Internal(format!("cannot start the audit device {}: {e}", config.path)))
}

/// Builds sinks by device type. Holds the storage, whose database the `database`
/// device writes to.
struct Sinks {
    physical: Arc<dyn Physical>,
    records: std::sync::OnceLock<Arc<dyn AuditRecords>>,
}

impl Sinks {
    /// The sink for a device type and its options; the error names the problem.
    fn build(&self, kind: &str, options: &BTreeMap<String, String>) -> Result<Box<dyn Sink>, String> {
        Ok(match kind {
            "file" => Box::new(file::FileSink::from_options(options)?),
            "socket" => Box::new(socket::SocketSink::from_options(options)?),
            "syslog" => Box::new(syslog::SyslogSink::from_options(options)?),
            "database" => {
                let records = self.records().map_err(|e| e.to_string())?;
                Box::new(database::DatabaseSink::new(records, options)?)
            }
            "" => return Err("type is required: file, socket, syslog or database".into()),
            other => {
                return Err(format!(
                    "unknown backend type: {other:?}; audit device types are file, socket, syslog, database"
                ));
            }
        })
    }

    /// One store for the server's life: it holds its own connections.
    fn records(&self) -> Result<Arc<dyn AuditRecords>, StorageError> {
        if let Some(records) = self.records.get() {
            return Ok(records.clone());
        }
        let records = self.physical.audit_records()?;
        Ok(self.records.get_or_init(|| records).clone())
    }
}

/// A device whose sink could not open at unseal: every write tries again, and fails
/// with the reason until the sink opens.
struct Reopening {
    sinks: Arc<Sinks>,
    kind: String,
    options: BTreeMap<String, String>,
    inner: Option<Box<dyn Sink>>,
    reason: String,
}

impl Reopening {
    fn sink(&mut self) -> std::io::Result<&mut Box<dyn Sink>> {
        if self.inner.is_none() {
            match self.sinks.build(&self.kind, &self.options) {
                Ok(sink) => self.inner = Some(sink),
                Err(reason) => self.reason = reason,
            }
        }
        self.inner.as_mut().ok_or_else(|| std::io::Error::other(self.reason.clone()))
    }
}

impl Sink for Reopening {
    fn write(&mut self, batch: &[&AuditRecord]) -> std::io::Result<()> {
        self.sink()?.write(batch)
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        self.sink()?.reopen()
    }
}
