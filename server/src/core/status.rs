//! What the unauthenticated status endpoints report: `sys/seal-status`, `sys/health`,
//! `sys/leader`. Field names and order follow OpenBao's responses.

use serde::Serialize;

use super::{Core, VERSION};
use crate::logical::Error;

#[derive(Clone, Debug, Serialize)]
pub struct SealStatus {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub initialized: bool,
    pub sealed: bool,
    pub t: u8,
    pub n: u8,
    pub progress: usize,
    pub nonce: String,
    pub recovery_seal: bool,
    pub version: &'static str,
    pub migration: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    pub storage_type: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct HealthStatus {
    pub initialized: bool,
    pub sealed: bool,
    pub standby: bool,
    pub replication_performance_mode: &'static str,
    pub replication_dr_mode: &'static str,
    pub server_time_utc: i64,
    pub version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// Arcanum's own: audit entries waiting in the spill queue for a device to recover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_backlog: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LeaderStatus {
    pub ha_enabled: bool,
}

impl Core {
    pub async fn seal_status(&self) -> Result<SealStatus, Error> {
        let config = self.seal.config().await?;
        let (progress, nonce) = self.unseal_progress.read().unwrap_or_else(|p| p.into_inner()).clone();
        let cluster = self.unsealed().ok().map(|u| u.cluster.clone());
        Ok(SealStatus {
            kind: "shamir",
            initialized: config.is_some(),
            sealed: self.is_sealed(),
            t: config.as_ref().map_or(0, |c| c.secret_threshold),
            n: config.as_ref().map_or(0, |c| c.secret_shares),
            progress,
            nonce,
            recovery_seal: false,
            version: VERSION,
            migration: false,
            cluster_name: cluster.as_ref().map(|c| c.name.clone()),
            cluster_id: cluster.map(|c| c.id),
            storage_type: self.storage_type(),
        })
    }

    pub async fn health(&self) -> Result<HealthStatus, Error> {
        let initialized = self.seal.config().await?.is_some();
        let sealed = self.is_sealed();
        let unsealed = self.unsealed().ok();
        let cluster = unsealed.as_ref().map(|u| u.cluster.clone());
        Ok(HealthStatus {
            initialized,
            sealed,
            // Without HA every node is active once unsealed; OpenBao reports a sealed
            // node as standby.
            standby: sealed,
            replication_performance_mode: if sealed { "unknown" } else { "disabled" },
            replication_dr_mode: if sealed { "unknown" } else { "disabled" },
            server_time_utc: time::OffsetDateTime::now_utc().unix_timestamp(),
            version: VERSION,
            cluster_name: cluster.as_ref().map(|c| c.name.clone()),
            cluster_id: cluster.map(|c| c.id),
            audit_backlog: unsealed.map(|u| u.audit.backlog()),
        })
    }

    /// Reopen every audit device's file or socket (SIGHUP, after log rotation).
    pub async fn reopen_audit_devices(&self) {
        if let Ok(state) = self.unsealed() {
            state.audit.reopen_all().await;
        }
    }

    pub fn leader(&self) -> LeaderStatus {
        LeaderStatus { ha_enabled: false }
    }
}
