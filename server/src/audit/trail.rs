//! One request's audit trail, as the pipeline sees it: created when the request
//! arrives, told who is asking and where the request goes, then asked to record the
//! request before it runs and its outcome after.

use std::sync::Arc;
use std::time::Instant;

use futures::future::join_all;
use time::OffsetDateTime;

use super::entry::{AuditInput, MountRef, Outcome, TokenHashes};
use super::{Broker, Device};
use crate::logical::{Error, Operation, Request, Response, Result};
use crate::token::TokenEntry;

pub struct Trail {
    broker: Arc<Broker>,
    devices: Arc<[Arc<Device>]>,
    input: AuditInput,
    started: Instant,
    /// Each device's view of the caller's token, worked out for the request entry and
    /// reused for the response entry.
    token_hashes: Vec<Arc<TokenHashes>>,
    request_recorded: bool,
    /// No device could take the request entry: the request was refused, and there is
    /// nothing to add (nor to spill, which an outage would otherwise fill).
    unrecordable: bool,
}

/// What a client is told when no device could record its request.
pub const NOT_RECORDED: &str = "the request could not be recorded by any audit device, so it was not run";

impl Trail {
    /// A trail for `req` (its path canonical and full), or `None` when no device is
    /// enabled: then auditing costs nothing.
    pub fn start(broker: &Arc<Broker>, req: &Request) -> Option<Trail> {
        let devices = broker.devices();
        if devices.is_empty() {
            return None;
        }
        Some(Trail {
            broker: broker.clone(),
            devices,
            input: AuditInput {
                request_id: req.id.clone(),
                operation: req.operation,
                path: req.path.clone(),
                data: req.data.clone(),
                remote_address: req.connection.remote_addr.clone(),
                remote_port: req.connection.remote_port,
                client_token: req.client_token.clone().filter(|t| !t.is_empty()),
                token: None,
                mount: None,
            },
            started: Instant::now(),
            token_hashes: Vec::new(),
            request_recorded: false,
            unrecordable: false,
        })
    }

    pub fn set_token(&mut self, token: Arc<TokenEntry>) {
        self.input.token = Some(token);
    }

    pub fn set_operation(&mut self, operation: Operation) {
        self.input.operation = operation;
    }

    pub fn set_mount(&mut self, mount: Arc<MountRef>) {
        self.input.mount = Some(mount);
    }

    /// Record the request entry on every device; fail unless at least one recorded it.
    /// Devices that failed while another succeeded get the entry through the spill
    /// queue, so each device's record stays complete.
    pub async fn record_request(&mut self) -> Result<()> {
        let now = OffsetDateTime::now_utc();
        self.token_hashes = self.devices.iter().map(|device| device.token_hashes(&self.input)).collect();
        let results = join_all(self.devices.iter().zip(&self.token_hashes).map(|(device, token)| {
            let entries = Arc::new(vec![device.formatter(token).request(&self.input, None, now)]);
            async move { (device, entries.clone(), device.record(entries).await) }
        }))
        .await;
        let recorded = results.iter().any(|(_, _, result)| result.is_ok());
        for (device, entries, result) in results {
            if let Err(reason) = result {
                tracing::error!(path = %device.path, %reason, request_id = %self.input.request_id, "audit request entry failed");
                if recorded {
                    self.broker.spill(device, &entries).await;
                }
            }
        }
        if !recorded {
            self.unrecordable = true;
            return Err(Error::Internal(NOT_RECORDED.into()));
        }
        self.request_recorded = true;
        Ok(())
    }

    /// Record how the request ended. Never fails the request: a device that cannot take
    /// the entry gets it through the spill queue. A request refused before it was
    /// recorded (a bad token, a denied path) gets its request entry here too, with the
    /// error.
    pub async fn finish(self, result: &Result<Option<Response>>) {
        if self.unrecordable {
            return;
        }
        let (response, error) = match result {
            Ok(response) => (response.as_ref(), None),
            Err(err) => (None, Some(err.to_string())),
        };
        let status = match result {
            Ok(Some(r)) => r.status.unwrap_or(200),
            Ok(None) if matches!(self.input.operation, Operation::Read | Operation::List) => 404,
            Ok(None) => 204,
            Err(err) => err.status_code(),
        };
        let outcome = Outcome { response, error, status, duration_ms: self.started.elapsed().as_secs_f64() * 1000.0 };
        let now = OffsetDateTime::now_utc();
        let request_recorded = self.request_recorded;
        let token_hashes = if self.token_hashes.len() == self.devices.len() {
            self.token_hashes.clone()
        } else {
            self.devices.iter().map(|device| device.token_hashes(&self.input)).collect()
        };
        let results = join_all(self.devices.iter().zip(&token_hashes).map(|(device, token)| {
            let formatter = device.formatter(token);
            let mut entries = Vec::with_capacity(2);
            if !request_recorded {
                entries.push(formatter.request(&self.input, outcome.error.as_deref(), now));
            }
            entries.push(formatter.response(&self.input, &outcome, now));
            let entries = Arc::new(entries);
            async move { (device, entries.clone(), device.record(entries).await) }
        }))
        .await;
        for (device, entries, result) in results {
            if let Err(reason) = result {
                tracing::error!(path = %device.path, %reason, request_id = %self.input.request_id, "audit response entry failed; spilled");
                self.broker.spill(device, &entries).await;
            }
        }
    }
}
