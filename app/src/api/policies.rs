//! ACL policies: list, read, check, compare with the saved text, save, delete, and the
//! simulator, which asks the server's `sys/policies/explain` which rule decides.

use leptos::prelude::*;

use super::dto::{Decision, DiffRow, PolicyProblem};
use super::error::ConsoleError;

/// The names of all ACL policies (needs list on `sys/policies/acl`).
#[server(prefix = "/ui/api", endpoint = "policies/list")]
pub async fn list_policies() -> Result<Vec<String>, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::List;

    let answer = data_of(call(List, "sys/policies/acl", Default::default()).await?);
    Ok(answer
        .get("keys")
        .and_then(|k| k.as_array())
        .map(|keys| keys.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
        .unwrap_or_default())
}

/// A policy's text; `""` for one that does not exist yet.
#[server(prefix = "/ui/api", endpoint = "policies/read")]
pub async fn read_policy(name: String) -> Result<String, ConsoleError> {
    server::saved_text(&server::name(&name)?).await
}

/// Where `text` fails to parse, if it does. Stores nothing.
#[server(prefix = "/ui/api", endpoint = "policies/check")]
pub async fn check_policy(text: String) -> Result<Option<PolicyProblem>, ConsoleError> {
    super::session::require().await?;
    Ok(super::console::console()?.check_policy(&text).err())
}

/// The saved text against `text`, side by side, to review before saving.
#[server(prefix = "/ui/api", endpoint = "policies/diff")]
pub async fn diff_policy(name: String, text: String) -> Result<Vec<DiffRow>, ConsoleError> {
    let saved = server::saved_text(&server::name(&name)?).await?;
    super::diff::side_by_side(&saved, &text)
}

/// Save `text` as policy `name`. A text that does not parse is not saved: the answer
/// says where it fails.
#[server(prefix = "/ui/api", endpoint = "policies/save")]
pub async fn save_policy(name: String, text: String) -> Result<Option<PolicyProblem>, ConsoleError> {
    use super::client::call;
    use super::console::ApiOperation::Update;

    let name = server::name(&name)?;
    super::session::require().await?;
    if let Err(problem) = super::console::console()?.check_policy(&text) {
        return Ok(Some(problem));
    }
    let mut body = serde_json::Map::new();
    body.insert("policy".into(), text.into());
    call(Update, &format!("sys/policies/acl/{name}"), body).await?;
    Ok(None)
}

#[server(prefix = "/ui/api", endpoint = "policies/delete")]
pub async fn delete_policy(name: String) -> Result<(), ConsoleError> {
    use super::client::call;
    use super::console::ApiOperation::Delete;

    call(Delete, &format!("sys/policies/acl/{}", server::name(&name)?), Default::default()).await.map(drop)
}

/// Would `operation` on `path` be allowed for a set of policies (`subject` "policies",
/// `who` comma-separated names), a token (`subject` "accessor", `who` its accessor) or a
/// person as a userpass method signs them in (`subject` "user", `who` `alice` or
/// `<mount>/alice`: the policies their tokens get)?
#[server(prefix = "/ui/api", endpoint = "policies/simulate")]
pub async fn simulate(subject: String, who: String, path: String, operation: String) -> Result<Decision, ConsoleError> {
    use super::client::{call, data_of};
    use super::console::ApiOperation::Update;
    use serde_json::{Value, json};

    let mut body = serde_json::Map::new();
    match subject.as_str() {
        "policies" => {
            let names: Vec<&str> = who.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
            if names.is_empty() {
                return Err(ConsoleError::invalid("Name at least one policy."));
            }
            body.insert("policies".into(), json!(names));
        }
        "accessor" if !who.trim().is_empty() => {
            body.insert("accessor".into(), json!(who.trim()));
        }
        "accessor" => return Err(ConsoleError::invalid("Enter a token accessor.")),
        "user" => {
            body.insert("policies".into(), json!(server::user_policies(&who).await?));
        }
        other => {
            return Err(ConsoleError::invalid(format!(
                "\"{other}\" is not a subject: use policies, accessor or user."
            )));
        }
    }
    if path.trim().is_empty() {
        return Err(ConsoleError::invalid("Enter the path of the request."));
    }
    body.insert("path".into(), json!(path.trim()));
    body.insert("operation".into(), json!(operation));
    let answer = data_of(call(Update, "sys/policies/explain", body).await?);
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let rule = answer.get("rule").filter(|r| r.is_object()).map(|rule| super::dto::DecidingRule {
        pattern: text(rule.get("pattern")),
        kind: text(rule.get("kind")),
        capabilities: strings(rule.get("capabilities")),
        policies: strings(rule.get("policies")),
    });
    Ok(Decision {
        allowed: answer.get("allowed").and_then(Value::as_bool).unwrap_or(false),
        reason: text(answer.get("reason")),
        path: text(answer.get("path")),
        policies: strings(answer.get("policies")),
        rule,
    })
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::client::{call, data_of};
    use crate::api::console::ApiOperation::Read;
    use crate::api::error::ConsoleError;

    /// A policy name as typed: trimmed, lowercase as Vault stores it, one path segment.
    pub fn name(typed: &str) -> Result<String, ConsoleError> {
        let name = typed.trim().to_lowercase();
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(ConsoleError::invalid("A policy name cannot be empty or contain \"/\"."));
        }
        Ok(name)
    }

    /// The policies a userpass user's tokens get: `alice` (the `userpass` mount) or
    /// `<mount>/alice`; `default` too unless the user is set without it.
    pub async fn user_policies(who: &str) -> Result<Vec<String>, ConsoleError> {
        let who = who.trim().trim_matches('/');
        let (mount, name) = who.rsplit_once('/').unwrap_or(("userpass", who));
        if name.is_empty()
            || name == "."
            || name == ".."
            || mount.split('/').any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Err(ConsoleError::invalid("Enter a username, or <mount>/<username> for another userpass mount."));
        }
        let user = match call(Read, &format!("auth/{mount}/users/{name}"), Default::default()).await {
            Ok(answer) => data_of(answer),
            Err(e) if e.status == 404 => {
                return Err(ConsoleError::new(404, format!("There is no user {name} in auth/{mount}/.")));
            }
            Err(e) => return Err(e),
        };
        let mut policies: Vec<String> = user
            .get("token_policies")
            .and_then(|p| p.as_array())
            .map(|p| p.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        if !user.get("token_no_default_policy").and_then(|v| v.as_bool()).unwrap_or(false) {
            policies.push("default".into());
        }
        Ok(policies)
    }

    pub async fn saved_text(name: &str) -> Result<String, ConsoleError> {
        match call(Read, &format!("sys/policies/acl/{name}"), Default::default()).await {
            Ok(answer) => Ok(data_of(answer).get("policy").and_then(|p| p.as_str()).unwrap_or_default().to_string()),
            Err(e) if e.status == 404 => Ok(String::new()),
            Err(e) => Err(e),
        }
    }
}
