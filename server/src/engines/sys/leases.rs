//! `sys/leases/*`: look up, list, renew and revoke leases (today, tokens' leases; see
//! `core::leases`). Listing and revoking by prefix are root-protected, as in Vault.

use std::sync::Arc;

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::SystemBackend;
use crate::core::LeaseInfo;
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

fn time(t: time::OffsetDateTime) -> Value {
    t.format(&Rfc3339).map(Value::String).unwrap_or(Value::Null)
}

fn lookup_json(lease: &LeaseInfo) -> Value {
    json!({
        "id": lease.id,
        "path": lease.path,
        "issue_time": time(lease.issue_time),
        "expire_time": lease.expire_time.map(time).unwrap_or(Value::Null),
        "last_renewal": lease.last_renewal.map(time).unwrap_or(Value::Null),
        "renewable": lease.renewable,
        "ttl": lease.ttl,
    })
}

/// The lease named in the body or, for the `.../<lease id>` forms, in the path.
fn lease_id(d: &FieldData) -> Result<String> {
    let id = match d.string("url_lease_id")? {
        from_path if !from_path.is_empty() => from_path,
        _ => d.string("lease_id")?,
    };
    if id.is_empty() {
        return Err(Error::invalid("lease_id must be specified"));
    }
    Ok(id)
}

impl SystemBackend {
    async fn lookup_lease(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let id = lease_id(&d)?;
        let lease = self.core()?.lookup_lease(&id).await?.ok_or_else(|| Error::invalid("invalid lease"))?;
        Ok(Some(Response::data(lookup_json(&lease))))
    }

    async fn list_leases(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let prefix = d.string("prefix")?;
        let keys = self.core()?.list_leases(&prefix).await?;
        Ok((!keys.is_empty()).then(|| Response::list(keys)))
    }

    async fn renew_lease(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        self.core()?.renew_lease(&lease_id(&d)?).await?;
        Ok(None)
    }

    async fn revoke_lease(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        self.core()?.revoke_lease(&lease_id(&d)?).await?;
        Ok(None)
    }

    async fn revoke_lease_prefix(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let prefix = d.string("prefix")?;
        let revoked = self.core()?.revoke_lease_prefix(&prefix).await?;
        tracing::info!(%prefix, revoked, "leases revoked by prefix");
        Ok(None)
    }
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    use Operation::*;
    let id_fields = |p: Path<SystemBackend>| {
        p.field(Field::string("lease_id", "The lease, e.g. auth/userpass/login/alice/<id>."))
            .field(Field::string("url_lease_id", "The lease, in the path."))
    };
    let mut paths = vec![
        id_fields(Path::new("leases/lookup")).on(Update, SystemBackend::lookup_lease).help(
            "Look up a lease.",
            "Its issue and expiry times, last renewal, whether it renews and the seconds left.",
        ),
        Path::new("leases/lookup/")
            .field(Field::string("prefix", "Empty here: the top of the lease tree."))
            .on(List, SystemBackend::list_leases)
            .help("List lease prefixes.", "Needs sudo."),
        Path::new("leases/lookup/{prefix*}/")
            .field(Field::string("prefix", "The folder to list, e.g. auth/userpass/login/."))
            .on(List, SystemBackend::list_leases)
            .help("List the leases and folders under a prefix.", "Needs sudo."),
    ];
    // Renew and revoke take the lease in the body or, after a `/`, in the path.
    paths.extend(["leases/renew", "leases/renew/{url_lease_id*}"].map(|pattern| {
        id_fields(Path::new(pattern))
            .field(Field::duration("increment", "Seconds (or a duration) to renew by; 0 means the last TTL."))
            .on(Update, SystemBackend::renew_lease)
            .help("Renew a lease.", "")
    }));
    paths.extend(["leases/revoke", "leases/revoke/{url_lease_id*}"].map(|pattern| {
        id_fields(Path::new(pattern))
            .field(Field::bool("sync", "Accepted for compatibility: revocation is always synchronous."))
            .on(Update, SystemBackend::revoke_lease)
            .help("Revoke a lease.", "A token's lease revokes the token and the tokens it created.")
    }));
    paths.extend([
        Path::new("leases/revoke-prefix/{prefix*}")
            .field(Field::bool("sync", "Accepted for compatibility: revocation is always synchronous."))
            .on(Update, SystemBackend::revoke_lease_prefix)
            .help("Revoke every lease under a prefix.", "Needs sudo."),
        Path::new("leases/revoke-force/{prefix*}")
            .on(Update, SystemBackend::revoke_lease_prefix)
            .help("Revoke every lease under a prefix, whatever the backends say.", "Needs sudo."),
    ]);
    paths
}
