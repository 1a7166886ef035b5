//! `sys/seal` and the authenticated key-share ceremonies OpenBao's CLI uses:
//! `sys/rotate/root/*` (rekey) and `sys/generate-root-token/*`.

use std::sync::Arc;

use serde::Serialize;
use serde_json::json;

use super::SystemBackend;
use crate::framework::{Field, FieldData, Path};
use crate::logical::{Error, Operation, Request, Response, Result};

fn ok(value: impl Serialize) -> Result<Option<Response>> {
    Ok(Some(Response::data(serde_json::to_value(value).map_err(Error::internal)?)))
}

impl SystemBackend {
    async fn seal(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        self.core()?.seal().await?;
        Ok(None)
    }

    async fn rekey_status(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        ok(self.core()?.rekey_status().await?)
    }

    async fn rekey_init(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let status = self
            .core()?
            .rekey_init(
                d.int("secret_shares")?.max(0) as u64,
                d.int("secret_threshold")?.max(0) as u64,
                d.bool("require_verification")?,
                d.strings("pgp_keys")?,
                d.bool("backup")?,
            )
            .await?;
        ok(status)
    }

    async fn rekey_cancel(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        self.core()?.rekey_cancel().await?;
        Ok(None)
    }

    async fn rekey_update(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        ok(self.core()?.rekey_update(&d.string("key")?, &d.string("nonce")?).await?)
    }

    async fn rekey_verify_status(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        ok(self.core()?.rekey_verify_status().await?)
    }

    async fn rekey_verify_update(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        ok(self.core()?.rekey_verify_update(&d.string("key")?, &d.string("nonce")?).await?)
    }

    async fn rekey_verify_cancel(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        ok(self.core()?.rekey_verify_cancel().await?)
    }

    async fn rekey_backup(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        // Backups exist only for PGP-encrypted shares, which are not supported.
        Err(Error::invalid("no backed-up keys found"))
    }

    async fn generate_root_status(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        ok(self.core()?.generate_root_status().await?)
    }

    async fn generate_root_init(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        ok(self.core()?.generate_root_init(d.opt_string("otp")?.as_deref(), &d.string("pgp_key")?).await?)
    }

    async fn generate_root_cancel(self: Arc<Self>, _req: Request, _d: FieldData) -> Result<Option<Response>> {
        self.core()?.generate_root_cancel().await?;
        Ok(None)
    }

    async fn generate_root_update(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        ok(self.core()?.generate_root_update(&d.string("key")?, &d.string("nonce")?).await?)
    }

    async fn decode_token(self: Arc<Self>, _req: Request, d: FieldData) -> Result<Option<Response>> {
        let token = crate::seal::generate_root::decode_token(&d.string("encoded_token")?, &d.string("otp")?)?;
        Ok(Some(Response::data(json!({ "token": token.as_str() }))))
    }
}

fn share_fields(path: Path<SystemBackend>) -> Path<SystemBackend> {
    path.field(Field::string("key", "One unseal key share, hex or base64.").required())
        .field(Field::string("nonce", "The nonce of the attempt this share is for.").required())
}

pub(super) fn paths() -> Vec<Path<SystemBackend>> {
    vec![
        Path::new("seal").on(Operation::Update, SystemBackend::seal).help(
            "Seal the server.",
            "Drops every key from memory; a quorum of unseal key shares is needed to unseal. Needs sudo.",
        ),
        Path::new("rotate/root/init")
            .field(Field::int("secret_shares", "Number of shares to split the new unseal key into."))
            .field(Field::int("secret_threshold", "Number of shares needed to rebuild the new unseal key."))
            .field(Field::strings("pgp_keys", "Not supported."))
            .field(Field::bool("backup", "Not supported."))
            .field(Field::bool("require_verification", "Require the new shares to be proven before they take effect."))
            .on(Operation::Read, SystemBackend::rekey_status)
            .on(Operation::Update, SystemBackend::rekey_init)
            .on(Operation::Delete, SystemBackend::rekey_cancel)
            .help("Start, inspect or cancel a rekey of the unseal key.", "The quorum of current shares authorises it."),
        share_fields(Path::new("rotate/root/update"))
            .on(Operation::Update, SystemBackend::rekey_update)
            .help("Provide one share of the current unseal key to a rekey.", ""),
        share_fields(Path::new("rotate/root/verify"))
            .on(Operation::Read, SystemBackend::rekey_verify_status)
            .on(Operation::Update, SystemBackend::rekey_verify_update)
            .on(Operation::Delete, SystemBackend::rekey_verify_cancel)
            .help("Prove possession of the new shares of a rekey that requires verification.", "Needs sudo."),
        Path::new("rotate/root/backup")
            .on(Operation::Read, SystemBackend::rekey_backup)
            .on(Operation::Delete, SystemBackend::rekey_backup)
            .help("Backed-up PGP-encrypted shares (not supported).", ""),
        Path::new("rekey/backup")
            .on(Operation::Read, SystemBackend::rekey_backup)
            .on(Operation::Delete, SystemBackend::rekey_backup)
            .help("Backed-up PGP-encrypted shares (not supported; Vault's name).", ""),
        Path::new("generate-root-token/attempt")
            .field(Field::string("otp", "A one-time pad to encode the new token with; generated if omitted."))
            .field(Field::string("pgp_key", "Not supported."))
            .on(Operation::Read, SystemBackend::generate_root_status)
            .on(Operation::Update, SystemBackend::generate_root_init)
            .on(Operation::Delete, SystemBackend::generate_root_cancel)
            .help(
                "Start, inspect or cancel the generation of a new root token.",
                "The quorum of shares authorises it.",
            ),
        share_fields(Path::new("generate-root-token/update"))
            .on(Operation::Update, SystemBackend::generate_root_update)
            .help("Provide one unseal key share to a root token generation.", ""),
        Path::new("decode-token")
            .field(Field::string("encoded_token", "The encoded token from a completed generation.").required())
            .field(Field::string("otp", "The one-time pad of that generation.").required())
            .on(Operation::Update, SystemBackend::decode_token)
            .help(
                "Decode a generated root token with its OTP.",
                "Needs no token: without the OTP the encoding is useless.",
            ),
    ]
}
