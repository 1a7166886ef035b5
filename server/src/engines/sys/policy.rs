//! `sys/policies/acl/*` (and the older `sys/policy/*`), `sys/capabilities*`, and
//! `sys/policies/explain` — an endpoint Vault lacks: which rule decides a request.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

use super::SystemBackend;
use crate::core::policies::StoredPolicy;
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};
use crate::policy::AclRequest;

/// A policy as `GET sys/policies/acl/<name>` shows it; `text_key` is `policy` (or the
/// older `rules`).
fn policy_json(policy: &StoredPolicy, text_key: &str) -> Value {
    let mut out = json!({
        "allow_slashes_in_identity_templates": false,
        "allow_wildcards_in_identity_templates": false,
        "cas_required": policy.cas_required,
        "name": policy.name,
        "version": policy.version,
    });
    out[text_key] = json!(policy.policy);
    if let Some(modified) = policy.modified.and_then(|m| m.format(&Rfc3339).ok()) {
        out["modified"] = json!(modified);
    }
    out
}

impl SystemBackend {
    async fn list_acl_policies(self: Arc<Self>, req: Request, _d: FieldData) -> Result<Option<Response>> {
        let prefix = req.path.strip_prefix("policies/acl").unwrap_or_default().trim_start_matches('/');
        let names = self.core()?.list_policies(prefix).await?;
        Ok((!names.is_empty()).then(|| Response::list(names)))
    }

    async fn read_acl_policy(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let policy = self.core()?.policy(&d.string("name")?).await?;
        Ok(policy.map(|p| Response::data(policy_json(&p, "policy"))))
    }

    async fn write_acl_policy(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let cas = d.opt_int("cas")?;
        let cas_required = d.is_set("cas_required").then(|| d.bool("cas_required")).transpose()?;
        self.core()?.put_policy(&d.string("name")?, &d.string("policy")?, cas, cas_required).await?;
        Ok(None)
    }

    async fn delete_policy(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        self.core()?.delete_policy(&d.string("name")?).await?;
        Ok(None)
    }

    async fn list_legacy_policies(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let names = self.core()?.list_policies("").await?;
        Ok(Some(Response::data(json!({ "keys": names, "policies": names })).legacy()))
    }

    async fn read_legacy_policy(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let policy = self.core()?.policy(&d.string("name")?).await?;
        Ok(policy.map(|p| Response::data(policy_json(&p, "rules")).legacy()))
    }

    async fn write_legacy_policy(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let (text, warning) = match d.opt_string("policy")?.filter(|p| !p.is_empty()) {
            Some(text) => (text, None),
            None => (d.string("rules")?, Some("'rules' is deprecated, please use 'policy' instead")),
        };
        let cas = d.opt_int("cas")?;
        self.core()?.put_policy(&d.string("name")?, &text, cas, None).await?;
        Ok(warning.map(|w| Response::warnings(vec![w.into()])))
    }

    /// `{"<path>": [caps], ...}` plus `capabilities` when there is exactly one path.
    async fn capabilities_of(&self, policies: &[String], d: &FieldData) -> Result<Option<Response>> {
        let mut paths = d.strings("paths")?;
        if paths.is_empty() {
            paths = d.strings("path")?;
        }
        if paths.is_empty() {
            return Err(Error::invalid("paths must be supplied"));
        }
        let acl = self.core()?.acl_for(policies).await?;
        let mut data = Map::new();
        for path in &paths {
            let caps = acl.capabilities(path.trim_start_matches('/'));
            data.insert(path.clone(), json!(caps));
        }
        if paths.len() == 1 {
            data.insert("capabilities".into(), data[&paths[0]].clone());
        }
        Ok(Some(Response { data: Some(data), ..Default::default() }.legacy()))
    }

    async fn capabilities(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let token = d.string("token")?;
        if token.is_empty() {
            return Err(Error::Internal("no token found".into()));
        }
        let entry =
            self.core()?.unsealed()?.tokens.lookup(&token).await?.ok_or_else(|| Error::invalid("invalid token"))?;
        self.capabilities_of(&entry.policies, &d).await
    }

    async fn capabilities_self(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let token = req.token.clone().ok_or(Error::PermissionDenied)?;
        self.capabilities_of(&token.policies, &d).await
    }

    async fn capabilities_accessor(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let accessor = d.string("accessor")?;
        if accessor.is_empty() {
            return Err(Error::invalid("missing accessor"));
        }
        let entry = self
            .core()?
            .unsealed()?
            .tokens
            .lookup_accessor(&accessor)
            .await?
            .ok_or_else(|| Error::invalid("invalid accessor"))?;
        self.capabilities_of(&entry.policies, &d).await
    }

