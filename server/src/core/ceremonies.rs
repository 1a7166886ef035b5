//! Rekey and generate-root, as the core runs them: the seal module keeps the state of an
//! attempt; here a completed quorum is checked against the stored root key and acted on.
//! Served both unauthenticated (Vault's `sys/rekey/*`, `sys/generate-root/*`) and
//! authenticated (OpenBao's `sys/rotate/root/*`, `sys/generate-root-token/*`).

use serde::Serialize;
use tokio::sync::MutexGuard;
use zeroize::Zeroizing;

use super::{Ceremonies, Core};
use crate::logical::Error;
use crate::seal::generate_root::{GenerateRootAttempt, OTP_LEN};
use crate::seal::rekey::{PendingRekey, RekeyAttempt};
use crate::seal::{NewUnsealKey, SealConfig, ShareCollector, encode_shares, shamir};

/// No `Debug`: on completion it carries the new key shares.
#[derive(Clone, Serialize)]
pub struct RekeyStatus {
    pub nonce: String,
    pub started: bool,
    pub t: u8,
    pub n: u8,
    pub progress: usize,
    pub required: u8,
    pub pgp_fingerprints: Option<Vec<String>>,
    pub backup: bool,
    pub verification_required: bool,
    pub verification_nonce: String,
    /// Set on the update that completes the quorum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_base64: Option<Vec<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RekeyVerifyStatus {
    pub nonce: String,
    pub started: bool,
    pub t: u8,
    pub n: u8,
    pub progress: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
}

/// No `Debug`: it can carry the OTP and the encoded token.
#[derive(Clone, Serialize)]
pub struct GenerateRootStatus {
    pub nonce: String,
    pub started: bool,
    pub progress: usize,
    pub required: u8,
    pub complete: bool,
    pub encoded_token: String,
    pub encoded_root_token: String,
    pub pgp_fingerprint: String,
    pub otp: String,
    pub otp_length: usize,
}

impl Core {
    /// The ceremony state, locked, and the current seal configuration. The seal check
    /// comes after taking the lock, so a seal that slipped in between is seen.
    async fn unsealed_ceremonies(&self) -> Result<(MutexGuard<'_, Ceremonies>, SealConfig), Error> {
        let ceremonies = self.ceremonies.lock().await;
        self.unsealed()?;
        let config = self.seal.config().await?.ok_or_else(|| Error::invalid("Vault is not initialized"))?;
        Ok((ceremonies, config))
    }

    /// Rebuild the current unseal key from a quorum and prove it opens the root key.
    async fn root_key_from(
        &self,
        shares: &[Zeroizing<Vec<u8>>],
        config: &SealConfig,
    ) -> Result<Zeroizing<[u8; 32]>, Error> {
        let unseal_key =
            shamir::combine(shares, config.secret_shares, config.secret_threshold).map_err(Error::InvalidRequest)?;
        self.seal.open_root_key(&unseal_key).await
    }

    fn rekey_status_of(attempt: Option<&RekeyAttempt>, current: &SealConfig) -> RekeyStatus {
        RekeyStatus {
            nonce: attempt.map(|a| a.collector.nonce.clone()).unwrap_or_default(),
            started: attempt.is_some(),
            t: attempt.map_or(0, |a| a.config.secret_threshold),
            n: attempt.map_or(0, |a| a.config.secret_shares),
            progress: attempt.map_or(0, |a| a.collector.progress()),
            required: current.secret_threshold,
            pgp_fingerprints: None,
            backup: false,
            verification_required: attempt.is_some_and(|a| a.require_verification),
            verification_nonce: attempt
                .and_then(|a| a.pending.as_ref())
                .map(|p| p.verification.nonce.clone())
                .unwrap_or_default(),
            complete: None,
            keys: None,
            keys_base64: None,
        }
    }

    pub async fn rekey_status(&self) -> Result<RekeyStatus, Error> {
        let (ceremonies, config) = self.unsealed_ceremonies().await?;
        Ok(Self::rekey_status_of(ceremonies.rekey.as_ref(), &config))
    }

    async fn rekey_init_now(
        &self,
        shares: u64,
        threshold: u64,
        require_verification: bool,
        pgp_keys: &[String],
        backup: bool,
    ) -> Result<RekeyStatus, Error> {
        let (mut ceremonies, config) = self.unsealed_ceremonies().await?;
        if ceremonies.rekey.is_some() {
            return Err(Error::invalid("rekey already in progress; cancel it first to start another"));
        }
        let attempt = RekeyAttempt::start(shares, threshold, require_verification, pgp_keys, backup)?;
        ceremonies.rekey = Some(attempt);
        Ok(Self::rekey_status_of(ceremonies.rekey.as_ref(), &config))
    }

    async fn rekey_cancel_now(&self) -> Result<(), Error> {
        self.unsealed_ceremonies().await?.0.rekey = None;
        Ok(())
    }

