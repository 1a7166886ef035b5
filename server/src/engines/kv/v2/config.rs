//! `config`: mount-wide KV v2 settings. A write changes only the fields it sends.
//! `delete_version_after` is signed: 0 clears it, a negative value disables it on every
//! key (stored and shown as `-1s`).

use std::sync::Arc;

use serde_json::json;

use super::super::{go_duration, parse_signed_duration};
use super::KvV2;
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

pub(super) fn paths() -> Vec<Path<KvV2>> {
    vec![
        Path::new("config")
            .field(Field::int("max_versions", "The number of versions to keep for each key. 0 means the default, 10."))
            .field(Field::bool("cas_required", "If true, every data write must carry options.cas."))
            .field(Field::bool("metadata_cas_required", "If true, every metadata write must carry metadata_cas."))
            .field(Field::raw(
                "delete_version_after",
                "How long after its creation a version is deleted (\"1h\" or seconds). 0 clears it; a negative \
                 value disables delete_version_after on every key.",
            ))
            .on(Operation::Read, KvV2::read_config)
            .on(Operation::Update, KvV2::write_config)
            .help(SYNOPSIS, DESCRIPTION),
    ]
}

/// An int field that must fit a u32 (max_versions).
pub(super) fn opt_u32(d: &FieldData, name: &str) -> Result<Option<u32>> {
    match d.opt_int(name)? {
        None => Ok(None),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| Error::invalid(format!("{name} must be between 0 and {}, got {n}", u32::MAX))),
    }
}

impl KvV2 {
    async fn read_config(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        let config = self.store.config().await?;
        Ok(Some(Response::data(json!({
            "cas_required": config.cas_required,
            "delete_version_after": go_duration(config.delete_version_after),
            "max_versions": config.max_versions,
            "metadata_cas_required": config.metadata_cas_required,
        }))))
    }

    async fn write_config(self: Arc<Self>, req: Request, d: FieldData) -> Result<Option<Response>> {
        let max_versions = opt_u32(&d, "max_versions")?;
        let cas_required = d.is_set("cas_required").then(|| d.bool("cas_required")).transpose()?;
        let metadata_cas_required =
            d.is_set("metadata_cas_required").then(|| d.bool("metadata_cas_required")).transpose()?;
        let dva = match req.data.get("delete_version_after") {
            Some(raw) => parse_signed_duration("delete_version_after", raw)?,
            None => None,
        };
        if max_versions.is_none() && cas_required.is_none() && metadata_cas_required.is_none() && dva.is_none() {
            return Ok(None);
        }
        // Config writes are rare; the lock only keeps two of them from losing a field.
        let _guard = self.locks.lock("\0config").await;
        let mut config = self.store.config().await?;
        if let Some(max) = max_versions {
            config.max_versions = max;
        }
        if let Some(cas) = cas_required {
            config.cas_required = cas;
        }
        if let Some(cas) = metadata_cas_required {
            config.metadata_cas_required = cas;
        }
        if let Some(dva) = dva {
            config.delete_version_after = dva.max(-1);
        }
        self.store.put_config(&config).await?;
        Ok(None)
    }
}

const SYNOPSIS: &str = "Configures settings for the KV store.";

const DESCRIPTION: &str = r#"
Backend-level settings applied to every key. Reading needs the read capability, writing
create or update. Only the fields sent change.

  max_versions (int): versions to keep per key; 0 means 10. A key keeps the larger of
    its own max_versions and this one.
  cas_required (bool): every data write must carry options.cas.
  metadata_cas_required (bool): every metadata write must carry metadata_cas.
  delete_version_after (duration): versions are deleted this long after their
    creation. 0 clears it; a negative value disables it for every key.
"#;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::Kv;

    #[tokio::test]
    async fn defaults_then_partial_updates() {
        let kv = Kv::new().await;
        let defaults = json!({"cas_required": false, "delete_version_after": "0s", "max_versions": 0,
            "metadata_cas_required": false});
        assert_eq!(kv.read_json("config").await, defaults);

        assert!(kv.update("config", json!({})).await.is_none(), "empty body: 204, no change");
        assert_eq!(kv.read_json("config").await, defaults);

        let body = json!({"max_versions": 3, "cas_required": true, "delete_version_after": "2s",
            "metadata_cas_required": false});
        assert!(kv.update("config", body).await.is_none());
        let expected = json!({"cas_required": true, "delete_version_after": "2s", "max_versions": 3,
            "metadata_cas_required": false});
        assert_eq!(kv.read_json("config").await, expected);

        kv.update("config", json!({"max_versions": "5"})).await;
        let config = kv.read_json("config").await;
        assert_eq!((config["max_versions"].clone(), config["cas_required"].clone()), (json!(5), json!(true)));
    }

    #[tokio::test]
    async fn delete_version_after_forms() {
        let kv = Kv::new().await;
        for (input, shown) in [
            (json!("1h"), "1h0m0s"),
            (json!(90), "1m30s"),
            (json!("0"), "0s"),
            (json!(-5), "-1s"),
            (json!("-1h"), "-1s"),
            (json!(0), "0s"),
        ] {
            kv.update("config", json!({"delete_version_after": input})).await;
            assert_eq!(kv.read_json("config").await["delete_version_after"], shown, "{input}");
        }
    }

    #[tokio::test]
    async fn bad_values_are_400() {
        let kv = Kv::new().await;
        for (body, needle) in [
            (json!({"max_versions": "abc"}), "max_versions"),
            (json!({"max_versions": -1}), "max_versions must be between 0 and 4294967295"),
            (json!({"cas_required": "maybe"}), "cas_required"),
            (json!({"delete_version_after": "soon"}), "error converting input for field \"delete_version_after\""),
            (json!({"delete_version_after": [1]}), "delete_version_after"),
        ] {
            let err = kv.err(crate::logical::Operation::Update, "config", body.clone()).await;
            assert!(err.contains(needle), "{body}: {err}");
        }
        assert_eq!(kv.read_json("config").await["max_versions"], 0, "nothing changed");
    }

    #[tokio::test]
    async fn config_takes_no_other_operations() {
        let kv = Kv::new().await;
        for op in [crate::logical::Operation::Delete, crate::logical::Operation::Patch] {
            let err = kv.call(op, "config", json!({})).await;
            assert!(matches!(err, Err(crate::logical::Error::UnsupportedOperation)));
        }
    }
}