    /// Which rule decides `operation` on `path` for a token (by `token` or `accessor`),
    /// a set of `policies`, or the caller — and why.
    async fn explain(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let core = self.core()?;
        let state = core.unsealed()?;
        let (token, accessor, listed) = (d.string("token")?, d.string("accessor")?, d.strings("policies")?);
        let policies = if !token.is_empty() {
            state.tokens.lookup(&token).await?.ok_or_else(|| Error::invalid("invalid token"))?.policies
        } else if !accessor.is_empty() {
            state.tokens.lookup_accessor(&accessor).await?.ok_or_else(|| Error::invalid("invalid accessor"))?.policies
        } else if d.is_set("policies") {
            listed.iter().map(|p| crate::core::policies::policy_name(p)).collect()
        } else {
            req.token.as_ref().ok_or(Error::PermissionDenied)?.policies.clone()
        };
        let path = d.string("path")?;
        if path.is_empty() {
            return Err(Error::invalid("path must be supplied"));
        }
        let operation = match d.string("operation")?.as_str() {
            "read" => Operation::Read,
            "create" => Operation::Create,
            "update" | "" => Operation::Update,
            "patch" => Operation::Patch,
            "delete" => Operation::Delete,
            "list" => Operation::List,
            "scan" => Operation::Scan,
            other => {
                return Err(Error::invalid(format!(
                    "unknown operation {other:?}: use read, create, update, patch, delete, list or scan"
                )));
            }
        };
        let data = match d.get("data")? {
            Some(Value::Object(map)) => Some(map),
            _ => None,
        };
        let path = path.trim_start_matches('/').to_string();
        let sudo_required = core.is_root_path(&path);
        let acl = core.acl_for(&policies).await?;
        let explanation = acl.explain_request(&AclRequest {
            path: &path,
            operation,
            data: data.as_ref(),
            sudo_required,
            wrap_ttl: None,
        });
        let mut out = serde_json::to_value(explanation).map_err(Error::internal)?;
        out["policies"] = json!(policies);
        Ok(Some(Response::data(out)))
    }
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    use Operation::*;
    let policy_fields = |p: Path<SystemBackend>| {
        p.field(Field::string("policy", "The policy text (HCL or JSON)."))
            .field(Field::int("cas", "Check-and-set: the version expected (-1: must not exist)."))
            .field(Field::bool("cas_required", "Require cas on every write."))
    };
    let capability_fields = |p: Path<SystemBackend>| {
        p.field(Field::strings("paths", "Paths to report on.")).field(Field::strings("path", "Deprecated: paths."))
    };
    vec![
        Path::new("policies/acl/").on(List, SystemBackend::list_acl_policies).help("List ACL policies.", ""),
        Path::new("policies/acl/{prefix*}/")
            .on(List, SystemBackend::list_acl_policies)
            .help("List ACL policies under a folder.", ""),
        policy_fields(Path::new("policies/acl/{name*}"))
            .on(Read, SystemBackend::read_acl_policy)
            .on(Update, SystemBackend::write_acl_policy)
            .on(Delete, SystemBackend::delete_policy)
            .help("Read, write or delete an ACL policy.", "Errors name the line and column of the problem."),
        Path::new("policy")
            .on(Read, SystemBackend::list_legacy_policies)
            .on(List, SystemBackend::list_legacy_policies)
            .help("List policies (older endpoint).", ""),
        Path::new("policy/").on(List, SystemBackend::list_legacy_policies).help("List policies (older endpoint).", ""),
        policy_fields(Path::new("policy/{name*}"))
            .field(Field::string("rules", "Deprecated: policy."))
            .on(Read, SystemBackend::read_legacy_policy)
            .on(Update, SystemBackend::write_legacy_policy)
            .on(Delete, SystemBackend::delete_policy)
            .help("Read, write or delete a policy (older endpoint).", ""),
        capability_fields(Path::new("capabilities"))
            .field(Field::string("token", "The token to report on."))
            .on(Update, SystemBackend::capabilities)
            .help("A token's capabilities on paths.", ""),
        capability_fields(Path::new("capabilities-self"))
            .on(Update, SystemBackend::capabilities_self)
            .help("The caller's capabilities on paths.", ""),
        capability_fields(Path::new("capabilities-accessor"))
            .field(Field::string("accessor", "The token's accessor."))
            .on(Update, SystemBackend::capabilities_accessor)
            .help("A token's capabilities on paths, by accessor.", ""),
        Path::new("policies/explain")
            .field(Field::string("token", "Explain for this token."))
            .field(Field::string("accessor", "Or for the token with this accessor."))
            .field(Field::strings("policies", "Or for this set of policies."))
            .field(Field::string("path", "The request path, e.g. secret/data/app.").required())
            .field(Field::string("operation", "read, create, update, patch, delete, list or scan.").default("update"))
            .field(Field::map("data", "The request body, for parameter constraints."))
            .on(Update, SystemBackend::explain)
            .help(
                "Explain an access decision.",
                "Which rule of which policies allows or denies an operation on a path, and why. \
                 Without token, accessor or policies, explains for the caller.",
            ),
    ]
}