    async fn rekey_update_now(&self, key: &str, nonce: &str) -> Result<RekeyStatus, Error> {
        let (mut ceremonies, config) = self.unsealed_ceremonies().await?;
        let attempt = ceremonies.rekey.as_mut().ok_or_else(|| Error::invalid("no rekey in progress"))?;
        attempt.collector.check_nonce(nonce, "rekey")?;
        if attempt.pending.is_some() {
            return Err(Error::invalid(
                "the rekey is complete and awaits verification; send the new shares to the verify endpoint",
            ));
        }
        let Some(shares) = attempt.collector.add(key, config.secret_shares, config.secret_threshold)? else {
            return Ok(Self::rekey_status_of(Some(attempt), &config));
        };
        let root_key = match self.root_key_from(&shares, &config).await {
            Ok(root_key) => root_key,
            Err(err) => {
                attempt.collector = ShareCollector::new();
                return Err(err);
            }
        };
        let new_key = NewUnsealKey::generate(&attempt.config)?;
        let (keys, keys_base64) = encode_shares(&new_key.shares);
        if !attempt.require_verification {
            self.seal.install(&new_key, &attempt.config, &root_key).await?;
        }
        let mut status = Self::rekey_status_of(Some(attempt), &config);
        if attempt.require_verification {
            let verification = ShareCollector::new();
            status.verification_nonce = verification.nonce.clone();
            attempt.pending = Some(PendingRekey { key: new_key, verification });
        } else {
            ceremonies.rekey = None;
            status.started = false;
            tracing::info!("rekeyed: new unseal key shares issued");
        }
        status.progress = 0;
        status.complete = Some(true);
        status.keys = Some(keys);
        status.keys_base64 = Some(keys_base64);
        Ok(status)
    }

    fn verify_status_of(attempt: Option<&RekeyAttempt>) -> RekeyVerifyStatus {
        let pending = attempt.and_then(|a| a.pending.as_ref());
        RekeyVerifyStatus {
            nonce: pending.map(|p| p.verification.nonce.clone()).unwrap_or_default(),
            started: pending.is_some(),
            t: attempt.filter(|_| pending.is_some()).map_or(0, |a| a.config.secret_threshold),
            n: attempt.filter(|_| pending.is_some()).map_or(0, |a| a.config.secret_shares),
            progress: pending.map_or(0, |p| p.verification.progress()),
            complete: None,
        }
    }

    pub async fn rekey_verify_status(&self) -> Result<RekeyVerifyStatus, Error> {
        let (ceremonies, _) = self.unsealed_ceremonies().await?;
        Ok(Self::verify_status_of(ceremonies.rekey.as_ref()))
    }

    async fn rekey_verify_cancel_now(&self) -> Result<RekeyVerifyStatus, Error> {
        let (mut ceremonies, _) = self.unsealed_ceremonies().await?;
        let attempt = ceremonies.rekey.as_mut().ok_or_else(|| Error::invalid("no rekey in progress"))?;
        if let Some(pending) = attempt.pending.as_mut() {
            pending.verification = ShareCollector::new();
        }
        Ok(Self::verify_status_of(ceremonies.rekey.as_ref()))
    }

    async fn rekey_verify_update_now(&self, key: &str, nonce: &str) -> Result<RekeyVerifyStatus, Error> {
        let (mut ceremonies, _) = self.unsealed_ceremonies().await?;
        let attempt = ceremonies.rekey.as_mut().ok_or_else(|| Error::invalid("no rekey in progress"))?;
        let new_config = attempt.config.clone();
        let pending = attempt.pending.as_mut().ok_or_else(|| Error::invalid("no rekey verification in progress"))?;
        pending.verification.check_nonce(nonce, "verify")?;
        let Some(shares) = pending.verification.add(key, new_config.secret_shares, new_config.secret_threshold)? else {
            return Ok(Self::verify_status_of(ceremonies.rekey.as_ref()));
        };
        let rebuilt = shamir::combine(&shares, new_config.secret_shares, new_config.secret_threshold)
            .map_err(Error::InvalidRequest)?;
        if !crate::crypto::constant_time_eq(rebuilt.as_slice(), pending.key.key.as_slice()) {
            pending.verification = ShareCollector::new();
            return Err(Error::invalid(
                "the shares do not rebuild the new unseal key: at least one is wrong; verification was restarted",
            ));
        }
        let root_key = self.barrier.root_key()?;
        self.seal.install(&pending.key, &new_config, &root_key).await?;
        let mut status = Self::verify_status_of(ceremonies.rekey.as_ref());
        ceremonies.rekey = None;
        status.complete = Some(true);
        tracing::info!("rekeyed: new unseal key verified and installed");
        Ok(status)
    }

    fn generate_root_status_of(attempt: Option<&GenerateRootAttempt>, config: &SealConfig) -> GenerateRootStatus {
        GenerateRootStatus {
            nonce: attempt.map(|a| a.collector.nonce.clone()).unwrap_or_default(),
            started: attempt.is_some(),
            progress: attempt.map_or(0, |a| a.collector.progress()),
            required: config.secret_threshold,
            complete: false,
            encoded_token: String::new(),
            encoded_root_token: String::new(),
            pgp_fingerprint: String::new(),
            otp: String::new(),
            otp_length: OTP_LEN,
        }
    }

