//! `sys/audit` (list, enable, disable audit devices) and `sys/audit-hash` (a value as a
//! device hashes it, to search its log for a known secret without writing it down).

use std::sync::Arc;

use serde_json::{Map, json};

use super::SystemBackend;
use super::mounts::options;
use crate::audit::{Broker, EnableRequest};
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

impl SystemBackend {
    fn broker(&self) -> Result<Arc<Broker>> {
        Ok(self.core()?.unsealed()?.audit.clone())
    }

    async fn list_audit(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let mut devices = Map::new();
        let broker = self.broker()?;
        let backlogs: std::collections::HashMap<String, u64> = broker
            .devices()
            .iter()
            .map(|d| (d.path.clone(), d.backlog.load(std::sync::atomic::Ordering::Relaxed)))
            .collect();
        for device in broker.list().await {
            devices.insert(
                device.path.clone(),
                json!({
                    "type": device.kind,
                    "description": device.description,
                    "options": device.options,
                    "local": device.local,
                    "path": device.path,
                    // Arcanum's own: entries waiting in the spill queue for this device.
                    "backlog": backlogs.get(&device.path).copied().unwrap_or(0),
                }),
            );
        }
        Ok(Some(Response::data(devices.into()).legacy()))
    }

    async fn enable_audit(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let request = EnableRequest {
            path: d.string("path")?,
            kind: d.string("type")?,
            description: d.string("description")?,
            options: options(d.get("options")?)?.unwrap_or_default(),
            local: d.bool("local")?,
        };
        self.broker()?.enable(request).await?;
        Ok(None)
    }

    async fn disable_audit(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        self.broker()?.disable(&d.string("path")?).await?;
        Ok(None)
    }

    async fn audit_hash(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let input = d.get("input")?.ok_or_else(|| Error::invalid("input is required"))?;
        let input = input.as_str().ok_or_else(|| Error::invalid("input must be a string"))?;
        let hash = self.broker()?.hash(&d.string("path")?, input)?;
        Ok(Some(Response::data(json!({ "hash": hash })).legacy()))
    }
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    vec![
        Path::new("audit").on(Operation::Read, SystemBackend::list_audit).help(
            "The enabled audit devices.",
            "Each device by path: type, description, options, local, and backlog (entries \
             waiting in the spill queue until the device takes them again). Needs sudo.",
        ),
        Path::new("audit/{path*}")
            .field(Field::string("path", "Where the device is enabled."))
            .field(Field::string("type", "file, socket, syslog or database."))
            .field(Field::string("description", "Free text."))
            .field(Field::raw("options", "Device options: file_path, mode, rotate_bytes, rotate_max_files (file); address, socket_type, write_timeout (socket); facility, tag (syslog); retention_days, retention_rows (database); hmac_accessor, log_raw, prefix, elide_list_responses, format (all)."))
            .field(Field::bool("local", "Kept for compatibility; devices are per node."))
            .on(Operation::Update, SystemBackend::enable_audit)
            .on(Operation::Delete, SystemBackend::disable_audit)
            .help(
                "Enable or disable an audit device.",
                "Once any device is enabled, a request runs only after at least one device \
                 recorded it. Needs sudo.",
            ),
        Path::new("audit-hash/{path*}")
            .field(Field::string("path", "The device whose salt hashes the input."))
            .field(Field::raw("input", "The value to hash."))
            .on(Operation::Update, SystemBackend::audit_hash)
            .help(
                "Hash a value as an audit device does.",
                "Returns hmac-sha256:<hex>, to find a known value in the device's entries.",
            ),
    ]
}
