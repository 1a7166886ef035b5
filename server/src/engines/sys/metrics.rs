//! `sys/metrics`: what an operator alerts on, as Vault serves it — JSON by default,
//! Prometheus text with `?format=prometheus`. For now the audit devices: entries waiting
//! in each spill queue, and writes each device failed.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use super::SystemBackend;
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

/// One gauge or counter, per audit device.
struct Metric {
    name: &'static str,
    help: &'static str,
    kind: &'static str,
    values: Vec<(String, u64)>,
}

impl SystemBackend {
    async fn metrics(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let devices = self.core()?.unsealed()?.audit.devices();
        let per_device = |read: fn(&crate::audit::Device) -> u64| -> Vec<(String, u64)> {
            devices.iter().map(|device| (device.path.clone(), read(device))).collect()
        };
        let metrics = [
            Metric {
                name: "arcanum_audit_backlog",
                help: "Audit entries waiting in the spill queue for the device to take them.",
                kind: "gauge",
                values: per_device(|d| d.backlog.load(Ordering::Relaxed)),
            },
            Metric {
                name: "arcanum_audit_write_failures_total",
                help: "Writes the audit device failed since the server unsealed.",
                kind: "counter",
                values: per_device(|d| d.failures.load(Ordering::Relaxed)),
            },
        ];
        match d.string("format")?.as_str() {
            "" | "json" => Ok(Some(Response::data(json_metrics(&metrics)).raw())),
            "prometheus" => Ok(Some(
                Response::data(json!({
                    "http_content_type": "text/plain; version=0.0.4",
                    "http_raw_body": prometheus_text(&metrics),
                }))
                .raw(),
            )),
            other => Err(Error::invalid(format!("format {other:?} is not supported; use json or prometheus"))),
        }
    }
}

/// go-metrics' JSON shape, which Vault answers by default.
fn json_metrics(metrics: &[Metric]) -> Value {
    let entries = |kind: &str| -> Vec<Value> {
        metrics
            .iter()
            .filter(|m| m.kind == kind)
            .flat_map(|m| {
                m.values
                    .iter()
                    .map(|(device, value)| json!({"Name": m.name, "Value": value, "Labels": {"device": device}}))
            })
            .collect()
    };
    let timestamp =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    json!({ "Timestamp": timestamp, "Gauges": entries("gauge"), "Counters": entries("counter"), "Samples": [] })
}

/// Prometheus' text exposition format.
fn prometheus_text(metrics: &[Metric]) -> String {
    let mut text = String::new();
    for metric in metrics {
        text.push_str(&format!("# HELP {} {}\n# TYPE {} {}\n", metric.name, metric.help, metric.name, metric.kind));
        for (device, value) in &metric.values {
            let device = device.replace('\\', "\\\\").replace('"', "\\\"");
            text.push_str(&format!("{}{{device=\"{device}\"}} {value}\n", metric.name));
        }
    }
    text
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    vec![
        Path::new("metrics")
            .field(Field::string("format", "json (default) or prometheus."))
            .on(Operation::Read, SystemBackend::metrics)
            .help("Server metrics.", "Audit spill backlog and write failures per device."),
    ]
}
