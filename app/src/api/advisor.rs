//! The least-privilege advisor: a policy's rules weighed against the audit record
//! (`sys/audit-log/policy-advice`), so only for users who may read the trail.

use leptos::prelude::*;

use super::dto::AdvisorReport;
use super::error::ConsoleError;

/// Windows the advisor offers, in days.
pub const WINDOWS: [u32; 4] = [7, 30, 90, 365];

/// Which of `policy`'s rules and capabilities no request used in the last `days`, and
/// which requests were denied to tokens holding it.
#[server(prefix = "/ui/api", endpoint = "audit/policy-advice")]
pub async fn policy_advice(policy: String, days: u32) -> Result<AdvisorReport, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Read;
    use serde_json::{Map, Value, json};

    if policy.trim().is_empty() {
        return Err(ConsoleError::invalid("Pick a policy to weigh."));
    }
    if !WINDOWS.contains(&days) {
        return Err(ConsoleError::invalid(format!("Look back 7, 30, 90 or 365 days, not {days}.")));
    }
    let params = Map::from_iter([("policy".into(), json!(policy.trim())), ("days".into(), json!(days))]);
    let answer = data_of(call(Read, "sys/audit-log/policy-advice", params).await?);
    serde_json::from_value(Value::Object(answer))
        .map_err(|e| ConsoleError::new(500, format!("the advisor's answer is not what the console expects: {e}")))
}