    pub async fn generate_root_status(&self) -> Result<GenerateRootStatus, Error> {
        let (ceremonies, config) = self.unsealed_ceremonies().await?;
        Ok(Self::generate_root_status_of(ceremonies.generate_root.as_ref(), &config))
    }

    async fn generate_root_init_now(&self, otp: Option<&str>, pgp_key: &str) -> Result<GenerateRootStatus, Error> {
        let (mut ceremonies, config) = self.unsealed_ceremonies().await?;
        if ceremonies.generate_root.is_some() {
            return Err(Error::invalid("root generation already in progress; cancel it first to start another"));
        }
        let (attempt, generated) = GenerateRootAttempt::start(otp, pgp_key)?;
        let mut status = Self::generate_root_status_of(Some(&attempt), &config);
        if let Some(otp) = generated {
            status.otp = otp.to_string();
        }
        ceremonies.generate_root = Some(attempt);
        Ok(status)
    }

    async fn generate_root_cancel_now(&self) -> Result<(), Error> {
        self.unsealed_ceremonies().await?.0.generate_root = None;
        Ok(())
    }

    async fn generate_root_update_now(&self, key: &str, nonce: &str) -> Result<GenerateRootStatus, Error> {
        let (mut ceremonies, config) = self.unsealed_ceremonies().await?;
        let state = self.unsealed()?;
        let attempt =
            ceremonies.generate_root.as_mut().ok_or_else(|| Error::invalid("no root generation in progress"))?;
        attempt.collector.check_nonce(nonce, "root generation")?;
        let Some(shares) = attempt.collector.add(key, config.secret_shares, config.secret_threshold)? else {
            return Ok(Self::generate_root_status_of(Some(attempt), &config));
        };
        if let Err(err) = self.root_key_from(&shares, &config).await {
            attempt.collector = ShareCollector::new();
            return Err(err);
        }
        let (token, _) = state.tokens.create_root(None, "root").await?;
        let mut status = Self::generate_root_status_of(Some(attempt), &config);
        let encoded = attempt.encode(&token)?;
        ceremonies.generate_root = None;
        status.progress = config.secret_threshold as usize;
        status.complete = true;
        status.encoded_token = encoded.clone();
        status.encoded_root_token = encoded;
        tracing::info!("a new root token was generated by a quorum of key holders");
        Ok(status)
    }
}

/// The mutating ceremony steps, each run to completion even if the request that asked
/// for it goes away: a rekey that commits new shares but never returns them would lock
/// everyone out at the next seal.
impl Core {
    pub async fn rekey_init(
        &self,
        shares: u64,
        threshold: u64,
        require_verification: bool,
        pgp_keys: Vec<String>,
        backup: bool,
    ) -> Result<RekeyStatus, Error> {
        self.detached(move |core| async move {
            core.rekey_init_now(shares, threshold, require_verification, &pgp_keys, backup).await
        })
        .await
    }

    pub async fn rekey_cancel(&self) -> Result<(), Error> {
        self.detached(|core| async move { core.rekey_cancel_now().await }).await
    }

    /// Take one share of the *current* key. On the last one the new shares are returned,
    /// and installed at once unless verification was asked for.
    pub async fn rekey_update(&self, key: &str, nonce: &str) -> Result<RekeyStatus, Error> {
        let (key, nonce) = (Zeroizing::new(key.to_string()), nonce.to_string());
        self.detached(move |core| async move { core.rekey_update_now(&key, &nonce).await }).await
    }

    /// Restart verification (new nonce, no shares held); the pending key is kept.
    pub async fn rekey_verify_cancel(&self) -> Result<RekeyVerifyStatus, Error> {
        self.detached(|core| async move { core.rekey_verify_cancel_now().await }).await
    }

    /// Take one share of the *new* key; on the last one, install the new key.
    pub async fn rekey_verify_update(&self, key: &str, nonce: &str) -> Result<RekeyVerifyStatus, Error> {
        let (key, nonce) = (Zeroizing::new(key.to_string()), nonce.to_string());
        self.detached(move |core| async move { core.rekey_verify_update_now(&key, &nonce).await }).await
    }

    pub async fn generate_root_init(&self, otp: Option<&str>, pgp_key: &str) -> Result<GenerateRootStatus, Error> {
        let (otp, pgp_key) = (otp.map(|o| Zeroizing::new(o.to_string())), pgp_key.to_string());
        self.detached(move |core| async move {
            core.generate_root_init_now(otp.as_deref().map(|o| o.as_str()), &pgp_key).await
        })
        .await
    }

    pub async fn generate_root_cancel(&self) -> Result<(), Error> {
        self.detached(|core| async move { core.generate_root_cancel_now().await }).await
    }

    /// Take one share; on the last, mint a root token and return it encoded with the OTP.
    pub async fn generate_root_update(&self, key: &str, nonce: &str) -> Result<GenerateRootStatus, Error> {
        let (key, nonce) = (Zeroizing::new(key.to_string()), nonce.to_string());
        self.detached(move |core| async move { core.generate_root_update_now(&key, &nonce).await }).await
    }
}
