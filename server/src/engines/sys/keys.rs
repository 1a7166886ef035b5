//! `sys/key-status` and `sys/rotate`: the barrier's encryption key terms.

use std::sync::Arc;

use serde_json::json;
use time::format_description::well_known::Rfc3339;

use super::SystemBackend;
use crate::barrier::KeyStatus;
use crate::framework::{FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

fn key_status_response(status: KeyStatus) -> Result<Option<Response>> {
    let install_time = status.install_time.format(&Rfc3339).map_err(Error::internal)?;
    Ok(Some(
        Response::data(json!({
            "term": status.term,
            "install_time": install_time,
            "encryptions": status.encryptions,
        }))
        .legacy(),
    ))
}

impl SystemBackend {
    async fn key_status(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        key_status_response(self.core()?.barrier().key_status()?)
    }

    async fn rotate(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let status = self.core()?.barrier().rotate().await?;
        tracing::info!(term = status.term, "barrier key rotated");
        Ok(None)
    }
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    vec![
        Path::new("key-status").on(Operation::Read, SystemBackend::key_status).help(
            "The active encryption key term.",
            "term: the active key term; install_time: when it was installed; encryptions: \
             encryptions under it, counted since the last rotation and kept only in memory \
             between rotations (a restart resumes from the last rotation's count).",
        ),
        Path::new("rotate")
            .on(Operation::Update, SystemBackend::rotate)
            .help("Rotate the encryption key.", "Adds a new key term; older data stays readable. Needs sudo."),
        Path::new("rotate/keyring")
            .on(Operation::Update, SystemBackend::rotate)
            .help("Rotate the encryption key (OpenBao's name for sys/rotate).", "Needs sudo."),
    ]
}
