//! `sys/plugins/catalog`: the engine and auth method types this server can mount, as
//! Vault lists its built-in plugins. The console's enable forms offer exactly these.

use std::sync::Arc;

use serde_json::json;

use super::SystemBackend;
use crate::framework::{FieldData, Path};
use crate::logical::{Operation, Request, Response, Result};

impl SystemBackend {
    async fn plugin_catalog(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let names = |registry: Vec<(&'static str, _)>| {
            let mut names: Vec<&str> = registry.into_iter().map(|(name, _)| name).collect();
            names.sort_unstable();
            names
        };
        let secret = names(crate::engines::registry());
        let auth = names(crate::auth::registry());
        let detailed: Vec<_> = secret
            .iter()
            .map(|name| ("secret", name))
            .chain(auth.iter().map(|name| ("auth", name)))
            .map(|(kind, name)| json!({ "name": name, "type": kind, "builtin": true, "version": "", "deprecation_status": "supported" }))
            .collect();
        Ok(Some(Response::data(json!({ "secret": secret, "auth": auth, "database": [], "detailed": detailed }))))
    }
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    vec![
        Path::new("plugins/catalog")
            .on(Operation::Read, SystemBackend::plugin_catalog)
            .help("The plugins this server can mount, by type.", "All are built in."),
    ]
}
